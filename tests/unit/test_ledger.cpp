#include "ledger/ledger.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>

using mmh::Ledger;
using mmh::LedgerConfig;
using mmh::LedgerError;

namespace {

constexpr int64_t kE8 = MMH_E8;

// price in ticks of 0.01, qty in lots of 0.00001; fee in e8 of fee_asset.
mmh_fill fill(uint32_t side, int64_t price_ticks, int64_t lots, int64_t fee_e8,
              const char* fee_asset, bool maker = true) {
  mmh_fill f{};
  f.ts_ns = 1;
  f.side = side;
  f.price_ticks = price_ticks;
  f.qty_lots = lots;
  f.fee.mantissa = fee_e8;
  f.fee.exponent = -8;
  std::snprintf(f.fee_asset, sizeof(f.fee_asset), "%s", fee_asset);
  f.is_maker = maker ? 1 : 0;
  return f;
}

mmh_balance balance(const char* asset, int64_t free_e8, int64_t locked_e8) {
  mmh_balance b{};
  std::snprintf(b.asset, sizeof(b.asset), "%s", asset);
  b.free.mantissa = free_e8;
  b.free.exponent = -8;
  b.locked.mantissa = locked_e8;
  b.locked.exponent = -8;
  return b;
}

Ledger usdt_ledger(int64_t quote = 10'000 * kE8, int64_t base = 0) {
  LedgerConfig c;
  c.start_quote_e18 = mmh::e8_to_e18(quote);
  c.start_base_e18 = mmh::e8_to_e18(base);
  return Ledger(c);
}

}  // namespace

TEST_CASE("ledger: average cost, realized and unrealized PnL, fees valued at fill time") {
  Ledger l = usdt_ledger();
  l.start(0, 2000 * kE8);
  CHECK(l.start_equity_e8() == 10'000 * kE8);
  // Buy 1 ETH at 2000 (fee 0.001 ETH), buy 1 ETH at 2200 (fee 0.001 ETH).
  l.apply_fill(fill(MMH_SIDE_BUY, 200'000, 100'000, 100'000, "ETH"));
  l.apply_fill(fill(MMH_SIDE_BUY, 220'000, 100'000, 100'000, "ETH"));
  CHECK(l.base_e8() == 199'800'000);
  CHECK(l.quote_e8() == 5'800 * kE8);
  // Base fees are sales at the fill price: 2 + 2.2 USDT of fees.
  CHECK(l.fees_quote_value_e8() == 420'000'000);
  CHECK(l.fees().at("ETH").amount == mmh::e8_to_e18(200'000));
  // Sell 1 ETH at 2300, fee 2.3 USDT.
  l.apply_fill(fill(MMH_SIDE_SELL, 230'000, 100'000, 230'000'000, "USDT"));
  CHECK(l.quote_e8() == (5'800 + 2'300) * kE8 - 230'000'000);
  l.mark(2, 2250 * kE8);
  CHECK(l.base_e8() == 99'800'000);
  CHECK(l.equity_e8() == l.quote_e8() + 2'245'500'000'00);  // 0.998 ETH at 2250
  CHECK(l.net_pnl_e8() == l.gross_pnl_e8() - l.fees_quote_value_e8());
  CHECK(l.avg_cost_e8() > 2'099 * kE8);
  CHECK(l.avg_cost_e8() < 2'101 * kE8);
  CHECK(l.maker_fills() == 3);
  CHECK(l.turnover_e8() == (2000 + 2200 + 2300) * kE8);
}

TEST_CASE("ledger: a base rebate is a purchase at the fill price and the identity holds") {
  Ledger l = usdt_ledger(1'000 * kE8, 100'000'000);  // 1000 USDT and 1 ETH
  l.start(0, 2000 * kE8);
  CHECK(l.start_equity_e8() == 3'000 * kE8);
  l.apply_fill(fill(MMH_SIDE_SELL, 210'000, 50'000, -7'500, "ETH"));       // rebate 0.000075 ETH
  l.apply_fill(fill(MMH_SIDE_BUY, 190'000, 50'000, -14'250'000, "USDT"));  // rebate 0.1425 USDT
  l.mark(1, 2000 * kE8);
  CHECK(l.fees_quote_value_e8() < 0);
  CHECK(l.net_pnl_e8() == l.gross_pnl_e8() - l.fees_quote_value_e8());
  // Sold 0.5 at 2100 and bought it back at 1900: 100 USDT plus the rebates.
  CHECK(l.net_pnl_e8() == 100 * kE8 + 14'250'000 + 15'000'000);
}

TEST_CASE("ledger: zero fees report zero, drawdown follows the peak") {
  Ledger l = usdt_ledger();
  l.start(0, 2000 * kE8);
  l.apply_fill(fill(MMH_SIDE_BUY, 200'000, 250'000, 0, "ETH"));  // 2.5 ETH, 5000 USDT
  CHECK(l.mark(1, 2200 * kE8) == 10'500 * kE8);
  CHECK(l.mark(2, 1800 * kE8) == 9'500 * kE8);  // 9.52% below the peak
  CHECK(l.fees_quote_value_e8() == 0);
  CHECK(l.fees().at("ETH").amount == 0);
  CHECK(l.max_drawdown_pct() == doctest::Approx(1000.0 / 10'500.0 * 100.0));
  CHECK(l.equity_e8() == 9500 * kE8);
  CHECK(l.drawdown_pct(l.equity_e8()) == doctest::Approx(1000.0 / 10'500.0 * 100.0));
  CHECK(l.base_share() == doctest::Approx(4500.0 / 9500.0));
  CHECK(l.base_share(l.equity_e8()) == l.base_share());
  CHECK(l.mark(3, 2000 * kE8) == 10'000 * kE8);
  CHECK(l.equity_e8() == 10'000 * kE8);  // equity 10000: 4.76% below the same peak
  CHECK(l.drawdown_pct(l.equity_e8()) == doctest::Approx(500.0 / 10'500.0 * 100.0));
  CHECK(l.max_drawdown_pct() == doctest::Approx(1000.0 / 10'500.0 * 100.0));
}

TEST_CASE("ledger: selling base not held, or a venue that disagrees, is an error") {
  Ledger l = usdt_ledger();
  l.start(0, 2000 * kE8);
  CHECK_THROWS_WITH_AS(l.apply_fill(fill(MMH_SIDE_SELL, 200'000, 1'000, 0, "USDT")),
                       doctest::Contains("cannot go short"), LedgerError);
  l.apply_fill(fill(MMH_SIDE_BUY, 200'000, 1'000, 0, "ETH"));
  l.apply_balance(balance("ETH", 600'000, 400'000));  // 0.01 ETH free + locked: agrees
  CHECK(l.venue_balance("ETH").second == mmh::e8_to_e18(400'000));
  CHECK_THROWS_WITH_AS(l.apply_balance(balance("USDT", 10'000 * kE8, 0)),
                       doctest::Contains("differs from the ledger"), LedgerError);
  CHECK_THROWS_AS(l.apply_fill(fill(MMH_SIDE_BUY, 200'000, 1'000'000'000, 0, "ETH")),
                  LedgerError);  // 10,000 ETH: more quote than there is
}

namespace {

mmh_fill fill_fee(uint32_t side, int64_t price_ticks, int64_t lots, int64_t fee_mantissa,
                  int32_t fee_exponent, const char* fee_asset) {
  mmh_fill f = fill(side, price_ticks, lots, 0, fee_asset);
  f.fee.mantissa = fee_mantissa;
  f.fee.exponent = fee_exponent;
  return f;
}

mmh_balance exact_balance(const char* asset, int64_t free_mantissa, int32_t exponent) {
  mmh_balance b = balance(asset, 0, 0);
  b.free.mantissa = free_mantissa;
  b.free.exponent = exponent;
  return b;
}

}  // namespace

TEST_CASE("ledger: exchange fees with 9 to 12 decimals are booked exactly, never an error") {
  Ledger l = usdt_ledger(1'000 * kE8, 4'000'000);  // 1000 USDT and 0.04 ETH
  l.start(0, 2659 * kE8);
  // The maker sell: 0.03827 ETH at 2659.60, fee 0.1017827742 USDT (10 decimals).
  l.apply_fill(fill_fee(MMH_SIDE_SELL, 265'960, 3'827, 1017827742, -10, "USDT"));
  CHECK(mmh::format_e18(l.quote_e18()) == "1101.6811092258");  // 1000 + 101.782892 - fee
  CHECK(mmh::format_e18(l.fees().at("USDT").amount) == "0.1017827742");
  // The exchange's wallet at the same precision agrees; one digit off does not.
  l.apply_balance(exact_balance("USDT", 11016811092258, -10));
  CHECK_THROWS_WITH_AS(
      l.apply_balance(exact_balance("USDT", 11016811092259, -10)),
      doctest::Contains("1101.6811092259 differs from the ledger's 1101.6811092258"), LedgerError);
  // A buy paying 0.000000306 ETH (9 decimals) and one paying a 12-decimal fee, both in base.
  l.apply_fill(fill_fee(MMH_SIDE_BUY, 265'000, 30, 306, -9, "ETH"));
  l.apply_fill(fill_fee(MMH_SIDE_BUY, 265'000, 30, 123456789012, -12 - 4, "ETH"));
  CHECK(mmh::format_e18(l.base_e18()) == "0.0023173483210988");
  CHECK(mmh::format_e18(l.fees().at("ETH").amount) == "0.0000126516789012");
  CHECK(l.net_pnl_e18() == l.gross_pnl_e18() - l.fees_quote_value_e18());
  CHECK(l.rounded_amounts() == 0);
}

TEST_CASE("ledger: very large balances and fills keep the identity") {
  // 10^10 USDT and 10^6 ETH at 10^6 USDT each: products past 128 bits in the cost basis.
  LedgerConfig c;
  c.start_quote_e18 = mmh::e8_to_e18(10'000'000'000 * kE8);
  c.start_base_e18 = mmh::e8_to_e18(1'000'000 * kE8);
  c.lot_e8 = 1;
  Ledger l(c);
  l.start(0, 1'000'000 * kE8);
  l.apply_fill(fill_fee(MMH_SIDE_SELL, 100'000'000, 33'333'333'333'333, 123456789012, -12, "USDT"));
  l.apply_fill(fill_fee(MMH_SIDE_SELL, 100'000'000, 1, 1, -18, "ETH"));
  l.mark(1, 1'100'000 * kE8);
  CHECK(l.net_pnl_e18() == l.gross_pnl_e18() - l.fees_quote_value_e18());
  CHECK(mmh::format_e18(l.fees().at("USDT").amount) == "0.123456789012");
  CHECK(mmh::format_e18(l.base_e18()) == "666666.666666659999999999");
  CHECK(l.realized_e18() == 0);  // sold at cost (10^6 per ETH, exactly, before and after)
}

TEST_CASE(
    "ledger: equity and holdings at 1e-8 are the floors of the exact figures, mark after mark") {
  // Kept per mark without a 128-bit division (the quote's floor plus the base value's whole
  // 1e-8 units): every mark of random fills with fees of up to 16 decimals, prices and holdings
  // must give the floors of the 1e-18 figures.
  Ledger l = usdt_ledger(10'000 * kE8, 3 * kE8);
  l.start(0, 2500 * kE8);
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  const auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 20000; ++i) {
    const int64_t price_ticks = 100'000 + static_cast<int64_t>(next() % 400'000);  // 1000-5000
    if (next() % 4 == 0) {
      const bool buy = next() % 2 == 0 || l.base_e18() < mmh::e8_to_e18(kE8);
      const int64_t lots = 1 + static_cast<int64_t>(next() % 2'000);  // up to 0.02 ETH
      const bool fee_in_base = buy && next() % 2 == 0;
      l.apply_fill(fill_fee(buy ? MMH_SIDE_BUY : MMH_SIDE_SELL, price_ticks, lots,
                            static_cast<int64_t>(next() % 1'000'000'000), -16,
                            fee_in_base ? "ETH" : "USDT"));
    }
    l.mark(i + 1, price_ticks * 1'000'000 + static_cast<int64_t>(next() % 1'000'000));
    REQUIRE(l.equity_e8() == mmh::e18_to_e8_floor(l.equity_e18()));
    REQUIRE(l.base_e8() == mmh::e18_to_e8_floor(l.base_e18()));
    REQUIRE(l.quote_e8() == mmh::e18_to_e8_floor(l.quote_e18()));
  }
  CHECK(l.quote_e18() % mmh::kE18PerE8 != 0);  // the fees left digits below 1e-8
}
