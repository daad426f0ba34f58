// Backoff delays: doubling, capped, jittered within [base/2, base].
#include "backoff.hpp"

#include <doctest/doctest.h>

using mmh::bybit::backoff_delay_ms;

TEST_CASE("bybit backoff: doubles per attempt within the jitter band, up to the cap") {
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 50; ++trial) {
    const int64_t first = backoff_delay_ms(1, 100, 1000, rng);
    CHECK(first >= 50);
    CHECK(first <= 100);
    const int64_t third = backoff_delay_ms(3, 100, 1000, rng);
    CHECK(third >= 200);
    CHECK(third <= 400);
    const int64_t late = backoff_delay_ms(20, 100, 1000, rng);
    CHECK(late >= 500);
    CHECK(late <= 1000);
  }
  CHECK(backoff_delay_ms(5, 0, 1000, rng) == 0);
  CHECK(backoff_delay_ms(5, 1, 1, rng) == 1);
  // Jitter: not every draw is the same.
  int64_t low = 1000, high = 0;
  for (int i = 0; i < 100; ++i) {
    const int64_t d = backoff_delay_ms(4, 100, 10000, rng);
    low = std::min(low, d);
    high = std::max(high, d);
  }
  CHECK(high - low > 100);
}
