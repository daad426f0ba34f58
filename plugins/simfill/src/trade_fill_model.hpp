// Fills from the trade tape (and best bid/ask when the data has it). Commands act at their due
// time before the trades that follow it.
//
// - A new resting order's queue ahead is the displayed size at its price when known (it joins the
//   best bid/ask of the last ticker), none when it improves the best price, else an estimate:
//   `queue_trades` times the mean trade size seen so far.
// - A trade at the order's price first eats the queue ahead, then fills the order with what is
//   left of it; a trade through the price fills the order up to the trade's size. Partial fills.
//   One trade's size is shared among our orders, best price first, then time priority.
// - Market orders fill in full at the best ask/bid (from the ticker, else the last trade +/-
//   `spread_ticks`) moved by the slippage in bps; marketable limits take at the touch.
//
// Known biases: our orders do not change what others did (no market impact, the tape is fixed);
// hidden and iceberg liquidity is ignored; cancels ahead of us are not seen, so the queue only
// moves with trades (risk-averse); without a book, taker size never walks the price.
#pragma once

#include "sim_venue.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mmh::sim {

struct TradeModelConfig {
  double queue_trades = 5.0;  // estimated queue ahead, in mean trade sizes
  int64_t spread_ticks = 1;
  double slippage_bps = 1.0;
  void validate() const;
};

class TradeFillModel {
 public:
  explicit TradeFillModel(TradeModelConfig config);
  void on_trade(SimVenue& venue, const mmh_trade& trade);
  void on_ticker(SimVenue& venue, const mmh_ticker& ticker);
  // Applies commands due by `ts_ns` without a trade (e.g. at the end of a candle).
  void advance(SimVenue& venue, int64_t ts_ns);
  std::string describe() const;
  static const char* biases();

 private:
  class Market;

  TradeModelConfig config_;
  int64_t last_price_e8_ = 0;
  TopOfBook ticker_{};  // 0 prices: no ticker seen
  double trade_qty_sum_e8_ = 0;
  uint64_t trade_count_ = 0;
  std::vector<SimOrder*> resting_;
};

}  // namespace mmh::sim
