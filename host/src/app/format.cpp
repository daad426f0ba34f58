#include "app/format.hpp"

#include <cstdio>
#include <ctime>

namespace mmh {

std::string with_commas(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    out += digits[i];
    if ((n - i - 1) % 3 == 0 && i + 1 < n) out += ',';
  }
  return out;
}

std::string iso_time(int64_t ts_ns) {
  const int64_t ms = ts_ns / 1000000;
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (ms % 1000 != 0) {
    char frac[8];
    std::snprintf(frac, sizeof(frac), ".%03d", static_cast<int>(ms % 1000));
    out += frac;
  }
  return out + "Z";
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

std::string human_rate(double per_second) {
  if (per_second >= 1e9) return fixed(per_second / 1e9, 2) + "G";
  if (per_second >= 1e6) return fixed(per_second / 1e6, 1) + "M";
  if (per_second >= 1e3) return fixed(per_second / 1e3, 1) + "k";
  return fixed(per_second, 0);
}

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string progress_bar(double fraction, int width) {
  fraction = fraction < 0.0 ? 0.0 : (fraction > 1.0 ? 1.0 : fraction);
  const int filled = static_cast<int>(fraction * width);
  char percent[16];
  std::snprintf(percent, sizeof(percent), "%5.1f%%", fraction * 100.0);
  return "[" + std::string(static_cast<size_t>(filled), '#') +
         std::string(static_cast<size_t>(width - filled), '.') + "] " + percent;
}

}  // namespace mmh
