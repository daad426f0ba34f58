#include "engine/book_top.hpp"

#include <doctest/doctest.h>

#include <vector>

using mmh::BookTop;

namespace {

constexpr int64_t E8 = 100'000'000;

struct Message {
  std::vector<mmh_book_level> bids, asks;
  mmh_book_update update(int64_t ts_ns) const {
    mmh_book_update u{};
    u.ts_ns = ts_ns;
    u.bid_count = static_cast<uint32_t>(bids.size());
    u.ask_count = static_cast<uint32_t>(asks.size());
    u.bids = bids.data();
    u.asks = asks.data();
    return u;
  }
};

}  // namespace

TEST_CASE("book top: snapshots replace, deltas update, only a changed top is news") {
  BookTop book;
  mmh_ticker top{};
  const Message snap{{{100 * E8, 2 * E8}, {99 * E8, 5 * E8}}, {{101 * E8, 1 * E8}}};
  REQUIRE(book.apply(MMH_EVENT_BOOK_SNAPSHOT, snap.update(1), top));
  CHECK(top.ts_ns == 1);
  CHECK(top.bid_price_e8 == 100 * E8);
  CHECK(top.bid_qty_e8 == 2 * E8);
  CHECK(top.ask_price_e8 == 101 * E8);
  // A level behind the top changes: no news.
  const Message deeper{{{99 * E8, 7 * E8}}, {}};
  CHECK_FALSE(book.apply(MMH_EVENT_BOOK_DELTA, deeper.update(2), top));
  // The best bid is removed: the next one is the top.
  const Message removed{{{100 * E8, 0}}, {}};
  REQUIRE(book.apply(MMH_EVENT_BOOK_DELTA, removed.update(3), top));
  CHECK(top.bid_price_e8 == 99 * E8);
  CHECK(top.bid_qty_e8 == 7 * E8);
  // A better ask arrives.
  const Message better{{}, {{100 * E8 + 50'000'000, 3 * E8}}};
  REQUIRE(book.apply(MMH_EVENT_BOOK_DELTA, better.update(4), top));
  CHECK(top.ask_price_e8 == 100 * E8 + 50'000'000);
  // A new snapshot forgets every old level.
  const Message again{{{50 * E8, 1 * E8}}, {{51 * E8, 1 * E8}}};
  REQUIRE(book.apply(MMH_EVENT_BOOK_SNAPSHOT, again.update(5), top));
  CHECK(top.bid_price_e8 == 50 * E8);
  CHECK(top.ask_price_e8 == 51 * E8);
  // An empty snapshot (the book is unknown) empties the top.
  const Message empty{{}, {}};
  REQUIRE(book.apply(MMH_EVENT_BOOK_SNAPSHOT, empty.update(6), top));
  CHECK(top.bid_price_e8 == 0);
  CHECK(top.ask_price_e8 == 0);
}
