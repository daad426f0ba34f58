#include "policy.hpp"

#include "validate.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace mmh::bos {
namespace {

constexpr const char* kPolicy = "policy";

void check_pair(const char* defensive, double d, const char* disabled, double x) {
  if (d > x)
    throw std::invalid_argument(std::string("policy.") + defensive + " (" + std::to_string(d) +
                                ") must not exceed policy." + disabled + " (" + std::to_string(x) +
                                ")");
}

}  // namespace

void PolicyParams::validate() const {
  check_range(kPolicy, "disabled_atr_pct", disabled_atr_pct, 0, 100);
  check_range(kPolicy, "defensive_atr_pct", defensive_atr_pct, 0, 100);
  check_pair("defensive_atr_pct", defensive_atr_pct, "disabled_atr_pct", disabled_atr_pct);
  check_range(kPolicy, "vol_window", vol_window, 2, 10000);
  check_range(kPolicy, "disabled_volatility_pct", disabled_volatility_pct, 0, 100);
  check_range(kPolicy, "defensive_volatility_pct", defensive_volatility_pct, 0, 100);
  check_pair("defensive_volatility_pct", defensive_volatility_pct, "disabled_volatility_pct",
             disabled_volatility_pct);
  check_range(kPolicy, "disabled_spread_bps", disabled_spread_bps, 0, 10000);
  check_range(kPolicy, "defensive_spread_bps", defensive_spread_bps, 0, 10000);
  check_pair("defensive_spread_bps", defensive_spread_bps, "disabled_spread_bps",
             disabled_spread_bps);
  check_range(kPolicy, "drawdown_window_bars", drawdown_window_bars, 1, 1e6);
  check_range(kPolicy, "disabled_drawdown_pct", disabled_drawdown_pct, 0, 100);
  check_range(kPolicy, "defensive_drawdown_pct", defensive_drawdown_pct, 0, 100);
  check_pair("defensive_drawdown_pct", defensive_drawdown_pct, "disabled_drawdown_pct",
             disabled_drawdown_pct);
  check_range(kPolicy, "defensive_inventory_share", defensive_inventory_share, 0, 1);
  check_range(kPolicy, "defensive_bos_age_bars", static_cast<double>(defensive_bos_age_bars), 1,
              1e7);
  check_range(kPolicy, "recovery_bars", recovery_bars, 0, 10000);
}

const char* to_string(PolicyLevel level) {
  switch (level) {
    case PolicyLevel::disabled:
      return "disabled";
    case PolicyLevel::defensive:
      return "defensive";
    case PolicyLevel::normal:
      return "normal";
  }
  return "?";
}

const char* to_string(PolicyCause cause) {
  switch (cause) {
    case PolicyCause::atr:
      return "atr";
    case PolicyCause::volatility:
      return "volatility";
    case PolicyCause::spread:
      return "spread";
    case PolicyCause::drawdown:
      return "drawdown";
    case PolicyCause::inventory:
      return "inventory";
    case PolicyCause::bos_age:
      return "bos_age";
    case PolicyCause::script:
      return "script";
    case PolicyCause::none:
      break;
  }
  return "none";
}

PolicyEvaluator::PolicyEvaluator(const PolicyParams& params) : params_(params) {
  params_.validate();
}

PolicyLevel PolicyEvaluator::raw_level(const PolicyInputs& in, PolicyCause& cause) const {
  const PolicyParams& p = params_;
  const bool spread_known = in.spread_bps >= 0;
  // Disabled first: the most severe finding wins, checked in a fixed order.
  if (in.atr_pct >= p.disabled_atr_pct) return cause = PolicyCause::atr, PolicyLevel::disabled;
  if (in.volatility_pct >= p.disabled_volatility_pct)
    return cause = PolicyCause::volatility, PolicyLevel::disabled;
  if (spread_known && in.spread_bps >= p.disabled_spread_bps)
    return cause = PolicyCause::spread, PolicyLevel::disabled;
  if (in.drawdown_pct >= p.disabled_drawdown_pct)
    return cause = PolicyCause::drawdown, PolicyLevel::disabled;
  if (in.atr_pct >= p.defensive_atr_pct) return cause = PolicyCause::atr, PolicyLevel::defensive;
  if (in.volatility_pct >= p.defensive_volatility_pct)
    return cause = PolicyCause::volatility, PolicyLevel::defensive;
  if (spread_known && in.spread_bps >= p.defensive_spread_bps)
    return cause = PolicyCause::spread, PolicyLevel::defensive;
  if (in.drawdown_pct >= p.defensive_drawdown_pct)
    return cause = PolicyCause::drawdown, PolicyLevel::defensive;
  if (in.inventory_share >= p.defensive_inventory_share)
    return cause = PolicyCause::inventory, PolicyLevel::defensive;
  if (in.bars_since_bos >= p.defensive_bos_age_bars)
    return cause = PolicyCause::bos_age, PolicyLevel::defensive;
  cause = PolicyCause::none;
  return PolicyLevel::normal;
}

PolicyDecision PolicyEvaluator::evaluate(const PolicyInputs& inputs) {
  PolicyCause cause = PolicyCause::none;
  const PolicyLevel raw = raw_level(inputs, cause);
  PolicyDecision d;
  d.previous = level_;
  // Lower enum value = more severe.
  if (raw < level_) {
    level_ = raw;
    cause_ = cause;
    calm_bars_ = 0;
    d.changed = true;
  } else if (raw > level_) {
    if (++calm_bars_ >= params_.recovery_bars) {
      level_ = raw;
      cause_ = cause;
      calm_bars_ = 0;
      d.changed = true;
    }
  } else {
    calm_bars_ = 0;
    cause_ = cause;
  }
  d.level = level_;
  d.cause = cause_;
  return d;
}

PolicyDecision PolicyEvaluator::override_level(const PolicyDecision& d, PolicyLevel level) {
  if (level == d.level) return d;
  level_ = level;
  cause_ = PolicyCause::script;
  calm_bars_ = 0;
  PolicyDecision out = d;
  out.level = level;
  out.cause = PolicyCause::script;
  out.changed = level != d.previous;
  return out;
}

RollingMax::RollingMax(int window) : ring_(static_cast<size_t>(window)), window_(window) {
  if (window < 1) throw std::invalid_argument("rolling window must be at least 1");
}

void RollingMax::add(double value) {
  const size_t cap = ring_.size();
  const int64_t index = next_++;
  // Drop the front when it left the window, then every tail value the new one dominates.
  if (size_ > 0 && ring_[head_].index <= index - window_) {
    head_ = (head_ + 1) % cap;
    --size_;
  }
  while (size_ > 0 && ring_[(head_ + size_ - 1) % cap].value <= value) --size_;
  ring_[(head_ + size_) % cap] = Item{index, value};
  ++size_;
}

double RollingMax::max() const {
  return size_ > 0 ? ring_[head_].value : 0.0;
}

RollingVolatility::RollingVolatility(int window)
    : returns_(static_cast<size_t>(window), 0.0), inv_n_(1.0 / window) {
  if (window < 2) throw std::invalid_argument("volatility window must be at least 2");
}

void RollingVolatility::add_close(int64_t close_e8) {
  if (previous_close_e8_ <= 0) {
    previous_close_e8_ = close_e8;
    return;
  }
  const double r =
      static_cast<double>(close_e8 - previous_close_e8_) / static_cast<double>(previous_close_e8_);
  previous_close_e8_ = close_e8;
  const size_t n = returns_.size();
  const size_t slot = slot_;  // count_ % n, without a division per bar
  slot_ = slot + 1 == n ? 0 : slot + 1;
  const double old = returns_[slot];
  returns_[slot] = r;
  ++count_;
  if (slot == n - 1) {
    sum_ = 0;
    sum_sq_ = 0;
    for (double x : returns_) {
      sum_ += x;
      sum_sq_ += x * x;
    }
  } else {
    sum_ += r - old;
    sum_sq_ += r * r - old * old;
  }
}

double RollingVolatility::pct() const {
  if (!ready()) return 0.0;
  // Multiplying by 1/n keeps two dependent divisions off the per-bar path.
  const double mean = sum_ * inv_n_;
  const double var = sum_sq_ * inv_n_ - mean * mean;
  return var > 0 ? std::sqrt(var) * 100.0 : 0.0;
}

}  // namespace mmh::bos
