// The tick streams of a run (trades, book updates, tickers) on their way to the venue, and the
// bars built from the trade tape when that is the run's main data. A record at or after the
// close of the bar in progress first sends the ticks before it to the venue, then the bar to the
// bar handler (the core sees the bar, orders are synced at its close); ticks between two bar
// closes reach the venue as one batch (fills keep their tick times), and trades join the bar in
// progress.
#pragma once

#include "app/routes.hpp"
#include "engine/book_top.hpp"
#include "engine/engine.hpp"
#include "engine/trade_bars.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace mmh {

class CoreInstance;
class Execution;

class MarketFeed final : public BatchHandler {
 public:
  // exec: may be null (no venue); bars: receives the bars built from trades, or null when the
  // run's bars come from a candle source (bar_interval_ns is then ignored). Each kind goes
  // where `routes` sends it.
  MarketFeed(const Routes& routes, Execution* exec, BatchHandler* bars, int64_t bar_interval_ns);
  void on_batch(const mmh_batch& batch) override;
  uint64_t bars_built() const { return builder_ ? builder_->emitted() : 0; }
  // The core hears the ticks routed to it, after the venue: tickers as they come, a book
  // stream's top as a ticker whenever it changes, or the book messages themselves.
  // `after_input` collects what it decided.
  void set_core(CoreInstance* core, std::function<void()> after_input);

 private:
  void forward(const mmh_batch& batch, size_t begin, size_t end);
  void tell_core(const mmh_batch& part);

  const Routes& routes_;
  Execution* exec_;
  std::unique_ptr<TradeBars> builder_;
  CoreInstance* core_ = nullptr;
  std::function<void()> after_core_input_;
  BookTop book_top_;
  std::vector<mmh_ticker> tops_;  // reused
};

}  // namespace mmh
