// The trading policy, re-evaluated on every closed HTF bar from measurable inputs: Disabled (no
// new orders, leave), Defensive (a smaller, wider grid) or Normal. Thresholds are parameters;
// stepping down to a milder level needs `recovery_bars` calm bars in a row so the policy does
// not flap. docs/strategy-model.md lists each input and its unit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmh::bos {

enum class PolicyLevel { disabled = 1, defensive = 2, normal = 3 };
// The input that set the level (the first one past its threshold, in the order below).
enum class PolicyCause { none = 0, atr, volatility, spread, drawdown, inventory, bos_age, script };
const char* to_string(PolicyLevel level);
const char* to_string(PolicyCause cause);

struct PolicyInputs {
  double atr_pct = 0;           // ATR / close * 100
  double volatility_pct = 0;    // stdev of HTF close-to-close returns * 100 over vol_window
  double spread_bps = -1;       // (ask - bid) / mid * 1e4; negative when unknown
  double drawdown_pct = 0;      // (peak - equity) / peak * 100, peak over drawdown_window_bars
  double inventory_share = 0;   // base value / equity, 0..1
  int64_t bars_since_bos = -1;  // HTF bars since the last confirmed bullish BOS; -1 none
};

struct PolicyParams {
  double disabled_atr_pct = 1.2;  // [0, 100]
  double defensive_atr_pct = 0.6;
  int vol_window = 48;  // HTF bars of returns for volatility_pct; [2, 10000]
  double disabled_volatility_pct = 1.0;
  double defensive_volatility_pct = 0.45;
  double disabled_spread_bps = 50;  // [0, 10000]
  double defensive_spread_bps = 10;
  int drawdown_window_bars = 2016;   // HTF bars the equity peak is taken over (7d of 5m); [1, 1e6]
  double disabled_drawdown_pct = 8;  // [0, 100]
  double defensive_drawdown_pct = 3;
  double defensive_inventory_share = 0.6;  // [0, 1]
  int64_t defensive_bos_age_bars = 576;    // 2 days of 5m bars; [1, 1e7]
  int recovery_bars = 6;                   // [0, 10000]

  void validate() const;  // also checks defensive <= disabled for each pair
};

struct PolicyDecision {
  PolicyLevel level = PolicyLevel::normal;
  PolicyCause cause = PolicyCause::none;
  bool changed = false;
  PolicyLevel previous = PolicyLevel::normal;
};

class PolicyEvaluator {
 public:
  explicit PolicyEvaluator(const PolicyParams& params);
  PolicyDecision evaluate(const PolicyInputs& inputs);
  // New thresholds from the next evaluation on; the current level stays until then.
  void set_params(const PolicyParams& params) {
    params.validate();
    params_ = params;
  }
  // A strategy script's answer replaces this bar's decision `d` (the thresholds' suggestion):
  // the level is the script's, its cause `script`, and hysteresis restarts from it.
  PolicyDecision override_level(const PolicyDecision& d, PolicyLevel level);
  PolicyLevel level() const { return level_; }
  PolicyCause cause() const { return cause_; }
  // The level the thresholds alone give (no hysteresis).
  PolicyLevel raw_level(const PolicyInputs& inputs, PolicyCause& cause) const;

 private:
  PolicyParams params_;
  PolicyLevel level_ = PolicyLevel::normal;
  PolicyCause cause_ = PolicyCause::none;
  int calm_bars_ = 0;
};

// Maximum over a sliding window of the last `window` values (a monotonic queue on a fixed ring:
// O(1) amortised, no allocation after construction).
class RollingMax {
 public:
  explicit RollingMax(int window);
  void add(double value);
  double max() const;  // 0 before the first value

 private:
  struct Item {
    int64_t index;
    double value;
  };
  std::vector<Item> ring_;  // the queue; capacity window
  size_t head_ = 0;
  size_t size_ = 0;
  int64_t next_ = 0;
  int64_t window_;
};

// Standard deviation of close-to-close returns over a sliding window of closes. The sums are
// rebuilt from the window at every wrap so rounding cannot accumulate over a long run.
class RollingVolatility {
 public:
  explicit RollingVolatility(int window);
  void add_close(int64_t close_e8);
  bool ready() const { return count_ >= static_cast<int64_t>(returns_.size()); }
  double pct() const;  // 0 until ready

 private:
  std::vector<double> returns_;
  double inv_n_;
  int64_t count_ = 0;
  size_t slot_ = 0;  // where the next return goes
  int64_t previous_close_e8_ = 0;
  double sum_ = 0;
  double sum_sq_ = 0;
};

}  // namespace mmh::bos
