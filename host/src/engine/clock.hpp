// The engine's time source: simulated (advanced by replayed events) or the wall clock (live).
// Decision code only ever asks a Clock, so it cannot tell a backtest from a live run.
#pragma once

#include <chrono>
#include <cstdint>

namespace mmh {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ns() const = 0;
};

// Moves only forward, and only when the engine advances it.
class SimulatedClock final : public Clock {
 public:
  int64_t now_ns() const override { return now_ns_; }
  void advance_to(int64_t ts_ns) {
    if (ts_ns > now_ns_) now_ns_ = ts_ns;
  }

 private:
  int64_t now_ns_ = 0;
};

class WallClock final : public Clock {
 public:
  int64_t now_ns() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace mmh
