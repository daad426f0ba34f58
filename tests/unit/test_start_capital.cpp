#include "app/start_capital.hpp"

#include <doctest/doctest.h>

using namespace mmh;

namespace {
constexpr int64_t E8 = 100000000;
amount_e18 units(int64_t n) {
  return static_cast<amount_e18>(n) * kE18;
}
}  // namespace

TEST_CASE("capped_wallet: a wallet worth less than the allocation is traded whole") {
  const StartCapital c = capped_wallet(units(12) / 10, units(500), units(10'000), 2499 * E8);
  CHECK_FALSE(c.capped);
  CHECK(c.base_e18 == units(12) / 10);
  CHECK(c.quote_e18 == units(500));
  CHECK(describe(c, "ETH", "USDT") ==
        "venue wallet 1.2 ETH + 500 USDT (worth 3498.8 USDT at 2499); the core trades all of "
        "it (within capital.allocation 10000 USDT)");
}

TEST_CASE("capped_wallet: above the allocation both assets shrink by one factor, rounded down") {
  // Worth 1.2 * 2499.3 + 500 = 3499.16; 1000 of it: 0.342939448... ETH, 142.891436801... USDT.
  const StartCapital c =
      capped_wallet(units(12) / 10, units(500), units(1000), 2499 * E8 + 30000000);
  CHECK(c.capped);
  CHECK(c.base_e18 == e8_to_e18(34293944));
  CHECK(c.quote_e18 == e8_to_e18(14289143680));
  CHECK(value_e18(c.price_e8, c.base_e18) + c.quote_e18 <= units(1000));
  CHECK(c.wallet_base_e18 == units(12) / 10);  // the ledger keeps the whole wallet
  CHECK(describe(c, "ETH", "USDT") ==
        "venue wallet 1.2 ETH + 500 USDT (worth 3499.16 USDT at 2499.3); capital.allocation 1000 "
        "USDT caps the core at 0.34293944 ETH + 142.8914368 USDT");
}

TEST_CASE("capped_wallet: exact with amounts whose product needs 256 bits") {
  // 10^10 USDT and a 12-decimal ETH balance against a 10^9 allocation, all in 1e-18.
  const amount_e18 eth = units(1'000'000) + 123456789012;
  const StartCapital c = capped_wallet(eth, units(10'000'000'000), units(1'000'000'000), 0);
  CHECK(c.capped);  // at price 0 the ETH is worth nothing: 10^10 / 10^9 = a tenth of each
  CHECK(c.quote_e18 == units(1'000'000'000));
  CHECK(c.base_e18 == units(100'000) + kE18PerE8);  // 0.0000000123456789012 down to 1e-8
}

TEST_CASE("strategy_capital: the strategy's numbers, wallet and core alike") {
  const StartCapital c = strategy_capital(CapitalSource::paper_wallet, 0, units(10'000));
  CHECK(c.base_e18 == 0);
  CHECK(c.quote_e18 == units(10'000));
  CHECK(c.wallet_quote_e18 == units(10'000));
  CHECK(std::string(capital_source_name(c.source)) == "paper wallet");
  CHECK(describe(c, "ETH", "USDT") ==
        "paper wallet from the strategy (capital.base, capital.allocation): 0 ETH + 10000 USDT");
}
