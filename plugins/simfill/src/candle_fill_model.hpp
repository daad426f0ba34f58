// Fills from OHLCV candles alone. The price inside a candle follows a fixed path through its four
// prices: O -> L -> H -> C when the candle closes at or above its open, O -> H -> L -> C when it
// closes below, the three legs taking a third of the interval each with the price moving
// linearly. Commands act at their due time on that path.
//
// - A resting limit fills (as maker, at its own price) when the path trades THROUGH it by at least
//   `through_ticks` (default 1; 0 = a touch fills), at the moment the path gets there.
// - The orders' fills in one candle add up to at most `participation` of the candle's volume;
//   what does not fit stays resting (partial fills).
// - Best bid is the path price rounded down to a tick, best ask `spread_ticks` above it. A market
//   order fills in full at the ask (buy) or bid (sell), moved by the slippage model: a fixed
//   number of basis points or a share of the ATR of the candles seen so far. A marketable limit
//   takes at the touch up to its limit, in full (a candle shows no depth).
//
// Known biases (printed in every report): the real path inside a candle is unknown (this one is
// the usual convention, not the truth); volume is assumed to trade evenly enough for the cap;
// there is no queue (a trade-through stands in for it); taker size never moves the price beyond
// the slippage model; fills are reported to the strategy at the candle's close.
#pragma once

#include "sim_venue.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mmh::sim {

struct CandleModelConfig {
  int64_t through_ticks = 1;
  double participation = 0.1;  // share of candle volume our fills may take, (0, 1]
  int64_t spread_ticks = 1;
  enum class Slippage { bps, atr } slippage = Slippage::bps;
  double slippage_value = 1.0;  // bps, or ATR multiple
  int atr_period = 14;
  // "bps:2" or "atr:0.05"; throws std::invalid_argument.
  static void parse_slippage(const std::string& text, CandleModelConfig& out);
  void validate() const;
};

struct PathPoint {
  int64_t ts_ns = 0;
  int64_t price_e8 = 0;
};
// The assumed intra-candle path (four points, open to close).
std::array<PathPoint, 4> candle_path(const mmh_candle& candle);

class CandleFillModel {
 public:
  explicit CandleFillModel(CandleModelConfig config);
  // Runs one closed candle through the venue: commands due before its close act along the path,
  // resting orders fill where the path trades through them.
  void on_candle(SimVenue& venue, const mmh_candle& candle);
  std::string describe() const;
  static const char* biases();

 private:
  class Market;
  void sweep(SimVenue& venue, PathPoint from, PathPoint to);
  // Nothing can happen inside the candle: no command is due before it closes and its range
  // reaches no resting order by the trade-through rule (most candles of a backtest).
  bool quiet(SimVenue& venue, const std::array<PathPoint, 4>& path);
  void update_atr(const mmh_candle& candle);
  // The trade-through rule: the price the path must reach for a resting order to fill, and
  // whether a stretch of the path between lo and hi reaches it.
  int64_t fill_level_e8(const SimOrder& order, const SimInstrument& inst) const;
  static bool reaches(const SimOrder& order, int64_t level_e8, int64_t lo_e8, int64_t hi_e8);

  struct Hit {
    int64_t ts_ns;
    SimOrder* order;
  };
  CandleModelConfig config_;
  std::vector<Hit> hits_;
  int64_t cap_left_e8_ = 0;
  // Where this candle's last sweep ended, and the newest order sequence number it saw.
  bool swept_ = false;
  PathPoint swept_to_;
  uint64_t swept_seq_ = 0;
  double atr_e8_ = 0.0;
  int atr_count_ = 0;
  int64_t prev_close_e8_ = 0;
};

}  // namespace mmh::sim
