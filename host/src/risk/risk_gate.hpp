// The RiskGate: between the core's desired orders and the order manager, identical in every
// mode. It holds the run's trading state and checks every order the core wants before the
// order manager may send it:
//   active  -> orders pass the pre-trade checks below;
//   halted  -> nothing new: the core's desired set is emptied, so the order manager cancels
//              every working order (cancels always pass).
// Trips (each an event with its reason): the daily loss limit (equity down `daily_loss_pct`
// from the UTC day's start) halts until the next UTC day; the maximum drawdown (from the run's
// equity peak) halts for good. Pre-trade checks drop single orders with a named reason: larger
// than `max_order_notional`, or priced more than `price_band_bps` from the mid (fat finger).
// Every limit is off at 0; the strategy's `risk` group sets them (docs/strategy-api.md). The
// kill switch (SIGUSR1 to a paper or live run) halts for good.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mmh {

struct RiskLimits {
  double daily_loss_pct = 0;          // halt for the rest of the UTC day past this loss
  double max_drawdown_pct = 0;        // halt for good past this drawdown from the equity peak
  int64_t max_order_notional_e8 = 0;  // largest price x quantity of one order, quote units
  int64_t price_band_bps = 0;         // farthest a limit price may be from the mid
  bool any() const {
    return daily_loss_pct > 0 || max_drawdown_pct > 0 || max_order_notional_e8 > 0 ||
           price_band_bps > 0;
  }
};

enum class TradingState { active, halted };
const char* trading_state_name(TradingState state);

struct RiskStats {
  std::map<std::string, uint64_t> trips;   // by reason: daily_loss, max_drawdown
  std::map<std::string, uint64_t> vetoes;  // orders dropped, by reason
  uint64_t bars_halted = 0;
};

class RiskGate {
 public:
  explicit RiskGate(RiskLimits limits = {}) : limits_(limits) {}

  // The mark at a bar's close: the equity the limits are measured on. Returns true when the
  // state changed or a limit tripped; `reason` then says why ("daily_loss 2.00% since ...").
  bool on_mark(int64_t ts_ns, int64_t equity_e8, std::string& reason);
  // The kill switch: halted for the rest of the run, whatever the limits (counted as a trip
  // of `reason`, e.g. "SIGUSR1"). Returns false when it was halted for good already.
  bool halt(const std::string& reason);
  // Removes from `desired` what may not be sent now (all of it while halted).
  void filter(std::vector<mmh_desired_order>& desired, int64_t mid_e8, int64_t tick_e8,
              int64_t lot_e8);

  TradingState state() const { return state_; }
  const RiskStats& stats() const { return stats_; }
  const RiskLimits& limits() const { return limits_; }

 private:
  RiskLimits limits_;
  TradingState state_ = TradingState::active;
  bool halted_for_good_ = false;
  int64_t day_ = INT64_MIN;  // UTC day of the last mark
  int64_t day_start_equity_e8_ = 0;
  int64_t peak_equity_e8_ = 0;
  RiskStats stats_;
};

}  // namespace mmh
