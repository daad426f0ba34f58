// What a wall-clock run counts for its operators (Prometheus /metrics, the status line):
// latencies as histograms, rejects by reason, the age of the market data. Kept by the
// Execution on the engine thread; read there too.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace mmh {

// Seconds, in fixed buckets (Prometheus `le` bounds), with a sum and a count.
class LatencyHistogram {
 public:
  using Bounds = std::array<double, 14>;
  // A network round trip: half a millisecond to ten seconds.
  static constexpr Bounds kNetwork = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                      0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  // Work in this process: a microsecond to a tenth of a second.
  static constexpr Bounds kInProcess = {1e-6,   2.5e-6, 5e-6,  1e-5,   2.5e-5, 5e-5,  1e-4,
                                        2.5e-4, 5e-4,   0.001, 0.0025, 0.01,   0.025, 0.1};
  explicit LatencyHistogram(const Bounds& bounds = kNetwork) : bounds_(&bounds) {}
  const Bounds& bounds() const { return *bounds_; }
  void add(double seconds);
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  // Cumulative count of observations <= kBounds[i].
  uint64_t at_or_below(size_t i) const;
  // The bound under which share q (0..1) of the observations fall (an upper estimate, as
  // Prometheus' histogram_quantile gives); 0 without observations.
  double quantile(double q) const;

 private:
  const Bounds* bounds_;
  std::array<uint64_t, std::tuple_size_v<Bounds> + 1> buckets_{};  // the last: above every bound
  uint64_t count_ = 0;
  double sum_ = 0;
};

struct LiveStats {
  LatencyHistogram ack_latency;          // an order command sent -> the venue's first answer
  LatencyHistogram market_data_latency;  // the exchange's time of an update -> taken here
  // A connector's post of market data -> every consumer done with it (the core's decision, the
  // gate, order commands handed to the venue): this process's own reaction time.
  LatencyHistogram decision_latency{LatencyHistogram::kInProcess};
  std::map<std::string, uint64_t> rejects_by_reason;  // at most kMaxReasons, then "other"
  int64_t last_data_local_ns = 0;                     // when the last book/ticker came
  std::unordered_map<std::string, int64_t> sent_ns;   // client id -> when its command left

  static constexpr size_t kMaxReasons = 24;
  void rejected(std::string_view reason);
};

}  // namespace mmh
