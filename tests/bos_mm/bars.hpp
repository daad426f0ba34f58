// Readable candle builders for the bos_mm tests: bars(...) from (high, low) pairs or closes, in
// whole price units, 5m apart.
#pragma once

#include <mmhost/plugin.h>

#include <utility>
#include <vector>

namespace mmh::bos::test {

inline constexpr int64_t kFiveMinutes = 300'000'000'000;

inline mmh_candle bar_at(int64_t index, double open, double high, double low, double close) {
  mmh_candle c{};
  c.open_ts_ns = 1'735'689'600'000'000'000 + index * kFiveMinutes;
  c.interval_ns = kFiveMinutes;
  c.open_e8 = static_cast<int64_t>(open * MMH_E8);
  c.high_e8 = static_cast<int64_t>(high * MMH_E8);
  c.low_e8 = static_cast<int64_t>(low * MMH_E8);
  c.close_e8 = static_cast<int64_t>(close * MMH_E8);
  c.volume_e8 = MMH_E8;
  c.symbol_id = 1;
  return c;
}

// Bars from (high, low); open and close at the midpoint.
inline std::vector<mmh_candle> bars_hl(const std::vector<std::pair<double, double>>& hl) {
  std::vector<mmh_candle> out;
  for (size_t i = 0; i < hl.size(); ++i) {
    const double mid = (hl[i].first + hl[i].second) / 2;
    out.push_back(bar_at(static_cast<int64_t>(i), mid, hl[i].first, hl[i].second, mid));
  }
  return out;
}

// A zig-zag through the given turning points, one bar per unit step, each bar 1 unit tall.
inline std::vector<mmh_candle> zigzag(const std::vector<int>& turns) {
  std::vector<std::pair<double, double>> hl;
  for (size_t t = 0; t + 1 < turns.size(); ++t) {
    const int step = turns[t + 1] > turns[t] ? 1 : -1;
    for (int p = turns[t]; p != turns[t + 1]; p += step) hl.emplace_back(p + 0.5, p - 0.5);
  }
  hl.emplace_back(turns.back() + 0.5, turns.back() - 0.5);
  return bars_hl(hl);
}

}  // namespace mmh::bos::test
