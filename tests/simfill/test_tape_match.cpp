#include "tape_match.hpp"

#include "sim_support.hpp"
#include "trade_fill_model.hpp"

#include <doctest/doctest.h>

using namespace mmh::sim;
using namespace mmh::sim::test;

TEST_CASE("tape match: one trade serves our best-priced order first and counts size at price") {
  SimVenue v = venue();
  TradeFillModel applier(TradeModelConfig{});                 // only to apply the commands
  v.submit(limit(0, MMH_SIDE_BUY, 250'000, 30'000, "low"));   // 0.3 @ 2500.00, first in time
  v.submit(limit(0, MMH_SIDE_BUY, 250'001, 20'000, "high"));  // 0.2 @ 2500.01
  applier.advance(v, 0);
  std::vector<SimOrder*> rest;
  v.resting(rest);
  REQUIRE(rest.size() == 2);
  for (SimOrder* o : rest) o->queue_ahead_e8 = 10'000'000;  // 0.1 ahead of each

  // A 0.4 sell at 2500.00 goes through "high" (fills 0.2 outright), then reaches "low" at its
  // price: 0.1 of queue first, then 0.1 for us.
  const mmh_trade t{1, 2500 * kE8, 40'000'000, 0, 1, MMH_SIDE_SELL};
  std::vector<SimOrder*> scratch;
  match_trade(v, t, scratch);
  const auto f = fills(v);
  REQUIRE(f.size() == 2);
  CHECK(std::string(f[0].client_id) == "high");
  CHECK(f[0].qty_lots == 20'000);
  CHECK(std::string(f[1].client_id) == "low");
  CHECK(f[1].qty_lots == 10'000);
  v.resting(rest);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0]->queue_ahead_e8 == 0);
  CHECK(rest[0]->queue_traded_e8 == 40'000'000);  // the whole print at its price

  // A buy (lifting asks) does not touch our bids.
  match_trade(v, mmh_trade{2, 2499 * kE8, kE8, 0, 1, MMH_SIDE_BUY}, scratch);
  CHECK(fills(v).size() == 2);
}
