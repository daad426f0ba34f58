// Parsing and validation of the replay CSV formats (the format of ../shared/data and of the
// `mmhost fetch` cache):
//   candles: ts_ms,open,high,low,close,volume   (ts_ms = bar open time, UTC epoch ms)
//   trades:  ts_ms,price,qty,side               (side = taker side, buy|sell)
// Leading lines starting with '#' are comments (used to label generated data). Every error names
// source:line and what was wrong; nothing partial is returned.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::replay {

inline constexpr std::string_view kCandleHeader = "ts_ms,open,high,low,close,volume";
inline constexpr std::string_view kTradeHeader = "ts_ms,price,qty,side";

enum class SeriesKind { unknown, candles, trades };

// Which format a file holds, by its header (after comment lines).
SeriesKind detect_kind(std::string_view text);

struct GapStats {
  int64_t interval_ns = 0;    // candles: inferred or declared bar interval
  uint64_t gap_count = 0;     // runs of missing bars
  uint64_t missing_bars = 0;  // bars missing across all gaps
  int64_t largest_gap_ns = 0;
};

struct CandleSeries {
  std::vector<mmh_candle> candles;
  GapStats gaps;
};

struct TradeSeries {
  std::vector<mmh_trade> trades;
};

// expected_interval_ns = 0 infers the interval as the smallest step between bars.
CandleSeries parse_candle_csv(std::string_view text, const std::string& source_name,
                              int64_t expected_interval_ns = 0);

TradeSeries parse_trade_csv(std::string_view text, const std::string& source_name);

}  // namespace mmh::replay
