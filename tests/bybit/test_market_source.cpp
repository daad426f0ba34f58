// The live data source's text decimals (instrument steps) as ABI decimals.
#include "market_source.hpp"

#include <doctest/doctest.h>

using mmh::bybit::decimal_from_text;

TEST_CASE("bybit market source: instrument steps as exact ABI decimals") {
  const mmh_decimal tick = decimal_from_text("0.01");
  CHECK(tick.mantissa == 1);
  CHECK(tick.exponent == -2);
  const mmh_decimal lot = decimal_from_text("0.000010");  // trailing zero dropped
  CHECK(lot.mantissa == 1);
  CHECK(lot.exponent == -5);
  const mmh_decimal amount = decimal_from_text("5");
  CHECK(amount.mantissa == 5);
  CHECK(amount.exponent == 0);
  CHECK(decimal_from_text("12.5").mantissa == 125);
  CHECK_THROWS_AS(decimal_from_text(""), std::invalid_argument);
  CHECK_THROWS_AS(decimal_from_text("1.2.3"), std::invalid_argument);
  CHECK_THROWS_AS(decimal_from_text("-1"), std::invalid_argument);
}
