// Builds higher-timeframe candles from lower ones (1m -> 3m/5m/15m/1h/4h/1d). Buckets are aligned
// to multiples of the target interval since the Unix epoch (so 1d bars start 00:00 UTC). Volume
// sums and extremes are exact (fixed-point integers). A bar is emitted as soon as its last source
// bar arrives, or when a later bucket starts; a bar built from fewer source bars than its interval
// holds (a gap, or the end of the data) carries MMH_CANDLE_PARTIAL.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <functional>
#include <stdexcept>

namespace mmh {

class Resampler {
 public:
  using EmitFn = std::function<void(const mmh_candle& bar)>;

  // Throws std::invalid_argument for a non-positive target; add() throws for bars that do not
  // divide it.
  Resampler(int64_t target_interval_ns, EmitFn emit);

  // Input bars must arrive in time order with an interval that divides the target.
  void add(const mmh_candle& bar);
  // Emits the bar in progress, if any (marked partial when incomplete). Call at end of stream.
  void flush();

  int64_t target_interval_ns() const { return target_ns_; }
  uint64_t emitted() const { return emitted_; }
  uint64_t emitted_partial() const { return emitted_partial_; }

 private:
  void emit_current();

  int64_t target_ns_;
  EmitFn emit_;
  mmh_candle current_{};
  int64_t bucket_start_ns_ = 0;
  int64_t checked_interval_ns_ = 0;  // a source interval known to divide the target (0: none)
  int64_t source_interval_ns_ = 0;
  int64_t parts_ = 0;
  bool open_ = false;
  uint64_t emitted_ = 0;
  uint64_t emitted_partial_ = 0;
};

}  // namespace mmh
