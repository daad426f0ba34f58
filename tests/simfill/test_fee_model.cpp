#include "fee_model.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using mmh::sim::FeeAsset;
using mmh::sim::FeeModel;
using mmh::sim::FeeRates;

TEST_CASE("fees: a buy pays in base, a sell in quote, at Bybit's base tier by default") {
  const FeeModel fees;
  CHECK(fees.rates().maker == doctest::Approx(0.001));
  CHECK(fees.rates().taker == doctest::Approx(0.001));
  // Buy 0.5 ETH for 1250 USDT: 0.1% of 0.5 ETH = 0.0005 ETH.
  const auto buy = fees.charge(true, true, 50'000'000, 125'000'000'000);
  CHECK(buy.asset == FeeAsset::base);
  CHECK(buy.amount_e8 == 50'000);
  // Sell the same: 0.1% of 1250 USDT = 1.25 USDT.
  const auto sell = fees.charge(false, false, 50'000'000, 125'000'000'000);
  CHECK(sell.asset == FeeAsset::quote);
  CHECK(sell.amount_e8 == 125'000'000);
}

TEST_CASE("fees: a maker rebate is credited in the asset the order gives, rounded toward zero") {
  const FeeModel fees(FeeRates{-0.00015, 0.0005});
  // Maker buy: rebate in quote; 0.015% of 33.33333333 USDT = 0.0049999999995 -> 0.00499999.
  const auto buy = fees.charge(true, true, 1'000'000, 3'333'333'333);
  CHECK(buy.asset == FeeAsset::quote);
  CHECK(buy.amount_e8 == -499'999);
  // Maker sell: rebate in base.
  const auto sell = fees.charge(false, true, 1'000'000, 3'333'333'333);
  CHECK(sell.asset == FeeAsset::base);
  CHECK(sell.amount_e8 == -150);
  // Takers still pay: buy in base, sell in quote, rounded up.
  const auto taker_buy = fees.charge(true, false, 1'000'001, 3'333'333'333);
  CHECK(taker_buy.asset == FeeAsset::base);
  CHECK(taker_buy.amount_e8 == 501);  // 500.0005 rounds up
  CHECK(fees.charge(false, false, 1, 3'333'333'333).asset == FeeAsset::quote);
}

TEST_CASE("fees: zero rates charge nothing and bad rates are refused") {
  const FeeModel free(FeeRates{0, 0});
  CHECK(free.charge(true, true, 123'456, 99'999'999).amount_e8 == 0);
  CHECK(free.charge(false, false, 123'456, 99'999'999).amount_e8 == 0);
  CHECK_THROWS_AS(FeeModel(FeeRates{0.5, 0.001}), std::invalid_argument);
  CHECK_THROWS_AS(FeeModel(FeeRates{0.001, -0.02}), std::invalid_argument);
}
