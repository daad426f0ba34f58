// The tick streams of a run (trades, book updates, tickers) on their way to the venue, and the
// bars built from the trade tape when that is the run's main data. A record at or after the
// close of the bar in progress first sends the ticks before it to the venue, then the bar to the
// bar handler (the core sees the bar, orders are synced at its close); ticks between two bar
// closes reach the venue as one batch (fills keep their tick times), and trades join the bar in
// progress.
#pragma once

#include "engine/engine.hpp"
#include "engine/trade_bars.hpp"

#include <memory>

namespace mmh {

class Execution;

class MarketFeed final : public BatchHandler {
 public:
  // exec: may be null (no venue); bars: receives the bars built from trades, or null when the
  // run's bars come from a candle source (bar_interval_ns is then ignored).
  MarketFeed(Execution* exec, BatchHandler* bars, int64_t bar_interval_ns);
  void on_batch(const mmh_batch& batch) override;
  uint64_t bars_built() const { return builder_ ? builder_->emitted() : 0; }

 private:
  void forward(const mmh_batch& batch, size_t begin, size_t end);

  Execution* exec_;
  std::unique_ptr<TradeBars> builder_;
};

}  // namespace mmh
