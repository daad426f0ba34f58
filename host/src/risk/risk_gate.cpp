#include "risk/risk_gate.hpp"

#include "ledger/amount.hpp"

#include <algorithm>
#include <cstdio>

namespace mmh {
namespace {

constexpr int64_t kDayNs = 86'400'000'000'000;

std::string percent(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f%%", v);
  return text;
}

// price x quantity in quote units of 1e-8, saturating: a fat-finger size must not wrap.
int64_t notional_e8(int64_t price_e8, int64_t qty_lots, int64_t lot_e8) {
  const amount_e18 qty_e8 = static_cast<amount_e18>(qty_lots) * lot_e8;
  if (qty_e8 > INT64_MAX) return INT64_MAX;
  const amount_e18 v = static_cast<amount_e18>(price_e8) * qty_e8 / 100'000'000;
  return v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v);
}

}  // namespace

const char* trading_state_name(TradingState state) {
  return state == TradingState::halted ? "halted" : "active";
}

bool RiskGate::on_mark(int64_t ts_ns, int64_t equity_e8, std::string& reason) {
  const TradingState before = state_;
  bool tripped = false;  // a trip is news even when a new day's resume and it meet in one mark
  const int64_t day = (ts_ns - 1) / kDayNs;  // a mark at 00:00 closes the previous day
  if (day != day_) {
    day_ = day;
    day_start_equity_e8_ = equity_e8;
    if (state_ == TradingState::halted && !halted_for_good_) {
      state_ = TradingState::active;
      reason = "a new UTC day";
    }
  }
  peak_equity_e8_ = std::max(peak_equity_e8_, equity_e8);
  if (state_ == TradingState::active && limits_.max_drawdown_pct > 0 && peak_equity_e8_ > 0) {
    const double dd = 100.0 * static_cast<double>(peak_equity_e8_ - equity_e8) /
                      static_cast<double>(peak_equity_e8_);
    if (dd >= limits_.max_drawdown_pct) {
      state_ = TradingState::halted;
      halted_for_good_ = true;
      tripped = true;
      ++stats_.trips["max_drawdown"];
      reason = "max_drawdown " + percent(dd) + " from the equity peak (limit " +
               percent(limits_.max_drawdown_pct) + ")";
    }
  }
  if (state_ == TradingState::active && limits_.daily_loss_pct > 0 && day_start_equity_e8_ > 0) {
    const double loss = 100.0 * static_cast<double>(day_start_equity_e8_ - equity_e8) /
                        static_cast<double>(day_start_equity_e8_);
    if (loss >= limits_.daily_loss_pct) {
      state_ = TradingState::halted;
      tripped = true;
      ++stats_.trips["daily_loss"];
      reason = "daily_loss " + percent(loss) + " since the UTC day's start (limit " +
               percent(limits_.daily_loss_pct) + "); halted until the next UTC day";
    }
  }
  if (state_ == TradingState::halted) ++stats_.bars_halted;
  return state_ != before || tripped;
}

bool RiskGate::halt(const std::string& reason) {
  if (state_ == TradingState::halted && halted_for_good_) return false;
  state_ = TradingState::halted;
  halted_for_good_ = true;
  ++stats_.trips[reason];
  return true;
}

void RiskGate::filter(std::vector<mmh_desired_order>& desired, int64_t mid_e8, int64_t tick_e8,
                      int64_t lot_e8) {
  if (state_ == TradingState::halted) {
    desired.clear();
    return;
  }
  if (limits_.max_order_notional_e8 <= 0 && limits_.price_band_bps <= 0) return;
  auto vetoed = [&](const mmh_desired_order& o) {
    const int64_t price_e8 =
        o.order_type == MMH_ORDER_TYPE_MARKET ? mid_e8 : o.price_ticks * tick_e8;
    if (limits_.max_order_notional_e8 > 0 &&
        notional_e8(price_e8, o.qty_lots, lot_e8) > limits_.max_order_notional_e8) {
      ++stats_.vetoes["max_order_notional"];
      return true;
    }
    if (limits_.price_band_bps > 0 && o.order_type != MMH_ORDER_TYPE_MARKET && mid_e8 > 0) {
      const amount_e18 off =
          static_cast<amount_e18>(price_e8 > mid_e8 ? price_e8 - mid_e8 : mid_e8 - price_e8) *
          10'000;
      if (off > static_cast<amount_e18>(limits_.price_band_bps) * mid_e8) {
        ++stats_.vetoes["price_band"];
        return true;
      }
    }
    return false;
  };
  desired.erase(std::remove_if(desired.begin(), desired.end(), vetoed), desired.end());
}

}  // namespace mmh
