#include "instrument.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using mmh::bos::Instrument;

TEST_CASE("prices round to the tick away from the market, quantities down to the lot") {
  const Instrument eth;  // tick 0.01, lot 0.00001, min qty 0.00062, min value 1 USDT
  CHECK(eth.price_ticks_down(351'234'567'800) == 351'234);      // 3512.345678 -> 3512.34
  CHECK(eth.price_ticks_up(351'234'567'800) == 351'235);        // -> 3512.35
  CHECK(eth.price_ticks_up(351'234 * eth.tick_e8) == 351'234);  // exact stays
  CHECK(eth.qty_lots_down(123'456) == 123);                     // 0.00123456 -> 0.00123
  CHECK(eth.qty_lots_down(-5) == 0);
  CHECK(Instrument::value_e8(3'000 * 100'000'000LL, 50'000'000) == 1'500 * 100'000'000LL);
}

TEST_CASE("orders below the minimum quantity or value are refused") {
  const Instrument eth;
  CHECK(eth.meets_minimums(300'000, 100));       // 0.001 ETH at 3000 = 3 USDT
  CHECK_FALSE(eth.meets_minimums(300'000, 61));  // 0.00061 < minOrderQty 0.00062
  CHECK_FALSE(eth.meets_minimums(100, 62));      // 0.00062 at 1.00 = 0.00062 USDT < 1 USDT
  CHECK_FALSE(eth.meets_minimums(300'000, 0));
}

TEST_CASE("instrument rules are validated") {
  Instrument bad;
  bad.tick_e8 = 0;
  CHECK_THROWS_WITH_AS(bad.validate(), doctest::Contains("instrument.tick_e8"),
                       std::invalid_argument);
}
