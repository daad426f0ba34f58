// The RiskGate: between the core's desired orders and the order manager, identical in every
// mode. It holds the run's trading state and checks every order the core wants before the
// order manager may send it:
//   active   -> orders pass the pre-trade checks below;
//   reducing -> only orders that move the inventory toward `target_base_share` (spot, mostly
//               quote: by default toward holding no base), no further than the target;
//   halted   -> nothing new: the core's desired set is emptied, so the order manager cancels
//               every working order (cancels always pass).
// Trips (each an event with its reason): the daily loss limit (equity down `daily_loss_pct`
// from the UTC day's start, or from the day's peak) halts until the next UTC day or `resume`;
// the maximum drawdown (from the run's equity peak) halts until `resume`; an operator's
// `halt` (control socket, SIGUSR1) too. Pre-trade checks drop single orders with a named
// reason: free balance (spot: buys within the quote held, sells within the base held), more
// than `max_open_orders`, larger than `max_order_notional`, priced more than `price_band_bps`
// from the mid (fat finger), and over the order-rate budgets per action per rolling second
// (admit(), asked by the order manager for each command; cancels always pass). Stale market
// data (no book/ticker update for `stale_ms`, exchange time lagging by more, a crossed book)
// pulls every quote until the data is fresh again.
// Limits come from the host (defaults, `--risk NAME=VALUE`) and the strategy's `risk` group;
// the tighter of the two holds, so a script can only tighten (docs/strategy-api.md).
#pragma once

#include "orders/order_manager.hpp"

#include <mmhost/plugin.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmh {

struct RiskLimits {
  double daily_loss_pct = 0;          // halt for the rest of the UTC day past this loss
  bool daily_loss_from_peak = false;  // the day's loss is measured from its peak, not its start
  double max_drawdown_pct = 0;        // halt past this drawdown from the equity peak
  int64_t max_order_notional_e8 = 0;  // largest price x quantity of one order, quote units
  int64_t price_band_bps = 0;         // farthest a limit price may be from the mid
  // Defaults: 80% of Bybit spot's per-account limits (500 open orders; create 20/s, amend 10/s
  // per UID, ../shared/bybit/PROTOCOL.md section 7), so a run never meets the exchange's own.
  int64_t max_open_orders = 400;
  int64_t places_per_s = 16;
  int64_t amends_per_s = 8;
  int64_t stale_ms = 0;          // market data older than this pulls the quotes (0 = off)
  double target_base_share = 0;  // where `reducing` heads (the strategy's capital table)
  // Every limit off (the budgets too): what a strategy that sets none asks for.
  static RiskLimits none() {
    RiskLimits l;
    l.max_open_orders = l.places_per_s = l.amends_per_s = 0;
    return l;
  }
};

// One limit a strategy's `risk` group or `--risk NAME=VALUE` may set: its name, its range and
// whether it is a whole number. Percentages are in (0, 100], "off" (0) is never a setting.
struct RiskLimitSpec {
  const char* name;
  double low;  // exclusive when `low_open`
  double high;
  bool low_open;
  bool whole;
  const char* meaning;
};
const std::vector<RiskLimitSpec>& risk_limit_specs();
// Sets limit `name` of `limits` to `value`; returns the error ("must be in (0, 100], got 140"),
// or an empty string.
std::string set_risk_limit(RiskLimits& limits, std::string_view name, double value);
// Each limit at the tighter of the two (a limit that is off takes the other's value).
RiskLimits tighter(const RiskLimits& a, const RiskLimits& b);

enum class TradingState { active, reducing, halted };
const char* trading_state_name(TradingState state);
std::optional<TradingState> trading_state_from(std::string_view name);

struct RiskStats {
  std::map<std::string, uint64_t> trips;   // by reason: daily_loss, max_drawdown, halt, ...
  std::map<std::string, uint64_t> vetoes;  // orders dropped, by reason
  uint64_t bars_halted = 0;
  uint64_t bars_reducing = 0;
  uint64_t bars_stale = 0;  // bars that closed while the market data was stale
  uint64_t stale_pulls = 0;
  uint64_t state_changes = 0;  // active/reducing/halted, by a limit, an operator or a restore
};

// What the pre-trade checks weigh an order against: the mid, the instrument's steps and the
// wallet (totals: the desired set replaces the working orders, whose funds it frees).
struct GateInputs {
  int64_t mid_e8 = 0;
  int64_t tick_e8 = 1;
  int64_t lot_e8 = 1;
  int64_t base_e8 = 0;
  int64_t quote_e8 = 0;
};

struct OrderRateUse {
  int64_t places = 0;
  int64_t amends = 0;
};

class RiskGate final : public OrderBudget {
 public:
  static constexpr int64_t kRateWindowNs = 1'000'000'000;
  explicit RiskGate(RiskLimits limits = {});

  // The mark at a bar's close: the equity the limits are measured on. Returns true when the
  // state changed or a limit tripped; `reason` then says why ("daily_loss 2.00% since ...").
  bool on_mark(int64_t ts_ns, int64_t equity_e8, std::string& reason);
  // Operator commands (control socket, SIGUSR1), counted as trips of `reason` for halt and
  // reduce. Each returns false when the gate was in that state already. `resume` clears every
  // halt and restarts the loss limits from the last mark (the day's start and the peak become
  // the current equity), so a resumed run is not halted again by the loss it was halted for.
  bool halt(const std::string& reason);
  bool reduce(const std::string& reason);
  bool resume();

  // Market data seen at `local_ns` (the run's clock), stamped `exchange_ns` by the exchange;
  // `crossed` when its top of book has bid >= ask. Returns true when the data turned from
  // stale to fresh or back (then the caller syncs: quotes pulled or restored).
  bool on_data(int64_t exchange_ns, int64_t local_ns, bool crossed);
  // No data for `stale_ms` up to `now_ns`: stale (a timer asks between updates). Returns true
  // when that changed the data's state.
  bool check_data_age(int64_t now_ns);
  bool data_stale() const { return stale_; }
  const std::string& stale_reason() const { return stale_reason_; }

  // Removes from `desired` what may not be sent now (all of it while halted or stale).
  void filter(std::vector<mmh_desired_order>& desired, const GateInputs& in);
  // The order-rate budgets: may a command of `action` leave at `ts_ns`? Cancels always may.
  bool admit(uint32_t action, int64_t ts_ns) override;

  // The state a run directory keeps across a restart (JSON), and its restore: a halt stays
  // until `resume` (a daily-loss halt until the next UTC day), `reducing` stays.
  std::string saved_state(int64_t ts_ns, const std::string& reason) const;
  // Throws std::runtime_error naming what is wrong with `json`.
  void restore(std::string_view json);

  TradingState state() const { return state_; }
  // The equity the day's loss is measured from (the UTC day's first mark).
  int64_t day_start_equity_e8() const { return day_start_equity_e8_; }
  // Commands of each budgeted action taken in the second before `now_ns`.
  OrderRateUse rate_use(int64_t now_ns) const {
    return {places_.used_since(now_ns - kRateWindowNs), amends_.used_since(now_ns - kRateWindowNs)};
  }
  const RiskStats& stats() const { return stats_; }
  const RiskLimits& limits() const { return limits_; }

 private:
  // At most `per_s` takes in any rolling second: a ring of the last `per_s` take times.
  class RateWindow {
   public:
    explicit RateWindow(int64_t per_s);
    bool take(int64_t ts_ns);
    int64_t used_since(int64_t from_ns) const;

   private:
    std::vector<int64_t> ring_;
    size_t next_ = 0;
    size_t used_ = 0;
  };

  bool veto(const char* reason);
  void keep_reducing(std::vector<mmh_desired_order>& desired, const GateInputs& in);

  RiskLimits limits_;
  TradingState state_ = TradingState::active;
  bool halted_until_resume_ = false;  // drawdown or operator: a new day does not lift it
  int64_t day_ = INT64_MIN;           // UTC day of the last mark
  int64_t day_start_equity_e8_ = 0;
  int64_t day_peak_equity_e8_ = 0;
  int64_t peak_equity_e8_ = 0;
  int64_t last_equity_e8_ = 0;
  int64_t last_data_local_ns_ = INT64_MIN;
  bool stale_ = false;
  std::string stale_reason_;
  RateWindow places_;
  RateWindow amends_;
  RiskStats stats_;
};

}  // namespace mmh
