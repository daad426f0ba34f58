#include "app/format.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
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

namespace {

// Two digits of `v` (< 100) at `p`.
char* two_digits(char* p, int64_t v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// "HH:MM:SS[.mmm]Z" of a second of the day (and its milliseconds).
char* write_time_of_day(char* p, int64_t of_day, int64_t ms) {
  p = two_digits(p, of_day / 3600);
  *p++ = ':';
  p = two_digits(p, of_day / 60 % 60);
  *p++ = ':';
  p = two_digits(p, of_day % 60);
  const int64_t milli = ms % 1000;
  if (milli != 0) {
    if (milli > 0) {
      *p++ = '.';
      *p++ = static_cast<char>('0' + milli / 100);
      p = two_digits(p, milli % 100);
    } else {
      p += std::snprintf(p, 8, ".%03d", static_cast<int>(milli));
    }
  }
  *p++ = 'Z';
  return p;
}

}  // namespace

char* write_iso_time(char* p, int64_t ts_ns) {
  // Milliseconds are truncated toward zero and seconds floored, as gmtime_r of (ms / 1000) did.
  const int64_t ms = ts_ns / 1000000;
  const int64_t seconds = ms / 1000;
  const int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const int64_t of_day = seconds - days * 86400;
  // Runs write hundreds of thousands of times a day: the date part of the last day is kept.
  thread_local int64_t cached_days = INT64_MIN;
  thread_local char cached_date[11];  // "YYYY-MM-DDT"
  if (days == cached_days) {
    std::memcpy(p, cached_date, sizeof(cached_date));
    return write_time_of_day(p + sizeof(cached_date), of_day, ms);
  }
  char* const date = p;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);

  if (year >= 0 && year <= 9999) {
    p = two_digits(p, year / 100);
    p = two_digits(p, year % 100);
  } else {
    p += std::snprintf(p, 16, "%lld", static_cast<long long>(year));
  }
  *p++ = '-';
  p = two_digits(p, month);
  *p++ = '-';
  p = two_digits(p, day);
  *p++ = 'T';
  if (p - date == sizeof(cached_date)) {  // four-digit years only
    std::memcpy(cached_date, date, sizeof(cached_date));
    cached_days = days;
  }
  return write_time_of_day(p, of_day, ms);
}

std::string iso_time(int64_t ts_ns) {
  char buf[kIsoTimeMaxChars];
  return std::string(buf, write_iso_time(buf, ts_ns));
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

namespace {

// Bytes JSON takes as they are: everything but controls, '"' and '\\'.
constexpr std::array<bool, 256> kJsonPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 256; ++c) plain[static_cast<size_t>(c)] = c != '"' && c != '\\';
  return plain;
}();

}  // namespace

namespace {

char* write_escaped_byte(char* p, char c) {
  const auto u = static_cast<unsigned char>(c);
  if (kJsonPlain[u]) [[likely]] {
    *p++ = c;
    return p;
  }
  *p++ = '\\';
  switch (c) {
    case '"':
    case '\\':
      *p++ = c;
      break;
    case '\n':
      *p++ = 'n';
      break;
    case '\t':
      *p++ = 't';
      break;
    case '\r':
      *p++ = 'r';
      break;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      p = std::copy_n("u00", 3, p);
      *p++ = kHex[u >> 4];
      *p++ = kHex[u & 15];
    }
  }
  return p;
}

}  // namespace

char* write_json_escaped(char* p, std::string_view text) {
  // Every string of events.jsonl goes through here: eight bytes at a time while none needs an
  // escape (ids, names and decision texts seldom hold one), byte by byte around those that do.
  const char* s = text.data();
  const char* const end = s + text.size();
  while (end - s >= 8) {
    uint64_t x;
    std::memcpy(&x, s, 8);
    if (!json_word_needs_escape(x)) [[likely]] {
      std::memcpy(p, s, 8);
      p += 8;
      s += 8;
      continue;
    }
    for (const char* stop = s + 8; s != stop; ++s) p = write_escaped_byte(p, *s);
  }
  for (; s != end; ++s) p = write_escaped_byte(p, *s);
  return p;
}

char* write_fixed4(char* out, double value) {
  // x = value * 1e4 exactly is within half an ulp of the product p computed here: below 1e13
  // that is under 0.001, so when p is within 0.49 of the integer n, x is within 0.5 of n and
  // rounds to n whatever the tie rule. Anything else (ties, large, NaN, infinities) is printed
  // by to_chars.
  const double magnitude = std::fabs(value);
  if (magnitude < 1e9) {
    const double scaled = magnitude * 1e4;
    const double n = std::nearbyint(scaled);
    if (std::fabs(scaled - n) < 0.49) {
      auto units = static_cast<uint64_t>(n);
      if (std::signbit(value)) *out++ = '-';  // printf keeps the sign of -0.0 and of -0.00001
      out = std::to_chars(out, out + 24, units / 10000).ptr;
      *out++ = '.';
      units %= 10000;
      for (int i = 3; i >= 0; --i) {
        out[i] = static_cast<char>('0' + units % 10);
        units /= 10;
      }
      return out + 4;
    }
  }
  return std::to_chars(out, out + kFixed4MaxChars, value, std::chars_format::fixed, 4).ptr;
}

std::string json_escape(std::string_view text) {
  std::string out(6 * text.size(), '\0');
  out.resize(static_cast<size_t>(write_json_escaped(out.data(), text) - out.data()));
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

std::string step_text(const mmh_decimal& d) {
  int64_t e8 = 0;
  if (!sdk::decimal_to_e8(d, e8) || e8 <= 0) return {};
  return sdk::format_e8(e8);
}

}  // namespace mmh
