#include "book_fill_model.hpp"

#include "sim_support.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

using namespace mmh::sim;
using namespace mmh::sim::test;

namespace {

// A book message with its own level storage.
struct Msg {
  std::vector<mmh_book_level> bids, asks;
  mmh_book_update update(int64_t ts_ns) const {
    mmh_book_update u{};
    u.ts_ns = ts_ns;
    u.symbol_id = 1;
    u.bid_count = static_cast<uint32_t>(bids.size());
    u.ask_count = static_cast<uint32_t>(asks.size());
    u.bids = bids.data();
    u.asks = asks.data();
    return u;
  }
};

mmh_book_level lvl(double price, double qty) {
  return {static_cast<int64_t>(price * 1e8 + 0.5), static_cast<int64_t>(qty * 1e8 + 0.5)};
}

mmh_trade sell(int64_t ts_ns, double price, double qty) {
  return mmh_trade{ts_ns,
                   static_cast<int64_t>(price * 1e8 + 0.5),
                   static_cast<int64_t>(qty * 1e8 + 0.5),
                   0,
                   1,
                   MMH_SIDE_SELL};
}

SimOrder order_with_queue(int64_t ahead_e8) {
  SimOrder o;
  o.side = MMH_SIDE_BUY;
  o.queue_ahead_e8 = ahead_e8;
  return o;
}

const Msg kBook{{lvl(100.00, 5), lvl(99.99, 2)}, {lvl(100.01, 0.4), lvl(100.02, 1.0)}};

}  // namespace

TEST_CASE("book queue models: hand-computed level changes") {
  const BookModelConfig power2 = BookModelConfig::parse_queue("power:2");
  const BookModelConfig averse = BookModelConfig::parse_queue("risk_averse");

  // 3 ahead, 7 behind, the level drops 10 -> 6 with no trades: 4 cancelled.
  // p = 7^2 / (7^2 + 3^2) = 49/58 taken from behind; front' = 3 - (9/58) * 4 = 2.37931034...
  SimOrder o = order_with_queue(3 * kE8);
  apply_level_change(power2, o, 10 * kE8, 6 * kE8);
  CHECK(o.queue_ahead_e8 == 237'931'034);

  // Risk-averse: cancels are never ahead of us; only a level smaller than the queue caps it.
  o = order_with_queue(3 * kE8);
  apply_level_change(averse, o, 10 * kE8, 6 * kE8);
  CHECK(o.queue_ahead_e8 == 3 * kE8);
  apply_level_change(averse, o, 6 * kE8, 2 * kE8);
  CHECK(o.queue_ahead_e8 == 2 * kE8);

  // A decrease that trades explain is not counted again.
  o = order_with_queue(3 * kE8);
  o.queue_traded_e8 = 4 * kE8;
  apply_level_change(power2, o, 10 * kE8, 6 * kE8);
  CHECK(o.queue_ahead_e8 == 3 * kE8);
  CHECK(o.queue_traded_e8 == 0);

  // Growth joins behind us.
  o = order_with_queue(3 * kE8);
  apply_level_change(power2, o, 10 * kE8, 12 * kE8);
  CHECK(o.queue_ahead_e8 == 3 * kE8);

  // log: f(x) = ln(1 + x) in base units: p = ln 8 / (ln 8 + ln 4) = 0.6;
  // front' = 3 - 0.4 * 4 = 1.4.
  o = order_with_queue(3 * kE8);
  apply_level_change(BookModelConfig::parse_queue("log"), o, 10 * kE8, 6 * kE8);
  CHECK(o.queue_ahead_e8 == 140'000'000);

  // A cancel bigger than what is behind us must come partly from the front.
  // front 3, back 1, drop 10 -> ... prev 4 -> 1: chg 3, p = 1/(1+9) = 0.1;
  // front' = 3 - 0.9 * 3 + min(1 - 0.3, 0) = 0.3.
  o = order_with_queue(3 * kE8);
  apply_level_change(power2, o, 4 * kE8, 1 * kE8);
  CHECK(o.queue_ahead_e8 == 30'000'000);

  CHECK_THROWS_AS(BookModelConfig::parse_queue("power:0"), std::invalid_argument);
  CHECK_THROWS_AS(BookModelConfig::parse_queue("fifo"), std::invalid_argument);
  CHECK(power2.queue_name() == "power:2");
}

TEST_CASE("book model: queue from the book, trades and cancels move it, then we fill") {
  SimVenue v = venue();
  BookFillModel model(BookModelConfig::parse_queue("power:2"));
  model.on_book(v, kBook.update(0), true);
  v.submit(limit(1, MMH_SIDE_BUY, 10'000, 100'000, "b"));  // 1.0 @ 100.00 behind 5
  model.advance(v, 1);
  std::vector<SimOrder*> rest;
  v.resting(rest);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0]->queue_ahead_e8 == 5 * kE8);

  model.on_trade(v, sell(2, 100.00, 3));  // queue 5 -> 2
  CHECK(rest[0]->queue_ahead_e8 == 2 * kE8);
  // The level shows 1 (was 5): 3 traded, 1 cancelled. After the trades the level was 2, all of
  // it ahead of us (back 0): p = 0, front' = 2 - 1 = 1.
  const Msg drop{{lvl(100.00, 1)}, {}};
  model.on_book(v, drop.update(3), false);
  CHECK(rest[0]->queue_ahead_e8 == 1 * kE8);
  CHECK(fills(v).empty());

  model.on_trade(v, sell(4, 100.00, 1.5));  // 1 queue, 0.5 for us
  const auto f = fills(v);
  REQUIRE(f.size() == 1);
  CHECK(f[0].qty_lots == 50'000);
  CHECK(f[0].price_ticks == 10'000);
  CHECK(f[0].is_maker == 1);
}

TEST_CASE("book model: market orders walk the book, FOK and PostOnly see its depth") {
  SimVenue v = venue(0.001, 0.001, {}, 2 * kE8, 10'000 * kE8);
  BookFillModel model(BookModelConfig::parse_queue("risk_averse"));
  model.on_book(v, kBook.update(0), true);

  v.submit(market(1, MMH_SIDE_BUY, 100'000, "m"));  // 1.0: 0.4 @ 100.01, 0.6 @ 100.02
  model.advance(v, 1);
  auto f = fills(v);
  REQUIRE(f.size() == 2);
  CHECK(f[0].price_ticks == 10'001);
  CHECK(f[0].qty_lots == 40'000);
  CHECK(f[1].price_ticks == 10'002);
  CHECK(f[1].qty_lots == 60'000);
  CHECK(f[0].is_maker == 0);
  v.events().clear();

  // FOK for 2.0 up to 100.02: only 1.4 is there -> cancelled, nothing filled.
  v.submit(limit(2, MMH_SIDE_BUY, 10'002, 200'000, "fok", MMH_TIF_FOK));
  model.advance(v, 2);
  CHECK(fills(v).empty());
  CHECK(updates(v).back().status == MMH_ORDER_STATUS_CANCELLED);

  // PostOnly at the ask would cross: rejected.
  v.submit(limit(3, MMH_SIDE_BUY, 10'001, 10'000, "po", MMH_TIF_POST_ONLY));
  model.advance(v, 3);
  CHECK(updates(v).back().status == MMH_ORDER_STATUS_REJECTED);

  // Market sell walks the bids: 2.0 ETH held, sells 1.0 at 100.00.
  v.events().clear();
  v.submit(market(4, MMH_SIDE_SELL, 100'000, "s"));
  model.advance(v, 4);
  f = fills(v);
  REQUIRE(f.size() == 1);
  CHECK(f[0].price_ticks == 10'000);
}

TEST_CASE("book model: a book that crosses our resting order fills it at our price") {
  SimVenue v = venue(0.001, 0.001, {}, 2 * kE8, 0);
  BookFillModel model(BookModelConfig::parse_queue("power:2"));
  model.on_book(v, kBook.update(0), true);
  v.submit(limit(1, MMH_SIDE_SELL, 10'005, 100'000, "s"));  // 1.0 @ 100.05
  model.advance(v, 1);
  CHECK(fills(v).empty());
  const Msg up{{lvl(100.06, 0.3)}, {}};  // someone bids 0.3 above our ask
  model.on_book(v, up.update(2), false);
  const auto f = fills(v);
  REQUIRE(f.size() == 1);
  CHECK(f[0].price_ticks == 10'005);
  CHECK(f[0].qty_lots == 30'000);
  CHECK(f[0].is_maker == 1);
}
