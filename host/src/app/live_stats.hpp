// What a wall-clock run counts for its operators (Prometheus /metrics, the status line):
// latencies as histograms, rejects by reason, the age of the market data. Kept by the
// Execution on the engine thread; read there too.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mmh {

// Seconds, in fixed buckets (Prometheus `le` bounds), with a sum and a count.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
  void add(double seconds);
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  // Cumulative count of observations <= kBounds[i].
  uint64_t at_or_below(size_t i) const;
  // The bound under which share q (0..1) of the observations fall (an upper estimate, as
  // Prometheus' histogram_quantile gives); 0 without observations.
  double quantile(double q) const;

 private:
  std::array<uint64_t, kBounds.size() + 1> buckets_{};  // the last: above every bound
  uint64_t count_ = 0;
  double sum_ = 0;
};

struct LiveStats {
  LatencyHistogram ack_latency;          // an order command sent -> the venue's first answer
  LatencyHistogram market_data_latency;  // the exchange's time of an update -> taken here
  std::map<std::string, uint64_t> rejects_by_reason;  // at most kMaxReasons, then "other"
  int64_t last_data_local_ns = 0;                     // when the last book/ticker came
  std::unordered_map<std::string, int64_t> sent_ns;   // client id -> when its command left

  static constexpr size_t kMaxReasons = 24;
  void rejected(std::string_view reason);
};

}  // namespace mmh
