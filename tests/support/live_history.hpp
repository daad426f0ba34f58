// Helpers of the end-to-end live tests (paper and live runs against the fake Bybit): the shared
// ETHUSDT 1m history moved to end now.
#pragma once

#include "csv_series.hpp"
#include "file_bytes.hpp"
#include "test_support.hpp"

#include <chrono>
#include <vector>

namespace mmh::test {

inline int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The shared ETHUSDT 1m bars up to `last_open_ms` (plus the bar after it, still forming on the
// fake's clock), moved in time so that bar is the last one closed at `now_minute_ms` + 30 s.
inline std::vector<mmh_candle> history_ending_now(int64_t last_open_ms, int64_t now_minute) {
  constexpr int64_t kMinNs = 60'000'000'000LL;
  const std::string path = shared_data("candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv");
  auto s = mmh::replay::parse_candle_csv(mmh::replay::read_file_bytes(path), path, kMinNs);
  const int64_t shift_ns = (now_minute - 60000 - last_open_ms) * 1'000'000LL;
  std::vector<mmh_candle> out;
  for (mmh_candle c : s.candles) {
    if (c.open_ts_ns > (last_open_ms + 60000) * 1'000'000LL) break;
    c.open_ts_ns += shift_ns;
    out.push_back(c);
  }
  return out;
}

}  // namespace mmh::test
