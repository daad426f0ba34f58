// Non-negative integers Bybit sends as JSON strings (ids, millisecond and nanosecond times):
// every character a digit, the value within the type. One place, so overflow is handled once.
#pragma once

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace mmh::bybit {

template <typename T = int64_t>
std::optional<T> parse_count(std::string_view text) {
  T value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < 0) return std::nullopt;
  return value;
}

}  // namespace mmh::bybit
