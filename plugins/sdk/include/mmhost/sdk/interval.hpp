// Bar intervals as text ("1m", "5m", "1h", "1d", or Bybit's minute codes "1", "5", "60", "D")
// and as nanoseconds.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace mmh::sdk {

inline constexpr int64_t kNsPerMs = 1000000;
inline constexpr int64_t kNsPerSecond = 1000 * kNsPerMs;
inline constexpr int64_t kNsPerMinute = 60 * kNsPerSecond;
inline constexpr int64_t kNsPerDay = 1440 * kNsPerMinute;

// Returns 0 when the text is not an interval.
inline int64_t parse_interval_ns(std::string_view text) {
  if (text == "D" || text == "1d") return kNsPerDay;
  if (text == "W" || text == "1w") return 7 * kNsPerDay;
  int64_t amount = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (ec != std::errc() || amount <= 0 || amount > 1000000) return 0;
  const std::string_view unit(ptr, static_cast<size_t>(text.data() + text.size() - ptr));
  if (unit.empty() || unit == "m")
    return amount * kNsPerMinute;  // bare numbers are minutes, as on Bybit
  if (unit == "s") return amount * kNsPerSecond;
  if (unit == "h") return amount * 60 * kNsPerMinute;
  if (unit == "d") return amount * kNsPerDay;
  return 0;
}

inline std::string format_interval(int64_t interval_ns) {
  const int64_t seconds = interval_ns / kNsPerSecond;
  if (interval_ns % kNsPerSecond != 0 || seconds <= 0) return std::to_string(interval_ns) + "ns";
  if (seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

}  // namespace mmh::sdk
