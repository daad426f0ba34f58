#include "engine/resampler.hpp"

#include <algorithm>
#include <string>

namespace mmh {

Resampler::Resampler(int64_t target_interval_ns, EmitFn emit)
    : target_ns_(target_interval_ns), emit_(std::move(emit)) {
  if (target_ns_ <= 0) throw std::invalid_argument("resampler: target interval must be positive");
}

void Resampler::add(const mmh_candle& bar) {
  // Two divisions a bar are most of this function: the interval's check is made once per
  // interval seen, and a bar inside the open bucket needs no bucket arithmetic.
  if (bar.interval_ns <= 0 || bar.interval_ns != checked_interval_ns_) {
    if (bar.interval_ns <= 0 || target_ns_ % bar.interval_ns != 0)
      throw std::invalid_argument("resampler: a " + std::to_string(bar.interval_ns) +
                                  " ns bar does not divide the " + std::to_string(target_ns_) +
                                  " ns target interval");
    checked_interval_ns_ = bar.interval_ns;
  }
  int64_t bucket = bucket_start_ns_;
  // (Unsigned: a bar before the bucket wraps to a large distance; no signed overflow.)
  if (!open_ || static_cast<uint64_t>(bar.open_ts_ns) - static_cast<uint64_t>(bucket_start_ns_) >=
                    static_cast<uint64_t>(target_ns_)) {
    // Floor division so pre-1970 timestamps would still bucket correctly.
    bucket = bar.open_ts_ns - bar.open_ts_ns % target_ns_;
    if (bar.open_ts_ns % target_ns_ < 0) bucket -= target_ns_;
  }
  if (open_ && bucket != bucket_start_ns_) emit_current();
  if (!open_) {
    open_ = true;
    bucket_start_ns_ = bucket;
    source_interval_ns_ = bar.interval_ns;
    parts_ = 0;
    current_ = bar;
    current_.open_ts_ns = bucket;
    current_.interval_ns = target_ns_;
    current_.flags = 0;
  } else {
    current_.high_e8 = std::max(current_.high_e8, bar.high_e8);
    current_.low_e8 = std::min(current_.low_e8, bar.low_e8);
    current_.close_e8 = bar.close_e8;
    current_.volume_e8 += bar.volume_e8;
  }
  current_.flags |= bar.flags & MMH_CANDLE_PARTIAL;
  ++parts_;
  // The bucket's last source bar closes it now; waiting for the next bar would delay decisions.
  if (bar.open_ts_ns + bar.interval_ns == bucket_start_ns_ + target_ns_) emit_current();
}

void Resampler::flush() {
  if (open_) emit_current();
}

void Resampler::emit_current() {
  if (parts_ * source_interval_ns_ < target_ns_) current_.flags |= MMH_CANDLE_PARTIAL;
  open_ = false;
  ++emitted_;
  if (current_.flags & MMH_CANDLE_PARTIAL) ++emitted_partial_;
  emit_(current_);
}

}  // namespace mmh
