#include "ledger/ledger.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <algorithm>
#include <cstring>

namespace mmh {
namespace {

__extension__ using wide = __int128;

// Part of a cost basis that goes with `part` of `whole` (floor: the remainder stays booked).
int64_t share_of(int64_t cost_e8, int64_t part_e8, int64_t whole_e8) {
  if (whole_e8 <= 0) return 0;
  return static_cast<int64_t>(static_cast<wide>(cost_e8) * part_e8 / whole_e8);
}

int64_t decimal_e8(const mmh_decimal& d, const char* what) {
  int64_t v = 0;
  if (!sdk::decimal_to_e8(d, v))
    throw LedgerError(std::string(what) + " has more than 8 decimal places or does not fit");
  return v;
}

std::string e8_text(int64_t v) {
  return sdk::format_e8(v);
}

}  // namespace

Ledger::Ledger(LedgerConfig config)
    : config_(std::move(config)),
      base_e8_(config_.start_base_e8),
      quote_e8_(config_.start_quote_e8) {
  if (base_e8_ < 0 || quote_e8_ < 0) throw LedgerError("starting balances must be >= 0");
}

void Ledger::start(int64_t /*ts_ns*/, int64_t mid_e8) {
  mid_e8_ = mid_e8;
  cost_e8_ = sdk::value_e8(mid_e8, base_e8_);
  start_equity_e8_ = equity_e8();
  peak_equity_e8_ = start_equity_e8_;
  started_ = true;
}

int64_t Ledger::equity_e8() const {
  return quote_e8_ + sdk::value_e8(mid_e8_, base_e8_);
}

int64_t Ledger::unrealized_e8() const {
  return sdk::value_e8(mid_e8_, base_e8_) - cost_e8_;
}

int64_t Ledger::avg_cost_e8() const {
  return base_e8_ > 0 ? static_cast<int64_t>(static_cast<wide>(cost_e8_) * MMH_E8 / base_e8_) : 0;
}

void Ledger::buy_base(int64_t qty_e8, int64_t value_e8) {
  base_e8_ += qty_e8;
  cost_e8_ += value_e8;
}

void Ledger::sell_base(int64_t qty_e8, int64_t value_e8, const char* what) {
  if (qty_e8 > base_e8_)
    throw LedgerError(std::string(what) + " of " + e8_text(qty_e8) + " " + config_.base_asset +
                      " exceeds the " + e8_text(base_e8_) +
                      " held (a spot account cannot go short)");
  const int64_t cost_out = share_of(cost_e8_, qty_e8, base_e8_);
  realized_e8_ += value_e8 - cost_out;
  cost_e8_ -= cost_out;
  base_e8_ -= qty_e8;
}

void Ledger::apply_fill(const mmh_fill& f) {
  if (!started_) throw LedgerError("a fill arrived before the ledger's first mark");
  const int64_t price = f.price_ticks * config_.tick_e8;
  const int64_t qty = f.qty_lots * config_.lot_e8;
  const int64_t value = sdk::value_e8(price, qty);
  const int64_t fee = decimal_e8(f.fee, "fill fee");
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
    quote_e8_ -= value;
    buy_base(qty, value);
  } else if (f.side == MMH_SIDE_SELL) {
    sell_base(qty, value, "sale");
    quote_e8_ += value;
  } else {
    throw LedgerError("a fill with no side");
  }
  FeeTotal& total = fees_[fee_asset.empty() ? config_.quote_asset : fee_asset];
  if (fee_asset == config_.base_asset) {
    const int64_t fee_value = sdk::value_e8(price, fee < 0 ? -fee : fee);
    if (fee > 0) {
      sell_base(fee, fee_value, "fee");  // paid in base: a sale of it at the fill price
      fees_value_e8_ += fee_value;
      total.quote_value_e8 += fee_value;
    } else if (fee < 0) {
      buy_base(-fee, fee_value);  // a base rebate: a purchase at the fill price
      fees_value_e8_ -= fee_value;
      total.quote_value_e8 -= fee_value;
    }
  } else {
    quote_e8_ -= fee;
    fees_value_e8_ += fee;
    total.quote_value_e8 += fee;
  }
  total.amount_e8 += fee;
  ++(f.is_maker != 0 ? maker_fills_ : taker_fills_);
  turnover_e8_ += value;
  if (quote_e8_ < 0)
    throw LedgerError("quote balance went negative (" + e8_text(quote_e8_) + " " +
                      config_.quote_asset + ") after a fill");
  check_identity();
}

void Ledger::apply_balance(const mmh_balance& b) {
  const std::string asset(b.asset, strnlen(b.asset, sizeof(b.asset)));
  const int64_t free = decimal_e8(b.free, "balance");
  const int64_t locked = decimal_e8(b.locked, "balance");
  venue_[asset] = {free, locked};
  if (free < 0 || locked < 0)
    throw LedgerError("the venue reports a negative " + asset + " balance");
  if (!config_.check_venue) return;
  const int64_t mine = asset == config_.base_asset    ? base_e8_
                       : asset == config_.quote_asset ? quote_e8_
                                                      : -1;
  if (mine >= 0 && mine != free + locked)
    throw LedgerError("the venue's " + asset + " balance " + e8_text(free + locked) +
                      " differs from the ledger's " + e8_text(mine));
}

std::pair<int64_t, int64_t> Ledger::venue_balance(const std::string& asset) const {
  auto it = venue_.find(asset);
  return it == venue_.end() ? std::pair<int64_t, int64_t>{0, 0} : it->second;
}

void Ledger::mark(int64_t /*ts_ns*/, int64_t mid_e8) {
  if (!started_) throw LedgerError("mark before start");
  mid_e8_ = mid_e8;
  const int64_t equity = equity_e8();
  peak_equity_e8_ = std::max(peak_equity_e8_, equity);
  max_drawdown_pct_ = std::max(max_drawdown_pct_, drawdown_pct());
  check_identity();
}

double Ledger::drawdown_pct() const {
  if (peak_equity_e8_ <= 0) return 0.0;
  return static_cast<double>(peak_equity_e8_ - equity_e8()) / static_cast<double>(peak_equity_e8_) *
         100.0;
}

double Ledger::base_share() const {
  const int64_t equity = equity_e8();
  return equity > 0
             ? static_cast<double>(sdk::value_e8(mid_e8_, base_e8_)) / static_cast<double>(equity)
             : 0.0;
}

double Ledger::avg_spread_captured_bps() const {
  return maker_fills_ > 0 ? spread_bps_sum_ / static_cast<double>(maker_fills_) : 0.0;
}

void Ledger::check_identity() const {
  if (base_e8_ < 0 || quote_e8_ < 0) throw LedgerError("a balance went negative");
  if (net_pnl_e8() != gross_pnl_e8() - fees_value_e8_)
    throw LedgerError("PnL identity broken: net " + e8_text(net_pnl_e8()) + " != gross " +
                      e8_text(gross_pnl_e8()) + " - fees " + e8_text(fees_value_e8_));
}

}  // namespace mmh
