#include "candle_fill_model.hpp"
#include "sim_support.hpp"

#include <doctest/doctest.h>

#include <numeric>
#include <string>

using namespace mmh::sim;
using namespace mmh::sim::test;

namespace {

CandleModelConfig config(int64_t through = 1, double participation = 1.0) {
  CandleModelConfig c;
  c.through_ticks = through;
  c.participation = participation;
  return c;
}

}  // namespace

TEST_CASE("candle model: the path is O-L-H-C for up candles and O-H-L-C for down ones") {
  const auto up = candle_path(candle(0, 100, 110, 90, 105, 1));
  CHECK(up[1].price_e8 == 90 * kE8);
  CHECK(up[2].price_e8 == 110 * kE8);
  CHECK(up[3].ts_ns == 60 * kSec);
  const auto down = candle_path(candle(0, 100, 110, 90, 95, 1));
  CHECK(down[1].price_e8 == 110 * kE8);
  CHECK(down[2].price_e8 == 90 * kE8);
}

TEST_CASE("candle model: a bid fills only when traded through by a tick, unless touch") {
  for (const bool touch : {false, true}) {
    SimVenue v = venue();
    CandleFillModel model(config(touch ? 0 : 1));
    v.submit(limit(0, MMH_SIDE_BUY, 250'000, 10'000, "b"));           // 0.1 ETH at 2500.00
    model.on_candle(v, candle(0, 2502, 2503, 2500.00, 2502.5, 100));  // low touches only
    CHECK(fills(v).size() == (touch ? 1u : 0u));
    if (touch) continue;
    v.events().clear();
    // Low 2498: the path O 2502 -> L 2498 reaches 2499.99 at 2.01/4 of the first 20 s leg.
    model.on_candle(v, candle(60 * kSec, 2502, 2503, 2498, 2502.5, 100));
    const auto f = fills(v);
    REQUIRE(f.size() == 1);
    CHECK(f[0].price_ticks == 250'000);
    CHECK(f[0].is_maker == 1);
    CHECK(f[0].ts_ns == 60 * kSec + 10'050'000'000);
    CHECK(fee_e8(f[0]) == 10'000);  // 0.0001 ETH
    CHECK(v.free_e8(true) == 10'000'000 - 10'000);
    CHECK(v.free_e8(false) == (10'000 - 250) * kE8);
    CHECK(v.locked_e8(false) == 0);
  }
}

TEST_CASE(
    "candle model: the participation cap splits a fill over candles, parts sum to the order") {
  SimVenue v = venue();
  CandleFillModel model(config(1, 0.1));
  v.submit(limit(0, MMH_SIDE_SELL, 250'000, 0, "unused"));  // rejected: zero quantity
  v.submit(limit(0, MMH_SIDE_BUY, 250'000, 25'000, "b"));   // 0.25 ETH
  for (int i = 0; i < 4; ++i)  // each candle trades 1 ETH: we may take 0.1
    model.on_candle(v, candle(i * 60 * kSec, 2501, 2502, 2499, 2501, 1.0));
  const auto f = fills(v);
  REQUIRE(f.size() == 3);
  CHECK(f[0].qty_lots == 10'000);
  CHECK(f[1].qty_lots == 10'000);
  CHECK(f[2].qty_lots == 5'000);
  const auto u = updates(v);
  CHECK(u.back().status == MMH_ORDER_STATUS_FILLED);
  CHECK(u.back().filled_qty_lots == 25'000);
  // Quote paid for the three parts equals the lock of the whole order: nothing left locked.
  CHECK(v.locked_e8(false) == 0);
  CHECK(v.free_e8(false) == 10'000 * kE8 - 625 * kE8);
}

TEST_CASE("candle model: a market order fills at the touch plus slippage, at its due time") {
  LatencyConfig lat;
  lat.entry = LatencySpec::parse("30000");  // 30 s: halfway up the candle's last leg
  SimVenue v = venue(0.001, 0.001, lat, 10'000'000, 10'000 * kE8);
  CandleModelConfig c = config();
  CandleModelConfig::parse_slippage("bps:1", c);
  CandleFillModel model(c);
  v.submit(market(0, MMH_SIDE_SELL, 10'000, "m"));
  // Up candle: O 2500 (0 s) -> L 2490 (20 s) -> H 2520 (40 s): at 30 s the path is at 2505.
  model.on_candle(v, candle(0, 2500, 2520, 2490, 2510, 100));
  const auto f = fills(v);
  REQUIRE(f.size() == 1);
  CHECK(f[0].ts_ns == 30 * kSec);
  // Bid 2505.00 minus 1 bp (0.2505) = 2504.7495, rounded down to 2504.74.
  CHECK(f[0].price_ticks == 250'474);
  CHECK(f[0].is_maker == 0);
  CHECK(std::string(f[0].fee_asset) == "USDT");
  CHECK(v.free_e8(true) == 0);
}

TEST_CASE("candle model: a command due after the close waits for the next candle") {
  LatencyConfig lat;
  lat.entry = LatencySpec::parse("90000");
  SimVenue v = venue(0.001, 0.001, lat);
  CandleFillModel model(config());
  v.submit(limit(0, MMH_SIDE_BUY, 250'000, 1'000, "late"));
  model.on_candle(v, candle(0, 2501, 2502, 2400, 2501, 100));  // would fill, but not live yet
  CHECK(updates(v).empty());
  model.on_candle(v, candle(60 * kSec, 2501, 2502, 2495, 2501, 100));
  const auto u = updates(v);
  REQUIRE(!u.empty());
  CHECK(u[0].ts_ns == 90 * kSec);
  // Live from 90 s, when the path is on its way up from L 2495 (80 s) to H 2502 (100 s), at
  // 2498.50: the bid at 2500 is marketable and takes the ask, 2498.51.
  const auto f = fills(v);
  REQUIRE(f.size() == 1);
  CHECK(f[0].ts_ns == 90 * kSec);
  CHECK(f[0].price_ticks == 249'851);
  CHECK(f[0].is_maker == 0);
}

TEST_CASE("candle model: commands acting at one point each see the orders the one before left") {
  // Spread 3 ticks, trade-through 1: a bid one tick above the price is not marketable, yet the
  // price is already through it. Placed, then cancelled at the same instant, it fills in
  // between; the bid placed before it, out of reach, stays. A third candle's commands at one
  // point re-sweep only what changed, so the untouched bid neither fills nor goes.
  CandleModelConfig c = config();
  c.spread_ticks = 3;
  SimVenue v = venue();
  CandleFillModel model(c);
  v.submit(limit(60 * kSec, MMH_SIDE_BUY, 249'000, 1'000, "deep"));
  v.submit(limit(60 * kSec, MMH_SIDE_BUY, 250'201, 1'000, "near"));  // open 2502.00 + 1 tick
  v.submit(cancel(60 * kSec, "near"));
  model.on_candle(v, candle(60 * kSec, 2502, 2503, 2501.5, 2502.5, 100));
  auto f = fills(v);
  REQUIRE(f.size() == 1);
  CHECK(std::string(f[0].client_id) == "near");
  CHECK(f[0].ts_ns == 60 * kSec);
  CHECK(f[0].is_maker == 1);
  const auto u = updates(v);
  REQUIRE(!u.empty());
  CHECK(u.back().status == MMH_ORDER_STATUS_REJECTED);  // the cancel came after the fill
  CHECK(v.open_orders() == 1);
  v.events().clear();
  v.submit(limit(120 * kSec, MMH_SIDE_BUY, 249'001, 1'000, "deep2"));
  v.submit(cancel(120 * kSec, "deep2"));
  model.on_candle(v, candle(120 * kSec, 2502, 2503, 2501.5, 2502.5, 100));
  CHECK(fills(v).empty());
  CHECK(v.open_orders() == 1);
}
