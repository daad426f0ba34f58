// Delays between the host deciding and the venue acting: order entry, amend, cancel, and the age
// of the market data the decision was made on. Each delay is constant or drawn from a seeded
// distribution; the same seed gives the same draws on every run and machine (own generator and
// transforms, not std::*_distribution, whose output the standard leaves to the library).
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace mmh::sim {

enum class LatencyKind { constant = 1, uniform = 2, normal = 3, lognormal = 4 };

// constant: a; uniform: [a, b); normal: mean a, sd b, truncated at 0; lognormal: median a,
// sigma b (of the log). All in milliseconds.
struct LatencySpec {
  LatencyKind kind = LatencyKind::constant;
  double a_ms = 0.0;
  double b_ms = 0.0;
  // "25", "uniform:10:40", "normal:25:5", "lognormal:20:0.5"; throws std::invalid_argument.
  static LatencySpec parse(const std::string& text);
  std::string describe() const;
};

struct LatencyConfig {
  LatencySpec entry;
  LatencySpec amend;
  LatencySpec cancel;
  LatencySpec market_data;
  uint64_t seed = 1;
};

class LatencyModel {
 public:
  explicit LatencyModel(const LatencyConfig& config);

  int64_t entry_ns() { return delay_ns(0, config_.entry); }
  int64_t amend_ns() { return delay_ns(1, config_.amend); }
  int64_t cancel_ns() { return delay_ns(2, config_.cancel); }
  int64_t market_data_ns() { return delay_ns(3, config_.market_data); }
  const LatencyConfig& config() const { return config_; }
  std::string describe() const;

 private:
  // A constant delay is the same draw every time (two per command): taken once, here.
  int64_t delay_ns(int which, const LatencySpec& spec) {
    return constant_ns_[which] >= 0 ? constant_ns_[which] : draw(spec);
  }
  int64_t draw(const LatencySpec& spec);
  double uniform01();  // [0, 1) from 53 random bits

  LatencyConfig config_;
  std::mt19937_64 rng_;
  int64_t constant_ns_[4] = {-1, -1, -1, -1};  // entry, amend, cancel, market data; -1: drawn
};

}  // namespace mmh::sim
