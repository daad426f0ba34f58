// Wilder's Average True Range on closed bars. The first value is the mean of the first `period`
// true ranges (the very first bar's TR is high - low); then ATR = (ATR * (n - 1) + TR) / n.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <stdexcept>

namespace mmh::bos {

class WilderAtr {
 public:
  static constexpr int kMinPeriod = 1;
  static constexpr int kMaxPeriod = 1000;

  explicit WilderAtr(int period) : period_(period) {
    if (period < kMinPeriod || period > kMaxPeriod)
      throw std::invalid_argument("atr period must be in [1, 1000], got " + std::to_string(period));
  }

  // Feed one closed bar (prices in 1e-8 units).
  void add(const mmh_candle& bar) {
    const double high = static_cast<double>(bar.high_e8);
    const double low = static_cast<double>(bar.low_e8);
    double tr = high - low;
    if (count_ > 0) {
      const double up = high - previous_close_;
      const double down = previous_close_ - low;
      if (up > tr) tr = up;
      if (down > tr) tr = down;
    }
    previous_close_ = static_cast<double>(bar.close_e8);
    ++count_;
    if (count_ <= period_) {
      sum_ += tr;
      if (count_ == period_) value_e8_ = sum_ / period_;
    } else {
      value_e8_ = (value_e8_ * (period_ - 1) + tr) / period_;
    }
  }

  bool ready() const { return count_ >= period_; }
  // ATR in 1e-8 price units; 0 until ready().
  double value_e8() const { return ready() ? value_e8_ : 0.0; }
  int period() const { return period_; }
  int64_t bars_seen() const { return count_; }

 private:
  int period_;
  int64_t count_ = 0;
  double previous_close_ = 0.0;
  double sum_ = 0.0;
  double value_e8_ = 0.0;
};

}  // namespace mmh::bos
