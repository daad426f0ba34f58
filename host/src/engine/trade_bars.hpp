// Candles built from a trade tape, for runs whose data is ticks: bars are [open, open + interval)
// buckets aligned to the epoch; OHLC from trade prices, volume the traded base quantity. A bar
// is complete once an event at or after its close is seen (the tape cannot prove it earlier);
// an interval without trades yields no bar (a gap, as in candle files). The bar still open at
// the end of the data is incomplete and never emitted.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <functional>

namespace mmh {

class TradeBars {
 public:
  using EmitFn = std::function<void(const mmh_candle&)>;
  TradeBars(int64_t interval_ns, EmitFn emit);  // throws std::invalid_argument for interval <= 0

  // Emits the bar in progress when ts_ns is at or after its close.
  void close_until(int64_t ts_ns);
  // close_until(trade time), then the trade joins its bar.
  void add(const mmh_trade& trade);
  uint64_t emitted() const { return emitted_; }
  // Close time of the bar in progress; INT64_MAX when none is open.
  int64_t close_ns() const { return open_ ? bar_.open_ts_ns + bar_.interval_ns : INT64_MAX; }

 private:
  int64_t interval_ns_;
  EmitFn emit_;
  bool open_ = false;
  mmh_candle bar_{};
  uint64_t emitted_ = 0;
};

}  // namespace mmh
