#include "ledger/ledger.hpp"

#include <algorithm>
#include <cstring>

namespace mmh {
namespace {

// Part of a cost basis that goes with `part` of `whole`, toward zero at 1e-8 like every
// valuation (the remainder stays booked); amounts reported by the venue stay exact.
amount_e18 share_of(amount_e18 cost, amount_e18 part, amount_e18 whole) {
  if (whole <= 0 || cost <= 0) return 0;
  if (part >= whole) return cost;
  const amount_e18 share = mul_div_floor(cost, part, whole);
  return share - share % kE18PerE8;
}

std::string text(amount_e18 v) {
  return format_e18(v);
}

}  // namespace

amount_e18 Ledger::amount(const mmh_decimal& d, const char* what) {
  bool rounded = false;
  const std::optional<amount_e18> v = decimal_to_e18_rounded(d, rounded);
  if (!v) throw LedgerError(std::string(what) + " is beyond 10^20 units (not an amount)");
  if (rounded) ++rounded_amounts_;
  return *v;
}

Ledger::Ledger(LedgerConfig config)
    : config_(std::move(config)), base_(config_.start_base_e18), quote_(config_.start_quote_e18) {
  if (base_ < 0 || quote_ < 0) throw LedgerError("starting balances must be >= 0");
}

void Ledger::start(int64_t /*ts_ns*/, int64_t mid_e8) {
  mid_e8_ = mid_e8;
  cost_ = value_e18(mid_e8, base_);
  start_equity_ = equity_e18();
  peak_equity_ = start_equity_;
  peak_equity_e8_ = e18_to_e8_floor(peak_equity_);
  started_ = true;
  check_identity();
}

amount_e18 Ledger::base_value_e18() const {
  // Asked several times per bar with the same holding and mid (equity, drawdown, share, the
  // identity check): the last answer is kept.
  if (mid_e8_ != valued_mid_e8_ || base_ != valued_base_) {
    valued_mid_e8_ = mid_e8_;
    valued_base_ = base_;
    base_value_in_e8_ = value_in_e8(mid_e8_, base_);
    base_value_ = base_value_in_e8_ * kE18PerE8;
  }
  return base_value_;
}

int64_t Ledger::base_value_e8() const {
  base_value_e18();  // brings base_value_in_e8_ up to date
  return static_cast<int64_t>(base_value_in_e8_);
}

amount_e18 Ledger::equity_e18() const {
  return quote_ + base_value_e18();
}

int64_t Ledger::equity_e8() const {
  // The base value is a whole number of 1e-8 units, so the floor of the sum is the quote's floor
  // plus it: a 128-bit division only when the quote changed (fills), not at every mark.
  base_value_e18();
  return static_cast<int64_t>(quote_floor_.of(quote_) + base_value_in_e8_);
}

amount_e18 Ledger::unrealized_e18() const {
  return base_value_e18() - cost_;
}

int64_t Ledger::avg_cost_e8() const {
  return base_ > 0 ? static_cast<int64_t>(mul_div_floor(cost_, MMH_E8, base_)) : 0;
}

void Ledger::buy_base(amount_e18 qty, amount_e18 value) {
  base_ += qty;
  cost_ += value;
}

void Ledger::sell_base(amount_e18 qty, amount_e18 value, const char* what) {
  if (qty > base_)
    throw LedgerError(std::string(what) + " of " + text(qty) + " " + config_.base_asset +
                      " exceeds the " + text(base_) + " held (a spot account cannot go short)");
  const amount_e18 cost_out = share_of(cost_, qty, base_);
  realized_ += value - cost_out;
  cost_ -= cost_out;
  base_ -= qty;
}

void Ledger::apply_fill(const mmh_fill& f) {
  if (!started_) throw LedgerError("a fill arrived before the ledger's first mark");
  const int64_t price = f.price_ticks * config_.tick_e8;
  const amount_e18 qty = e8_to_e18(f.qty_lots * config_.lot_e8);
  const amount_e18 value = value_e18(price, qty);
  const amount_e18 fee = amount(f.fee, "fill fee");
  const std::string fee_asset(f.fee_asset, strnlen(f.fee_asset, sizeof(f.fee_asset)));
  if (qty <= 0 || price <= 0) throw LedgerError("a fill with a non-positive price or quantity");
  if (fee != 0 && fee_asset != config_.base_asset && fee_asset != config_.quote_asset)
    throw LedgerError("fee asset '" + fee_asset + "' is neither " + config_.base_asset + " nor " +
                      config_.quote_asset);

  if (f.is_maker != 0 && mid_e8_ > 0) {
    const double d =
        static_cast<double>(f.side == MMH_SIDE_BUY ? mid_e8_ - price : price - mid_e8_);
    spread_bps_sum_ += d / static_cast<double>(mid_e8_) * 1e4;
  }
  if (f.side == MMH_SIDE_BUY) {
    quote_ -= value;
    buy_base(qty, value);
  } else if (f.side == MMH_SIDE_SELL) {
    sell_base(qty, value, "sale");
    quote_ += value;
  } else {
    throw LedgerError("a fill with no side");
  }
  FeeTotal& total = fees_[fee_asset.empty() ? config_.quote_asset : fee_asset];
  if (fee_asset == config_.base_asset) {
    const amount_e18 fee_value = value_e18(price, fee < 0 ? -fee : fee);
    if (fee > 0) {
      sell_base(fee, fee_value, "fee");  // paid in base: a sale of it at the fill price
      fees_value_ += fee_value;
      total.quote_value += fee_value;
    } else if (fee < 0) {
      buy_base(-fee, fee_value);  // a base rebate: a purchase at the fill price
      fees_value_ -= fee_value;
      total.quote_value -= fee_value;
    }
  } else {
    quote_ -= fee;
    fees_value_ += fee;
    total.quote_value += fee;
  }
  total.amount += fee;
  ++(f.is_maker != 0 ? maker_fills_ : taker_fills_);
  turnover_ += value;
  if (quote_ < 0)
    throw LedgerError("quote balance went negative (" + text(quote_) + " " + config_.quote_asset +
                      ") after a fill");
  check_identity();
}

void Ledger::apply_balance(const mmh_balance& b) {
  const std::string_view asset(b.asset, strnlen(b.asset, sizeof(b.asset)));
  const amount_e18 free = amount(b.free, "balance");
  const amount_e18 locked = amount(b.locked, "balance");
  if (auto it = venue_.find(asset); it != venue_.end())
    it->second = {free, locked};
  else
    venue_.emplace(std::string(asset), std::pair{free, locked});
  if (free < 0 || locked < 0)
    throw LedgerError("the venue reports a negative " + std::string(asset) + " balance");
  if (!config_.check_venue) return;
  const amount_e18 mine = asset == config_.base_asset    ? base_
                          : asset == config_.quote_asset ? quote_
                                                         : -1;
  if (mine >= 0 && mine != free + locked)
    throw LedgerError("the venue's " + std::string(asset) + " balance " + text(free + locked) +
                      " differs from the ledger's " + text(mine));
}

std::pair<amount_e18, amount_e18> Ledger::venue_balance(const std::string& asset) const {
  auto it = venue_.find(asset);
  return it == venue_.end() ? std::pair<amount_e18, amount_e18>{0, 0} : it->second;
}

int64_t Ledger::mark(int64_t /*ts_ns*/, int64_t mid_e8) {
  if (!started_) throw LedgerError("mark before start");
  mid_e8_ = mid_e8;
  const amount_e18 equity = equity_e18();
  const int64_t now_e8 = equity_e8();
  if (equity > peak_equity_) {
    peak_equity_ = equity;
    peak_equity_e8_ = now_e8;
  }
  max_drawdown_pct_ = std::max(max_drawdown_pct_, drawdown_pct(now_e8));
  // No identity check here: net - (gross - fees) = quote - start - realized + cost + fees, which
  // the mid does not enter (the holding's value is on both sides). Only start() and fills
  // change those, and both check it.
  return now_e8;
}

// Ratios from the figures at 1e-8, as they were before amounts went to 1e-18 (same doubles).
double Ledger::drawdown_pct(int64_t equity_e8) const {
  const int64_t peak = peak_equity_e8_;
  if (peak <= 0) return 0.0;
  return static_cast<double>(peak - equity_e8) / static_cast<double>(peak) * 100.0;
}

double Ledger::base_share() const {
  return base_share(equity_e8());
}

double Ledger::base_share(int64_t equity_e8) const {
  return equity_e8 > 0 ? static_cast<double>(base_value_e8()) / static_cast<double>(equity_e8)
                       : 0.0;
}

double Ledger::avg_spread_captured_bps() const {
  return maker_fills_ > 0 ? spread_bps_sum_ / static_cast<double>(maker_fills_) : 0.0;
}

void Ledger::check_identity() const {
  if (base_ < 0 || quote_ < 0) throw LedgerError("a balance went negative");
  if (net_pnl_e18() != gross_pnl_e18() - fees_value_)
    throw LedgerError("PnL identity broken: net " + text(net_pnl_e18()) + " != gross " +
                      text(gross_pnl_e18()) + " - fees " + text(fees_value_));
}

}  // namespace mmh
