// The client's request budget, on explicit times.
#include "rate_limiter.hpp"

#include <doctest/doctest.h>

using namespace mmh::bybit;

TEST_CASE("bybit rate limiter: a rolling one-second budget per endpoint") {
  RateLimiter limiter;
  limiter.set_budget("/x", 3);
  CHECK(limiter.acquire("/x", 1000) == 0);
  CHECK(limiter.acquire("/x", 1100) == 0);
  CHECK(limiter.acquire("/x", 1200) == 0);
  CHECK(limiter.acquire("/x", 1300) == 700);  // the 1000 send leaves the window at 2000
  CHECK(limiter.acquire("/x", 2000) == 0);
  CHECK(limiter.acquire("/x", 2050) == 50);  // 1100 leaves at 2100
  // Another endpoint has its own budget; one without a budget only meets the IP budget.
  CHECK(limiter.acquire("/v5/market/kline", 2050) == 0);
}

TEST_CASE("bybit rate limiter: batch cost counts every order") {
  RateLimiter limiter;
  limiter.set_budget("/v5/order/create-batch", 20);
  CHECK(limiter.acquire("/v5/order/create-batch", 0, 10) == 0);
  CHECK(limiter.acquire("/v5/order/create-batch", 10, 10) == 0);
  CHECK(limiter.acquire("/v5/order/create-batch", 20, 1) == 980);  // the t=0 orders leave at 1000
  CHECK(limiter.acquire("/v5/order/create-batch", 1000, 10) == 0);
  CHECK(limiter.acquire("/v5/order/create-batch", 1005, 1) == 5);  // the t=10 orders leave at 1010
}

TEST_CASE("bybit rate limiter: the exchange's headers and 10006 block the endpoint") {
  RateLimiter limiter;
  limiter.on_limit_headers("/v5/order/create", 5, 9999, 1000);  // remaining > 0: nothing
  CHECK(limiter.acquire("/v5/order/create", 1000) == 0);
  limiter.on_limit_headers("/v5/order/create", 0, 1800, 1000);
  CHECK(limiter.acquire("/v5/order/create", 1000) == 800);
  CHECK(limiter.acquire("/v5/order/cancel", 1000) == 0);  // other endpoints are not blocked
  CHECK(limiter.acquire("/v5/order/create", 1800) == 0);
  limiter.block_until("/v5/order/amend", 2500);
  CHECK(limiter.acquire("/v5/order/amend", 2000) == 500);
}

TEST_CASE("bybit rate limiter: the IP-wide budget covers every endpoint") {
  RateLimiter limiter;
  limiter.set_ip_budget(2, 5000);
  CHECK(limiter.acquire("/a", 0) == 0);
  CHECK(limiter.acquire("/b", 1) == 0);
  CHECK(limiter.acquire("/c", 2) == 4998);
  CHECK(limiter.acquire("/c", 5000) == 0);
}
