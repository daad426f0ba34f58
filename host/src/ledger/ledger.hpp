// The spot ledger: what the strategy owns, fill by fill, in exact integers (units of 1e-8).
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

#include <mmhost/plugin.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

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
  int64_t start_base_e8 = 0;
  int64_t start_quote_e8 = 0;
  bool check_venue = true;  // venue balance reports must match the ledger's totals
};

struct FeeTotal {
  int64_t amount_e8 = 0;       // in the asset itself (negative: net rebate)
  int64_t quote_value_e8 = 0;  // valued in quote at each fill's price
};

class Ledger {
 public:
  explicit Ledger(LedgerConfig config);

  // The first mark: fixes the starting equity (starting base valued at this mid).
  void start(int64_t ts_ns, int64_t mid_e8);
  void apply_fill(const mmh_fill& fill);
  void apply_balance(const mmh_balance& balance);
  void mark(int64_t ts_ns, int64_t mid_e8);

  const std::string& base_asset() const { return config_.base_asset; }
  int64_t base_e8() const { return base_e8_; }
  int64_t quote_e8() const { return quote_e8_; }
  int64_t mid_e8() const { return mid_e8_; }
  int64_t equity_e8() const;
  int64_t start_equity_e8() const { return start_equity_e8_; }
  int64_t realized_e8() const { return realized_e8_; }
  int64_t unrealized_e8() const;
  int64_t gross_pnl_e8() const { return realized_e8_ + unrealized_e8(); }
  int64_t net_pnl_e8() const { return equity_e8() - start_equity_e8_; }
  int64_t fees_quote_value_e8() const { return fees_value_e8_; }
  const std::map<std::string, FeeTotal>& fees() const { return fees_; }
  int64_t avg_cost_e8() const;  // quote per base of the position; 0 when flat
  double base_share() const;    // base value / equity at the last mark
  double drawdown_pct() const;  // from the peak equity, at the last mark
  double max_drawdown_pct() const { return max_drawdown_pct_; }
  uint64_t maker_fills() const { return maker_fills_; }
  uint64_t taker_fills() const { return taker_fills_; }
  int64_t turnover_e8() const { return turnover_e8_; }  // quote value traded
  // Mean signed distance of maker fills from the mid of the last mark before them, in bps
  // (positive: bought below / sold above the mid).
  double avg_spread_captured_bps() const;
  // The venue's last report for an asset (free, locked); zeros before any.
  std::pair<int64_t, int64_t> venue_balance(const std::string& asset) const;

 private:
  void buy_base(int64_t qty_e8, int64_t value_e8);
  void sell_base(int64_t qty_e8, int64_t value_e8, const char* what);
  void check_identity() const;

  LedgerConfig config_;
  int64_t base_e8_ = 0;
  int64_t quote_e8_ = 0;
  int64_t cost_e8_ = 0;  // cost basis of base_e8_
  int64_t realized_e8_ = 0;
  int64_t fees_value_e8_ = 0;
  int64_t start_equity_e8_ = 0;
  int64_t mid_e8_ = 0;
  int64_t peak_equity_e8_ = 0;
  double max_drawdown_pct_ = 0.0;
  bool started_ = false;
  std::map<std::string, FeeTotal> fees_;
  std::map<std::string, std::pair<int64_t, int64_t>> venue_;
  uint64_t maker_fills_ = 0;
  uint64_t taker_fills_ = 0;
  int64_t turnover_e8_ = 0;
  double spread_bps_sum_ = 0.0;
};

}  // namespace mmh
