// The local book's Bybit rules, message by message.
#include "order_book.hpp"

#include "public_message.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

using namespace mmh::bybit;

namespace {

constexpr int64_t E8 = 100000000;

PublicMessage book(bool snapshot, uint64_t u, std::vector<mmh_book_level> bids,
                   std::vector<mmh_book_level> asks) {
  PublicMessage m;
  m.kind = PublicKind::orderbook;
  m.snapshot = snapshot;
  m.update_id = u;
  m.bids = std::move(bids);
  m.asks = std::move(asks);
  return m;
}

}  // namespace

TEST_CASE("bybit book: snapshot, then deltas insert, overwrite and delete levels") {
  OrderBook b(50);
  CHECK(!b.valid());
  CHECK(b.apply(book(false, 5, {{100 * E8, E8}}, {})) == OrderBook::Result::no_snapshot);
  CHECK(b.apply(book(true, 10, {{100 * E8, E8}, {99 * E8, 2 * E8}}, {{101 * E8, E8}})) ==
        OrderBook::Result::snapshot);
  CHECK(b.valid());
  CHECK(b.apply(book(false, 11, {{99 * E8, 0}, {100 * E8, 3 * E8}, {98 * E8, E8}},
                     {{102 * E8, E8}, {101 * E8, 0}})) == OrderBook::Result::applied);
  REQUIRE(b.bids().size() == 2);
  CHECK(b.bids()[0].price_e8 == 100 * E8);
  CHECK(b.bids()[0].qty_e8 == 3 * E8);
  CHECK(b.bids()[1].price_e8 == 98 * E8);
  REQUIRE(b.asks().size() == 1);
  CHECK(b.asks()[0].price_e8 == 102 * E8);
  CHECK(b.last_update_id() == 11);
  // Deleting a level that is not there changes nothing.
  CHECK(b.apply(book(false, 12, {{50 * E8, 0}}, {})) == OrderBook::Result::applied);
  CHECK(b.bids().size() == 2);
}

TEST_CASE("bybit book: duplicates are ignored, a gap invalidates until the next snapshot") {
  OrderBook b(50);
  b.apply(book(true, 10, {{100 * E8, E8}}, {{101 * E8, E8}}));
  CHECK(b.apply(book(false, 11, {{100 * E8, 5 * E8}}, {})) == OrderBook::Result::applied);
  CHECK(b.apply(book(false, 11, {{100 * E8, 9 * E8}}, {})) == OrderBook::Result::duplicate);
  CHECK(b.apply(book(false, 9, {{100 * E8, 9 * E8}}, {})) == OrderBook::Result::duplicate);
  CHECK(b.bids()[0].qty_e8 == 5 * E8);
  CHECK(b.apply(book(false, 13, {{100 * E8, E8}}, {})) == OrderBook::Result::gap);
  CHECK(!b.valid());
  CHECK(b.bids().empty());
  CHECK(b.apply(book(false, 14, {{100 * E8, E8}}, {})) == OrderBook::Result::no_snapshot);
  CHECK(b.apply(book(true, 20, {{100 * E8, 7 * E8}}, {})) == OrderBook::Result::snapshot);
  CHECK(b.valid());
  CHECK(b.apply(book(false, 21, {}, {})) == OrderBook::Result::applied);
}

TEST_CASE("bybit book: u == 1 is a restart, an L1 resend with the same u is no gap") {
  OrderBook b(1);
  b.apply(book(true, 500, {{100 * E8, E8}}, {{101 * E8, E8}}));
  CHECK(b.apply(book(true, 500, {{100 * E8, E8}}, {{101 * E8, E8}})) ==
        OrderBook::Result::snapshot);
  CHECK(b.valid());
  // A restart may even come as a "delta": u == 1 replaces the book.
  CHECK(b.apply(book(false, 1, {{90 * E8, E8}}, {{91 * E8, E8}})) == OrderBook::Result::snapshot);
  CHECK(b.bids()[0].price_e8 == 90 * E8);
  CHECK(b.apply(book(false, 2, {{90 * E8, 2 * E8}}, {})) == OrderBook::Result::applied);
}

TEST_CASE("bybit book: levels beyond the depth are trimmed, sides stay sorted best first") {
  OrderBook b(3);
  b.apply(book(true, 1, {{97 * E8, E8}, {100 * E8, E8}, {98 * E8, E8}, {99 * E8, E8}},
               {{104 * E8, E8}, {101 * E8, E8}, {103 * E8, E8}, {102 * E8, E8}}));
  REQUIRE(b.bids().size() == 3);
  CHECK(b.bids()[0].price_e8 == 100 * E8);
  CHECK(b.bids()[2].price_e8 == 98 * E8);
  REQUIRE(b.asks().size() == 3);
  CHECK(b.asks()[0].price_e8 == 101 * E8);
  CHECK(b.asks()[2].price_e8 == 103 * E8);
  b.apply(book(false, 2, {{99 * E8 + 50000000, E8}}, {{100 * E8 + 50000000, E8}}));
  CHECK(b.bids()[1].price_e8 == 99 * E8 + 50000000);
  CHECK(b.bids().size() == 3);
  CHECK(b.asks()[0].price_e8 == 100 * E8 + 50000000);
  CHECK(b.asks().size() == 3);
}

TEST_CASE("bybit book: a large sorted delta is merged exactly as level by level") {
  // Two books get the same random deltas: one as sent (sorted best first, >= 8 levels: the
  // merge), the other in reverse (not sorted: level by level). Prices on a 40-tick grid around
  // 100 so inserts, overwrites, deletes of present and absent levels and trims all happen.
  std::mt19937_64 rng(7);
  OrderBook merged(20);
  OrderBook by_level(20);
  const auto side = [&](bool bids) {
    std::vector<mmh_book_level> levels;
    for (int tick = 0; tick < 40; ++tick) {
      if (rng() % 3 != 0) continue;
      const int64_t price = bids ? (100 - tick) * E8 : (101 + tick) * E8;
      levels.push_back({price, rng() % 4 == 0 ? 0 : static_cast<int64_t>(1 + rng() % 9) * E8});
    }
    return levels;
  };
  CHECK(merged.apply(book(true, 1, side(true), side(false))) == OrderBook::Result::snapshot);
  CHECK(by_level.apply(book(true, 1, side(true), side(false))) == OrderBook::Result::snapshot);
  by_level = merged;
  size_t merges = 0;
  for (uint64_t u = 2; u < 300; ++u) {
    PublicMessage m = book(false, u, side(true), side(false));
    if (m.bids.size() >= 8) ++merges;
    PublicMessage reversed = m;
    std::reverse(reversed.bids.begin(), reversed.bids.end());
    std::reverse(reversed.asks.begin(), reversed.asks.end());
    REQUIRE(merged.apply(m) == OrderBook::Result::applied);
    REQUIRE(by_level.apply(reversed) == OrderBook::Result::applied);
    REQUIRE(merged.bids().size() == by_level.bids().size());
    REQUIRE(merged.asks().size() == by_level.asks().size());
    for (size_t i = 0; i < merged.bids().size(); ++i) {
      CHECK(merged.bids()[i].price_e8 == by_level.bids()[i].price_e8);
      CHECK(merged.bids()[i].qty_e8 == by_level.bids()[i].qty_e8);
    }
    for (size_t i = 0; i < merged.asks().size(); ++i) {
      CHECK(merged.asks()[i].price_e8 == by_level.asks()[i].price_e8);
      CHECK(merged.asks()[i].qty_e8 == by_level.asks()[i].qty_e8);
    }
    CHECK(merged.bids().size() <= 20);
  }
  CHECK(merges > 250);  // the merge path really ran
}
