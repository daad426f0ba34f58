#include "risk/risk_gate.hpp"

#include "ledger/amount.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace mmh {
namespace {

constexpr int64_t kDayNs = 86'400'000'000'000;
constexpr int64_t kSecondNs = 1'000'000'000;

std::string percent(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f%%", v);
  return text;
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.15g", v);
  return text;
}

// price x quantity in quote units of 1e-8, saturating: a fat-finger size must not wrap.
int64_t notional_e8(int64_t price_e8, int64_t qty_lots, int64_t lot_e8) {
  const amount_e18 qty_e8 = static_cast<amount_e18>(qty_lots) * lot_e8;
  if (qty_e8 > INT64_MAX) return INT64_MAX;
  // The usual product fits 64 bits: a division by a constant there is a multiply, a 128-bit one
  // a library call (this runs for every order the core wants, every bar). The same quotient.
  int64_t product = 0;
  if (!__builtin_mul_overflow(price_e8, static_cast<int64_t>(qty_e8), &product))
    return product / 100'000'000;
  const amount_e18 v = static_cast<amount_e18>(price_e8) * qty_e8 / 100'000'000;
  return v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v);
}

// Tighter of two "0 = off" limits.
template <typename T>
T min_on(T a, T b) {
  if (a <= 0) return b;
  if (b <= 0) return a;
  return std::min(a, b);
}

}  // namespace

const std::vector<RiskLimitSpec>& risk_limit_specs() {
  static const std::vector<RiskLimitSpec> specs = {
      {"daily_loss_pct", 0, 100, true, false,
       "equity this far below the UTC day's start (or peak): halted until the next UTC day"},
      {"daily_loss_from_peak", 0, 1, false, true,
       "1: the daily loss is measured from the day's highest mark instead of its first"},
      {"max_drawdown_pct", 0, 100, true, false,
       "equity this far below the run's peak: halted until resume"},
      {"max_order_notional", 0, 1e10, true, false,
       "an order worth more (quote units) is dropped before it is sent"},
      {"price_band_bps", 1, 100000, false, true,
       "a limit price farther than this from the mid is dropped (fat finger)"},
      {"max_open_orders", 1, 500, false, true, "orders beyond this many at once are dropped"},
      {"places_per_s", 1, 20, false, true, "new orders per rolling second (Bybit spot: 20)"},
      {"amends_per_s", 1, 10, false, true, "amends per rolling second (Bybit spot: 10)"},
      {"stale_ms", 1, 3'600'000, false, true,
       "no book/ticker update for this long, or the exchange's time this far behind: quotes "
       "pulled until fresh"},
  };
  return specs;
}

std::string set_risk_limit(RiskLimits& limits, std::string_view name, double value) {
  const auto& specs = risk_limit_specs();
  const auto it = std::find_if(specs.begin(), specs.end(),
                               [&](const RiskLimitSpec& s) { return name == s.name; });
  if (it == specs.end()) {
    std::string known;
    for (const RiskLimitSpec& s : specs) known += std::string(known.empty() ? "" : ", ") + s.name;
    return "is not a risk limit (known: " + known + ")";
  }
  const bool above_low = it->low_open ? value > it->low : value >= it->low;
  if (!(above_low && value <= it->high) || (it->whole && value != std::floor(value)))
    return std::string("must be ") + (it->whole ? "a whole number " : "") + "in " +
           (it->low_open ? "(" : "[") + number(it->low) + ", " + number(it->high) + "], got " +
           number(value);
  const auto whole = static_cast<int64_t>(value);
  if (name == "daily_loss_pct") limits.daily_loss_pct = value;
  if (name == "daily_loss_from_peak") limits.daily_loss_from_peak = whole != 0;
  if (name == "max_drawdown_pct") limits.max_drawdown_pct = value;
  if (name == "max_order_notional")
    limits.max_order_notional_e8 = static_cast<int64_t>(std::llround(value * 1e8));
  if (name == "price_band_bps") limits.price_band_bps = whole;
  if (name == "max_open_orders") limits.max_open_orders = whole;
  if (name == "places_per_s") limits.places_per_s = whole;
  if (name == "amends_per_s") limits.amends_per_s = whole;
  if (name == "stale_ms") limits.stale_ms = whole;
  return {};
}

RiskLimits tighter(const RiskLimits& a, const RiskLimits& b) {
  RiskLimits t;
  t.daily_loss_pct = min_on(a.daily_loss_pct, b.daily_loss_pct);
  t.daily_loss_from_peak = a.daily_loss_from_peak || b.daily_loss_from_peak;
  t.max_drawdown_pct = min_on(a.max_drawdown_pct, b.max_drawdown_pct);
  t.max_order_notional_e8 = min_on(a.max_order_notional_e8, b.max_order_notional_e8);
  t.price_band_bps = min_on(a.price_band_bps, b.price_band_bps);
  t.max_open_orders = min_on(a.max_open_orders, b.max_open_orders);
  t.places_per_s = min_on(a.places_per_s, b.places_per_s);
  t.amends_per_s = min_on(a.amends_per_s, b.amends_per_s);
  t.stale_ms = min_on(a.stale_ms, b.stale_ms);
  // Not a limit: where reducing heads is the strategy's (the second's when both say).
  t.target_base_share = b.target_base_share != 0 ? b.target_base_share : a.target_base_share;
  return t;
}

const char* trading_state_name(TradingState state) {
  switch (state) {
    case TradingState::halted:
      return "halted";
    case TradingState::reducing:
      return "reducing";
    default:
      return "active";
  }
}

std::optional<TradingState> trading_state_from(std::string_view name) {
  for (TradingState s : {TradingState::active, TradingState::reducing, TradingState::halted})
    if (name == trading_state_name(s)) return s;
  return std::nullopt;
}

RiskGate::RateWindow::RateWindow(int64_t per_s)
    : ring_(static_cast<size_t>(std::max<int64_t>(per_s, 0))) {}

bool RiskGate::RateWindow::take(int64_t ts_ns) {
  if (ring_.empty()) return true;  // no budget
  if (used_ == ring_.size() && ts_ns - ring_[next_] < kSecondNs) return false;
  ring_[next_] = ts_ns;
  next_ = (next_ + 1) % ring_.size();
  used_ = std::min(used_ + 1, ring_.size());
  return true;
}

int64_t RiskGate::RateWindow::used_since(int64_t from_ns) const {
  int64_t n = 0;
  for (size_t i = 0; i < used_; ++i)
    if (ring_[i] > from_ns) ++n;
  return n;
}

RiskGate::RiskGate(RiskLimits limits)
    : limits_(limits), places_(limits.places_per_s), amends_(limits.amends_per_s) {}

bool RiskGate::on_mark(int64_t ts_ns, int64_t equity_e8, std::string& reason) {
  const TradingState before = state_;
  bool tripped = false;  // a trip is news even when a new day's resume and it meet in one mark
  last_equity_e8_ = equity_e8;
  const int64_t day = (ts_ns - 1) / kDayNs;  // a mark at 00:00 closes the previous day
  if (day != day_) {
    day_ = day;
    day_start_equity_e8_ = day_peak_equity_e8_ = equity_e8;
    if (state_ == TradingState::halted && !halted_until_resume_) {
      state_ = TradingState::active;
      reason = "a new UTC day";
    }
  }
  peak_equity_e8_ = std::max(peak_equity_e8_, equity_e8);
  day_peak_equity_e8_ = std::max(day_peak_equity_e8_, equity_e8);
  if (state_ != TradingState::halted && limits_.max_drawdown_pct > 0 && peak_equity_e8_ > 0) {
    const double dd = 100.0 * static_cast<double>(peak_equity_e8_ - equity_e8) /
                      static_cast<double>(peak_equity_e8_);
    if (dd >= limits_.max_drawdown_pct) {
      state_ = TradingState::halted;
      halted_until_resume_ = true;
      tripped = true;
      ++stats_.trips["max_drawdown"];
      reason = "max_drawdown " + percent(dd) + " from the equity peak (limit " +
               percent(limits_.max_drawdown_pct) + "); halted until resume";
    }
  }
  const int64_t day_base =
      limits_.daily_loss_from_peak ? day_peak_equity_e8_ : day_start_equity_e8_;
  if (state_ != TradingState::halted && limits_.daily_loss_pct > 0 && day_base > 0) {
    const double loss =
        100.0 * static_cast<double>(day_base - equity_e8) / static_cast<double>(day_base);
    if (loss >= limits_.daily_loss_pct) {
      state_ = TradingState::halted;
      tripped = true;
      ++stats_.trips["daily_loss"];
      reason = "daily_loss " + percent(loss) + " since the UTC day's " +
               (limits_.daily_loss_from_peak ? "peak" : "start") + " (limit " +
               percent(limits_.daily_loss_pct) + "); halted until the next UTC day";
    }
  }
  if (state_ == TradingState::halted) ++stats_.bars_halted;
  if (state_ == TradingState::reducing) ++stats_.bars_reducing;
  if (stale_) ++stats_.bars_stale;
  if (state_ != before) ++stats_.state_changes;
  return state_ != before || tripped;
}

bool RiskGate::halt(const std::string& reason) {
  if (state_ == TradingState::halted && halted_until_resume_) return false;
  if (state_ != TradingState::halted) ++stats_.state_changes;
  state_ = TradingState::halted;
  halted_until_resume_ = true;
  ++stats_.trips[reason];
  return true;
}

bool RiskGate::reduce(const std::string& reason) {
  if (state_ == TradingState::reducing) return false;
  state_ = TradingState::reducing;
  halted_until_resume_ = false;
  ++stats_.state_changes;
  ++stats_.trips[reason];
  return true;
}

bool RiskGate::resume() {
  if (state_ == TradingState::active) return false;
  state_ = TradingState::active;
  halted_until_resume_ = false;
  ++stats_.state_changes;
  day_start_equity_e8_ = day_peak_equity_e8_ = peak_equity_e8_ = last_equity_e8_;
  return true;
}

bool RiskGate::on_data(int64_t exchange_ns, int64_t local_ns, bool crossed) {
  last_data_local_ns_ = local_ns;
  if (limits_.stale_ms <= 0) return false;
  const int64_t lag_ns = local_ns - exchange_ns;
  std::string why;
  if (crossed)
    why = "crossed book (bid >= ask)";
  else if (lag_ns > limits_.stale_ms * 1'000'000)
    why = "exchange time " + std::to_string(lag_ns / 1'000'000) + " ms behind (stale_ms " +
          std::to_string(limits_.stale_ms) + ")";
  const bool stale = !why.empty();
  if (stale == stale_) return false;
  stale_ = stale;
  stale_reason_ = stale ? why : "fresh market data";
  if (stale) ++stats_.stale_pulls;
  return true;
}

bool RiskGate::check_data_age(int64_t now_ns) {
  if (limits_.stale_ms <= 0 || stale_ || last_data_local_ns_ == INT64_MIN) return false;
  const int64_t age_ns = now_ns - last_data_local_ns_;
  if (age_ns <= limits_.stale_ms * 1'000'000) return false;
  stale_ = true;
  stale_reason_ = "no book or ticker update for " + std::to_string(age_ns / 1'000'000) +
                  " ms (stale_ms " + std::to_string(limits_.stale_ms) + ")";
  ++stats_.stale_pulls;
  return true;
}

bool RiskGate::veto(const char* reason) {
  ++stats_.vetoes[reason];
  return true;
}

bool RiskGate::admit(uint32_t action, int64_t ts_ns) {
  switch (action) {
    case MMH_ORDER_ACTION_PLACE:
      return places_.take(ts_ns) || !veto("places_per_s");
    case MMH_ORDER_ACTION_AMEND:
      return amends_.take(ts_ns) || !veto("amends_per_s");
    default:
      return true;  // a cancel always leaves
  }
}

// Reducing: only the side that moves the base held toward the target share, and no more of it
// than the distance to the target.
void RiskGate::keep_reducing(std::vector<mmh_desired_order>& desired, const GateInputs& in) {
  const amount_e18 base_value = static_cast<amount_e18>(in.base_e8) * in.mid_e8 / 100'000'000;
  const amount_e18 equity = base_value + in.quote_e8;
  const auto target_value = static_cast<amount_e18>(
      static_cast<double>(equity) * std::clamp(limits_.target_base_share, 0.0, 1.0));
  const uint32_t side = base_value > target_value ? MMH_SIDE_SELL : MMH_SIDE_BUY;
  const amount_e18 gap_value =
      base_value > target_value ? base_value - target_value : target_value - base_value;
  // The room left, in lots of base at the mid.
  int64_t room_lots = in.mid_e8 > 0 && in.lot_e8 > 0
                          ? static_cast<int64_t>(gap_value * 100'000'000 / in.mid_e8 / in.lot_e8)
                          : 0;
  auto vetoed = [&](const mmh_desired_order& o) {
    if (o.side != side || o.qty_lots > room_lots) return veto("reducing");
    room_lots -= o.qty_lots;
    return false;
  };
  desired.erase(std::remove_if(desired.begin(), desired.end(), vetoed), desired.end());
}

void RiskGate::filter(std::vector<mmh_desired_order>& desired, const GateInputs& in) {
  if (state_ == TradingState::halted || stale_) {
    desired.clear();
    return;
  }
  if (desired.empty()) return;  // most bars of a strategy out of the market
  if (state_ == TradingState::reducing) keep_reducing(desired, in);
  int64_t quote_left_e8 = in.quote_e8;
  int64_t base_left_lots = in.lot_e8 > 0 ? in.base_e8 / in.lot_e8 : 0;
  // The limits in locals: this runs for every order the core wants, every bar, and a veto's
  // counter (a call) is the only store that could change them.
  const int64_t max_notional_e8 = limits_.max_order_notional_e8;
  const int64_t band_bps = limits_.price_band_bps;
  const int64_t max_open = limits_.max_open_orders;
  int64_t open = 0;
  size_t kept = 0;
  for (const mmh_desired_order& o : desired) {
    const int64_t price_e8 =
        o.order_type == MMH_ORDER_TYPE_MARKET ? in.mid_e8 : o.price_ticks * in.tick_e8;
    const int64_t value_e8 = notional_e8(price_e8, o.qty_lots, in.lot_e8);
    if (max_notional_e8 > 0 && value_e8 > max_notional_e8) {
      veto("max_order_notional");
      continue;
    }
    if (band_bps > 0 && o.order_type != MMH_ORDER_TYPE_MARKET && in.mid_e8 > 0) {
      const amount_e18 off = static_cast<amount_e18>(price_e8 > in.mid_e8 ? price_e8 - in.mid_e8
                                                                          : in.mid_e8 - price_e8) *
                             10'000;
      if (off > static_cast<amount_e18>(band_bps) * in.mid_e8) {
        veto("price_band");
        continue;
      }
    }
    if (max_open > 0 && open >= max_open) {
      veto("max_open_orders");
      continue;
    }
    // Spot: no borrowing. Buys (fees in base) spend quote, sells spend base.
    if (o.side == MMH_SIDE_BUY) {
      if (value_e8 > quote_left_e8) {
        veto("free_balance");
        continue;
      }
      quote_left_e8 -= value_e8;
    } else {
      if (o.qty_lots > base_left_lots) {
        veto("free_balance");
        continue;
      }
      base_left_lots -= o.qty_lots;
    }
    ++open;
    desired[kept++] = o;  // in place and in order, as remove_if kept them
  }
  desired.resize(kept);
}

std::string RiskGate::saved_state(int64_t ts_ns, const std::string& reason) const {
  nlohmann::ordered_json j = {
      {"format", 1},
      {"state", trading_state_name(state_)},
      {"until",
       state_ == TradingState::halted && !halted_until_resume_ ? "next_utc_day" : "resume"},
      {"day", day_},
      {"ts_ns", ts_ns},
      {"reason", reason},
  };
  return j.dump(2) + "\n";
}

void RiskGate::restore(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("format", 0) != 1 || !j.contains("state") ||
      !j["state"].is_string() || !j.contains("until") || !j["until"].is_string() ||
      !j.contains("day") || !j["day"].is_number_integer())
    throw std::runtime_error(
        "not a risk state of format 1 (a JSON object with format, state, until, day)");
  const std::optional<TradingState> state = trading_state_from(j["state"].get<std::string>());
  const std::string until = j["until"].get<std::string>();
  if (!state || (until != "resume" && until != "next_utc_day"))
    throw std::runtime_error("unknown state '" + j["state"].get<std::string>() + "' or until '" +
                             until + "'");
  if (*state != state_) ++stats_.state_changes;
  state_ = *state;
  halted_until_resume_ = state_ == TradingState::halted && until == "resume";
  // A daily-loss halt holds for the rest of its day: the first mark of a later day lifts it.
  if (state_ == TradingState::halted && !halted_until_resume_) day_ = j["day"].get<int64_t>();
}

}  // namespace mmh
