// Live batches are copied with the book levels their records point at.
#include "engine/owned_batch.hpp"

#include <doctest/doctest.h>

#include <vector>

using mmh::OwnedBatch;

TEST_CASE("owned batch: book levels are copied, and survive the poster reusing its buffer") {
  std::vector<mmh_book_level> levels = {{100, 1}, {99, 2}, {101, 3}};
  mmh_book_update updates[2]{};
  updates[0].ts_ns = 10;
  updates[0].bid_count = 2;
  updates[0].ask_count = 1;
  updates[0].bids = levels.data();
  updates[0].asks = levels.data() + 2;
  updates[1].ts_ns = 11;  // the empty snapshot: "book unknown"
  const mmh_batch borrowed{
      sizeof(mmh_batch), MMH_EVENT_BOOK_SNAPSHOT, sizeof(mmh_book_update), 0, 2, updates};
  std::vector<OwnedBatch> kept;
  kept.emplace_back(borrowed);
  levels = {{1, 1}, {1, 1}, {1, 1}};                         // the poster moves on
  for (int i = 0; i < 10; ++i) kept.emplace_back(borrowed);  // reallocations move the first
  const mmh_batch copy = kept.front().batch();
  REQUIRE(copy.count == 2);
  CHECK(copy.kind == MMH_EVENT_BOOK_SNAPSHOT);
  const auto* u = static_cast<const mmh_book_update*>(copy.records);
  CHECK(u[0].ts_ns == 10);
  REQUIRE(u[0].bid_count == 2);
  CHECK(u[0].bids[0].price_e8 == 100);
  CHECK(u[0].bids[1].qty_e8 == 2);
  REQUIRE(u[0].ask_count == 1);
  CHECK(u[0].asks[0].price_e8 == 101);
  CHECK(u[1].bid_count == 0);
  CHECK(u[1].ask_count == 0);
  CHECK(copy.records != updates);
}

TEST_CASE("owned batch: plain records are copied byte for byte") {
  mmh_trade trades[2] = {{1, 100, 5, 7, 1, MMH_SIDE_BUY}, {2, 101, 6, 8, 1, MMH_SIDE_SELL}};
  const OwnedBatch owned(
      mmh_batch{sizeof(mmh_batch), MMH_EVENT_TRADE, sizeof(mmh_trade), 0, 2, trades});
  trades[0].price_e8 = 0;
  const mmh_batch copy = owned.batch();
  const auto* t = static_cast<const mmh_trade*>(copy.records);
  CHECK(copy.count == 2);
  CHECK(t[0].price_e8 == 100);
  CHECK(t[1].trade_id == 8);
}
