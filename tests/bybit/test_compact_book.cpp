// The compact orderbook fast path against the general simdjson path: where it accepts a
// message it must read exactly what simdjson reads, and everything else it must hand over.
#include "compact_book.hpp"

#include "bybit_error.hpp"
#include "fake_bybit.hpp"
#include "public_message.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <random>
#include <string>

using namespace mmh::bybit;
using mmh::test::bybit_fixture;

namespace {

// What the fast path reads from `text` (padded as the parser pads), or nothing.
std::optional<PublicMessage> fast(const std::string& text) {
  std::string padded = text;
  padded.append(64, '\0');
  PublicMessage m;
  if (!parse_compact_book(padded.data(), text.size(), m)) return std::nullopt;
  return m;
}

// What the general path reads, or nothing when it refuses the message.
std::optional<PublicMessage> general(const std::string& text) {
  PublicParser parser;
  parser.set_compact_fast_path(false);
  PublicMessage m;
  try {
    parser.parse(text, m);
  } catch (const BybitError&) {
    return std::nullopt;
  }
  return m;
}

void check_same(const PublicMessage& a, const PublicMessage& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.topic == b.topic);
  CHECK(a.ts_ms == b.ts_ms);
  CHECK(a.cts_ms == b.cts_ms);
  CHECK(a.snapshot == b.snapshot);
  CHECK(a.update_id == b.update_id);
  CHECK(a.seq == b.seq);
  REQUIRE(a.bids.size() == b.bids.size());
  REQUIRE(a.asks.size() == b.asks.size());
  for (size_t i = 0; i < a.bids.size(); ++i) {
    CHECK(a.bids[i].price_e8 == b.bids[i].price_e8);
    CHECK(a.bids[i].qty_e8 == b.bids[i].qty_e8);
  }
  for (size_t i = 0; i < a.asks.size(); ++i) {
    CHECK(a.asks[i].price_e8 == b.asks[i].price_e8);
    CHECK(a.asks[i].qty_e8 == b.asks[i].qty_e8);
  }
}

// A decimal of `whole` integer digits and `decimals` fraction digits (0: no '.').
std::string decimal(std::mt19937_64& rng, int whole, int decimals) {
  std::string s;
  for (int i = 0; i < whole; ++i) s += static_cast<char>('0' + rng() % 10);
  if (decimals > 0) s += '.';
  for (int i = 0; i < decimals; ++i) s += static_cast<char>('0' + rng() % 10);
  return s;
}

const std::string kHead = R"({"topic":"orderbook.50.ETHUSDT","ts":1732147200000,"type":"delta",)";

}  // namespace

TEST_CASE("bybit compact book: every decimal shape reads as the general path reads it") {
  std::mt19937_64 rng(11);
  for (int whole = 1; whole <= 8; ++whole) {
    for (int decimals = 0; decimals <= 8; ++decimals) {
      CAPTURE(whole);
      CAPTURE(decimals);
      for (int round = 0; round < 20; ++round) {
        std::string price = decimal(rng, whole, decimals);
        price[0] = static_cast<char>('1' + rng() % 9);  // > 0
        const std::string size = decimal(rng, whole, decimals);
        const std::string text = kHead + R"("data":{"s":"ETHUSDT","b":[[")" + price + R"(",")" +
                                 size + R"("]],"a":[],"u":7,"seq":70},"cts":1732147199998})";
        const auto a = fast(text);
        const auto b = general(text);
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        check_same(*a, *b);
        int64_t expected = 0;
        REQUIRE(mmh::sdk::parse_e8(size, expected) == mmh::sdk::ParseDecimal::ok);
        CHECK(a->bids[0].qty_e8 == expected);
      }
    }
  }
}

TEST_CASE("bybit compact book: snapshots, deltas and key orders as Bybit sends them") {
  const std::string spot = kHead + R"("data":{"s":"ETHUSDT","b":[["2500.01","1.5"],)" +
                           R"(["2500","0"]],"a":[["2500.02","0.00001"]],"u":12,)" +
                           R"("seq":4281282232},"cts":1732147199998})";
  const auto a = fast(spot);
  REQUIRE(a.has_value());
  REQUIRE(general(spot).has_value());
  check_same(*a, *general(spot));
  CHECK(a->bids[0].price_e8 == 250001000000);
  CHECK(a->bids[1].qty_e8 == 0);
  CHECK(a->asks[0].qty_e8 == 1000);
  CHECK(a->update_id == 12);
  CHECK(a->seq == 4281282232);
  CHECK(!a->snapshot);
  // The linear testnet capture: type before ts, no cts, an empty side.
  const std::string linear =
      R"({"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1685082883413,"data":)"
      R"({"s":"BTCUSDT","b":[["26368.50","205.017"]],"a":[],"u":1,"seq":8096804776}})";
  REQUIRE(fast(linear).has_value());
  check_same(*fast(linear), *general(linear));
  CHECK(fast(linear)->snapshot);
  CHECK(fast(linear)->asks.empty());
  // A trailing newline is fine.
  REQUIRE(fast(linear + "\n").has_value());
}

TEST_CASE("bybit compact book: anything else is left to the general path") {
  // Each of these is refused by the fast path; the parser as a whole (fast path on) must still
  // read it exactly as the general path does, or refuse it the same way.
  const std::string data_tail = R"("u":7,"seq":70},"cts":1})";
  const std::string cases[] = {
      bybit_fixture("ws_orderbook_spot_l50_delta.json"),                         // pretty-printed
      kHead + R"("data":{"b":[["1e3","1"]],"a":[],)" + data_tail,                // exponent
      kHead + R"("data":{"b":[["123456789.5","1"]],"a":[],)" + data_tail,        // 9 whole digits
      kHead + R"("data":{"b":[["1.123456789","1"]],"a":[],)" + data_tail,        // 9 decimals
      kHead + R"("data":{"b":[["1.","1"]],"a":[],)" + data_tail,                 // no decimals
      kHead + R"("data":{"b":[["0","1"]],"a":[],)" + data_tail,                  // price 0
      kHead + R"("data":{"b":[["-1","1"]],"a":[],)" + data_tail,                 // negative
      kHead + R"("data":{"b":[["1","1","2"]],"a":[],)" + data_tail,              // three cells
      kHead + R"("data":{"b":[[1,"1"]],"a":[],)" + data_tail,                    // a number
      kHead + R"("data":{"b":[["1 ","1"]],"a":[],)" + data_tail,                 // a space
      kHead + R"("data":{"b":[],"a":[],"x":1,)" + data_tail,                     // unknown key
      kHead + R"("data":{"b":[],"a":[],"seq":1},"cts":1})",                      // no u
      kHead + R"("data":{"b":[],"a":[],"u":07,"seq":1},"cts":1})",               // leading zero
      kHead + R"("data":{"b":[],"a":[],"u":-7,"seq":1},"cts":1})",               // negative u
      kHead + R"("data":{"s":"ETH\u0055SDT","b":[],"a":[],)" + data_tail,        // an escape
      kHead + "\"data\":{\"s\":\"ETH\xc3\x9c\",\"b\":[],\"a\":[]," + data_tail,  // non-ASCII
      kHead + R"("data":{"b":[],"a":[],)" + data_tail + "x",                     // trailing junk
      kHead + R"("data":{"b":[],"a":[],)" + data_tail.substr(0, 10),             // cut short
      R"({"topic":"publicTrade.ETHUSDT","ts":1,"type":"snapshot","data":[]})",   // another topic
      R"({"ts":1,"topic":"orderbook.50.ETHUSDT","type":"delta","data":{"b":[],"a":[],"u":2}})",
  };
  for (const std::string& text : cases) {
    CAPTURE(text);
    CHECK(!fast(text).has_value());
    PublicParser with_fast_path;
    PublicMessage m;
    const auto expected = general(text);
    if (expected) {
      with_fast_path.parse(text, m);
      check_same(m, *expected);
    } else {
      CHECK_THROWS_AS(with_fast_path.parse(text, m), BybitError);
    }
  }
}
