#include "atr.hpp"

#include "bars.hpp"

#include <doctest/doctest.h>

using namespace mmh::bos;
using mmh::bos::test::bar_at;

TEST_CASE("Wilder ATR: SMA seed, then recursive smoothing, with gaps in true range") {
  WilderAtr atr(3);
  atr.add(bar_at(0, 10, 11, 9, 10));   // TR 2 (no previous close)
  atr.add(bar_at(1, 10, 12, 10, 11));  // TR max(2, 12-10, 10-10) = 2
  CHECK_FALSE(atr.ready());
  CHECK(atr.value_e8() == 0.0);
  atr.add(bar_at(2, 11, 11, 8, 9));  // TR max(3, 0, 3) = 3
  REQUIRE(atr.ready());
  CHECK(atr.value_e8() == doctest::Approx((2.0 + 2 + 3) / 3 * MMH_E8));
  atr.add(bar_at(3, 15, 16, 15, 16));  // gap up: TR = 16 - 9 = 7
  CHECK(atr.value_e8() == doctest::Approx(((7.0 / 3) * 2 + 7) / 3 * MMH_E8));
}

TEST_CASE("ATR period is validated") {
  CHECK_THROWS_AS(WilderAtr(0), std::invalid_argument);
  CHECK_THROWS_AS(WilderAtr(1001), std::invalid_argument);
  CHECK(WilderAtr(14).period() == 14);
}
