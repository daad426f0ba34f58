#include "sim_support.hpp"
#include "trade_fill_model.hpp"

#include <doctest/doctest.h>

using namespace mmh::sim;
using namespace mmh::sim::test;

namespace {

mmh_trade trade(int64_t ts_ns, double price, double qty, uint32_t taker_side) {
  return mmh_trade{ts_ns,
                   static_cast<int64_t>(price * 1e8 + 0.5),
                   static_cast<int64_t>(qty * 1e8 + 0.5),
                   0,
                   1,
                   taker_side};
}

mmh_ticker ticker(int64_t ts_ns, double bid, double bid_qty, double ask, double ask_qty) {
  auto e8 = [](double x) { return static_cast<int64_t>(x * 1e8 + 0.5); };
  return mmh_ticker{ts_ns, e8(bid), e8(bid_qty), e8(ask), e8(ask_qty), 1, 0};
}

}  // namespace

TEST_CASE("trades model: the displayed size is ahead of us and only trades at our price eat it") {
  SimVenue v = venue();
  TradeFillModel model(TradeModelConfig{});
  model.on_ticker(v, ticker(0, 2500.00, 2.0, 2500.01, 1.0));
  v.submit(limit(1, MMH_SIDE_BUY, 250'000, 50'000, "b"));  // 0.5 ETH joins 2 ETH at the bid
  model.advance(v, 1);
  std::vector<SimOrder*> rest;
  v.resting(rest);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0]->queue_ahead_e8 == 2 * kE8);

  model.on_trade(v, trade(2, 2500.00, 1.5, MMH_SIDE_SELL));  // eats 1.5 of the 2 ahead
  model.on_trade(v, trade(3, 2500.01, 4.0, MMH_SIDE_BUY));   // the other side: no effect
  CHECK(fills(v).empty());
  CHECK(rest[0]->queue_ahead_e8 == 50'000'000);
  model.on_trade(v, trade(4, 2500.00, 0.7, MMH_SIDE_SELL));  // 0.5 queue, then 0.2 for us
  auto f = fills(v);
  REQUIRE(f.size() == 1);
  CHECK(f[0].qty_lots == 20'000);
  CHECK(f[0].is_maker == 1);
  CHECK(updates(v).back().status == MMH_ORDER_STATUS_PARTIALLY_FILLED);
  CHECK(updates(v).back().leaves_qty_lots == 30'000);
  // A trade through our price fills us up to its size.
  model.on_trade(v, trade(5, 2499.99, 0.1, MMH_SIDE_SELL));
  model.on_trade(v, trade(6, 2499.98, 5.0, MMH_SIDE_SELL));
  f = fills(v);
  REQUIRE(f.size() == 3);
  CHECK(f[1].qty_lots == 10'000);
  CHECK(f[2].qty_lots == 20'000);
  int64_t total = 0;
  for (const auto& x : f) total += x.qty_lots;
  CHECK(total == 50'000);
  CHECK(updates(v).back().status == MMH_ORDER_STATUS_FILLED);
}

TEST_CASE("trades model: a new best price is first in line, unknown levels use the estimate") {
  SimVenue v = venue();
  TradeModelConfig c;
  c.queue_trades = 2;
  TradeFillModel model(c);
  model.on_trade(v, trade(0, 2500.00, 0.3, MMH_SIDE_SELL));
  model.on_trade(v, trade(1, 2500.00, 0.1, MMH_SIDE_SELL));  // mean size 0.2
  model.on_ticker(v, ticker(2, 2500.00, 3.0, 2500.05, 1.0));
  v.submit(limit(3, MMH_SIDE_BUY, 250'002, 1'000, "better"));
  v.submit(limit(3, MMH_SIDE_BUY, 249'990, 1'000, "deeper"));
  model.advance(v, 3);
  std::vector<SimOrder*> rest;
  v.resting(rest);
  REQUIRE(rest.size() == 2);
  CHECK(rest[0]->queue_ahead_e8 == 0);
  CHECK(rest[1]->queue_ahead_e8 == 40'000'000);  // 2 x 0.2 ETH
}

TEST_CASE("trades model: one trade's size is shared among our orders, best price first") {
  SimVenue v = venue();
  TradeFillModel model(TradeModelConfig{0, 1, 1.0});
  model.on_trade(v, trade(0, 2500.00, 0.1, MMH_SIDE_BUY));
  v.submit(limit(1, MMH_SIDE_BUY, 249'990, 5'000, "low"));
  v.submit(limit(1, MMH_SIDE_BUY, 249'995, 5'000, "high"));
  model.advance(v, 1);
  model.on_trade(v, trade(2, 2499.80, 0.07, MMH_SIDE_SELL));
  const auto f = fills(v);
  REQUIRE(f.size() == 2);
  CHECK(std::string(f[0].client_id) == "high");
  CHECK(f[0].qty_lots == 5'000);
  CHECK(f[1].qty_lots == 2'000);
}
