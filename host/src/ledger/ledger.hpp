// The spot ledger: what the strategy owns, fill by fill, in exact integers: balances, fees and
// PnL in units of 1e-18 (ledger/amount.hpp), so fees and balances are taken at the precision the
// exchange reports; the *_e8 accessors round those down to 1e-8 for figures and metrics.
//
// - Balances per asset from the starting capital and the fills; the venue's own free/locked
//   reports are kept and, when `check_venue` is set, must add up to the same totals.
// - Realized PnL at average cost. A fee paid in base is booked as a sale of that base at the fill
//   price (and its quote value as the fee); a base rebate as a purchase at the fill price. So
//   net PnL = gross PnL (realized + unrealized) - fees (valued in quote at fill time), exactly.
// - Unrealized PnL and equity marked to the mid: equity = quote + base x mid.
// - Invariants checked on every fill and mark; a breach throws LedgerError (a bug, not a market
//   event): no negative balance, no sale of base not held, the PnL identity, venue agreement.
#pragma once

#include "ledger/amount.hpp"

#include <mmhost/plugin.h>

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace mmh {

class LedgerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LedgerConfig {
  std::string base_asset = "ETH";
  std::string quote_asset = "USDT";
  int64_t tick_e8 = 1'000'000;
  int64_t lot_e8 = 1'000;
  amount_e18 start_base_e18 = 0;  // the exchange's wallet in live runs: any precision
  amount_e18 start_quote_e18 = 0;
  bool check_venue = true;  // venue balance reports must match the ledger's totals
};

struct FeeTotal {
  amount_e18 amount = 0;       // in the asset itself (negative: net rebate)
  amount_e18 quote_value = 0;  // valued in quote at each fill's price
};

class Ledger {
 public:
  explicit Ledger(LedgerConfig config);

  // The first mark: fixes the starting equity (starting base valued at this mid).
  void start(int64_t ts_ns, int64_t mid_e8);
  void apply_fill(const mmh_fill& fill);
  void apply_balance(const mmh_balance& balance);
  // Values the holdings at `mid_e8`; returns the equity there (equity_e8(), taken once).
  int64_t mark(int64_t ts_ns, int64_t mid_e8);

  const std::string& base_asset() const { return config_.base_asset; }
  const std::string& quote_asset() const { return config_.quote_asset; }
  // Exact figures.
  amount_e18 base_e18() const { return base_; }
  amount_e18 quote_e18() const { return quote_; }
  amount_e18 equity_e18() const;
  amount_e18 start_equity_e18() const { return start_equity_; }
  amount_e18 realized_e18() const { return realized_; }
  amount_e18 unrealized_e18() const;
  amount_e18 gross_pnl_e18() const { return realized_ + unrealized_e18(); }
  amount_e18 net_pnl_e18() const { return equity_e18() - start_equity_; }
  amount_e18 fees_quote_value_e18() const { return fees_value_; }
  amount_e18 turnover_e18() const { return turnover_; }  // quote value traded
  // The same rounded down to 1e-8.
  int64_t base_e8() const { return static_cast<int64_t>(base_floor_.of(base_)); }
  int64_t quote_e8() const { return static_cast<int64_t>(quote_floor_.of(quote_)); }
  int64_t mid_e8() const { return mid_e8_; }
  int64_t equity_e8() const;
  int64_t start_equity_e8() const { return e18_to_e8_floor(start_equity_); }
  int64_t realized_e8() const { return e18_to_e8_floor(realized_); }
  int64_t unrealized_e8() const { return e18_to_e8_floor(unrealized_e18()); }
  int64_t gross_pnl_e8() const { return e18_to_e8_floor(gross_pnl_e18()); }
  int64_t net_pnl_e8() const { return e18_to_e8_floor(net_pnl_e18()); }
  int64_t fees_quote_value_e8() const { return e18_to_e8_floor(fees_value_); }
  int64_t turnover_e8() const { return e18_to_e8_floor(turnover_); }
  const std::map<std::string, FeeTotal>& fees() const { return fees_; }
  int64_t avg_cost_e8() const;                 // quote per base of the position; 0 when flat
  double base_share() const;                   // base value / equity at the last mark
  double base_share(int64_t equity_e8) const;  // with the mark's equity_e8() the caller took
  // From the peak equity, at the last mark: `equity_e8` is that mark's equity_e8(), which the
  // caller has taken (each is a sum of floors; not taken twice per bar).
  double drawdown_pct(int64_t equity_e8) const;
  double max_drawdown_pct() const { return max_drawdown_pct_; }
  uint64_t maker_fills() const { return maker_fills_; }
  uint64_t taker_fills() const { return taker_fills_; }
  // Mean signed distance of maker fills from the mid of the last mark before them, in bps
  // (positive: bought below / sold above the mid).
  double avg_spread_captured_bps() const;
  // Reported amounts with more than 18 decimals, rounded half to even (none from Bybit so far).
  uint64_t rounded_amounts() const { return rounded_amounts_; }
  // The venue's last report for an asset (free, locked); zeros before any.
  std::pair<amount_e18, amount_e18> venue_balance(const std::string& asset) const;

 private:
  amount_e18 amount(const mmh_decimal& d, const char* what);
  void buy_base(amount_e18 qty, amount_e18 value);
  void sell_base(amount_e18 qty, amount_e18 value, const char* what);
  void check_identity() const;
  amount_e18 base_value_e18() const;  // base_ at mid_e8_, rounded down to 1e-8
  int64_t base_value_e8() const;      // the same at 1e-8

  LedgerConfig config_;
  amount_e18 base_ = 0;
  amount_e18 quote_ = 0;
  amount_e18 cost_ = 0;  // cost basis of base_
  amount_e18 realized_ = 0;
  amount_e18 fees_value_ = 0;
  amount_e18 start_equity_ = 0;
  amount_e18 peak_equity_ = 0;
  amount_e18 turnover_ = 0;
  int64_t mid_e8_ = 0;
  double max_drawdown_pct_ = 0.0;
  bool started_ = false;
  std::map<std::string, FeeTotal> fees_;
  // By asset; found by view (a venue reports its balances after every batch of commands).
  std::map<std::string, std::pair<amount_e18, amount_e18>, std::less<>> venue_;
  uint64_t maker_fills_ = 0;
  uint64_t taker_fills_ = 0;
  uint64_t rounded_amounts_ = 0;
  double spread_bps_sum_ = 0.0;
  // The last valuation and flooring (base_value_e18, equity_e8).
  mutable int64_t valued_mid_e8_ = 0;
  mutable amount_e18 valued_base_ = 0;
  mutable amount_e18 base_value_ = 0;
  mutable amount_e18 base_value_in_e8_ = 0;  // base_value_ in units of 1e-8 (exact)
  int64_t peak_equity_e8_ = 0;               // peak_equity_ rounded down to 1e-8
  // The holdings rounded down to 1e-8, asked at every bar and changed only by fills and
  // balances: the last 128-bit division's answer is kept.
  struct FloorE8 {
    amount_e18 value = 0;
    amount_e18 floor_e8 = 0;
    amount_e18 of(amount_e18 v) {
      if (v != value) {
        value = v;
        floor_e8 = e18_floor_in_e8(v);
      }
      return floor_e8;
    }
  };
  mutable FloorE8 base_floor_;
  mutable FloorE8 quote_floor_;
};

}  // namespace mmh
