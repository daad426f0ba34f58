#include "app/live_stats.hpp"

#include <algorithm>

namespace mmh {

void LatencyHistogram::add(double seconds) {
  const auto it = std::lower_bound(bounds_->begin(), bounds_->end(), seconds);
  ++buckets_[static_cast<size_t>(it - bounds_->begin())];
  ++count_;
  sum_ += seconds;
}

uint64_t LatencyHistogram::at_or_below(size_t i) const {
  uint64_t n = 0;
  for (size_t b = 0; b <= i && b < buckets_.size(); ++b) n += buckets_[b];
  return n;
}

double LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  const double target = q * static_cast<double>(count_);
  uint64_t n = 0;
  for (size_t b = 0; b < bounds_->size(); ++b) {
    n += buckets_[b];
    if (static_cast<double>(n) >= target) return (*bounds_)[b];
  }
  return bounds_->back();  // beyond the last bound: at least it
}

void LiveStats::rejected(std::string_view reason) {
  // Reasons are the venue's words: bounded, so a chatty venue cannot grow the label set.
  std::string key(reason.substr(0, 60));
  if (key.empty()) key = "unknown";
  if (rejects_by_reason.count(key) == 0 && rejects_by_reason.size() >= kMaxReasons) key = "other";
  ++rejects_by_reason[key];
}

}  // namespace mmh
