#include "engine/trade_bars.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

using mmh::TradeBars;

namespace {

constexpr int64_t kSec = 1'000'000'000;

mmh_trade trade(int64_t ts_ns, int64_t price, int64_t qty) {
  return mmh_trade{ts_ns, price, qty, 0, 1, MMH_SIDE_BUY};
}

}  // namespace

TEST_CASE("trade bars: OHLCV per interval, emitted once a later event proves the bar complete") {
  std::vector<mmh_candle> out;
  TradeBars bars(10 * kSec, [&](const mmh_candle& c) { out.push_back(c); });
  bars.add(trade(12 * kSec, 100, 1));
  bars.add(trade(15 * kSec, 104, 2));
  bars.add(trade(17 * kSec, 98, 3));
  bars.add(trade(19 * kSec + 999, 101, 4));
  CHECK(out.empty());
  bars.close_until(20 * kSec - 1);  // not yet
  CHECK(out.empty());
  bars.close_until(20 * kSec);  // the close itself
  REQUIRE(out.size() == 1);
  const mmh_candle& c = out[0];
  CHECK(c.open_ts_ns == 10 * kSec);
  CHECK(c.interval_ns == 10 * kSec);
  CHECK(c.open_e8 == 100);
  CHECK(c.high_e8 == 104);
  CHECK(c.low_e8 == 98);
  CHECK(c.close_e8 == 101);
  CHECK(c.volume_e8 == 10);
  // An empty interval makes no bar (a gap); the bar open at the end is never emitted.
  bars.add(trade(41 * kSec, 105, 1));
  bars.add(trade(55 * kSec, 106, 1));
  REQUIRE(out.size() == 2);
  CHECK(out[1].open_ts_ns == 40 * kSec);
  CHECK(bars.emitted() == 2);
  CHECK_THROWS_AS(TradeBars(0, [](const mmh_candle&) {}), std::invalid_argument);
}
