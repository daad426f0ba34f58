// The public WebSocket parser on real captures and on malformed input.
#include "public_message.hpp"

#include "bybit_error.hpp"
#include "fake_bybit.hpp"

#include <doctest/doctest.h>

using namespace mmh::bybit;
using mmh::test::bybit_fixture;

TEST_CASE("bybit ws parser: orderbook snapshot and delta") {
  PublicParser parser;
  PublicMessage m;
  parser.parse(bybit_fixture("ws_orderbook_spot_l50_snapshot.json"), m);
  CHECK(m.kind == PublicKind::orderbook);
  CHECK(m.topic == "orderbook.50.BTCUSDT");
  CHECK(m.snapshot);
  CHECK(m.update_id == 59438060);
  CHECK(m.seq == 4281282229);
  CHECK(m.ts_ms == 1680652808065);
  REQUIRE(m.bids.size() == 1);
  CHECK(m.bids[0].price_e8 == 2816257000000);
  CHECK(m.bids[0].qty_e8 == 7562000);
  parser.parse(bybit_fixture("ws_orderbook_spot_l50_delta.json"), m);
  CHECK(!m.snapshot);
  CHECK(m.update_id == 59438061);
  REQUIRE(m.bids.size() == 2);
  CHECK(m.bids[1].qty_e8 == 0);  // "0" deletes
  REQUIRE(m.asks.size() == 1);
  // The vectors are reused, not appended to.
  parser.parse(bybit_fixture("ws_orderbook_spot_l1_snapshot.json"), m);
  CHECK(m.bids.size() == 1);
  CHECK(m.asks.size() == 1);
}

TEST_CASE("bybit ws parser: trades, klines, tickers") {
  PublicParser parser;
  PublicMessage m;
  parser.parse(bybit_fixture("ws_public_trade_spot.json"), m);
  CHECK(m.kind == PublicKind::trade);
  REQUIRE(m.trades.size() >= 3);
  CHECK(m.trades[0].ts_ms == 1680652847524);
  CHECK(m.trades[0].price_e8 == 2816538000000);
  CHECK(m.trades[0].qty_e8 == 4173200);
  CHECK(m.trades[0].taker_side == MMH_SIDE_SELL);
  CHECK(m.trades[0].trade_id == 2290000000050703789ull);
  parser.parse(bybit_fixture("ws_kline_docs.json"), m);
  CHECK(m.kind == PublicKind::kline);
  REQUIRE(m.klines.size() == 1);
  CHECK(m.klines[0].start_ms == 1672324800000);
  CHECK(m.klines[0].end_ms == 1672325099999);
  CHECK(m.klines[0].close_e8 == 1667700000000);
  CHECK(!m.klines[0].confirm);
  parser.parse(bybit_fixture("ws_tickers_spot.json"), m);
  CHECK(m.kind == PublicKind::ticker);
  CHECK(m.last_price_e8 > 0);
}

TEST_CASE("bybit ws parser: acks and both pong shapes") {
  PublicParser parser;
  PublicMessage m;
  parser.parse(bybit_fixture("ws_subscribe_ack_spot.json"), m);
  CHECK(m.kind == PublicKind::control);
  CHECK(m.op == "subscribe");
  CHECK(m.success);
  CHECK(!m.is_pong());
  parser.parse(bybit_fixture("ws_pong_spot_public.json"), m);
  CHECK(m.is_pong());  // public spot: op "ping", ret_msg "pong"
  parser.parse(bybit_fixture("ws_pong_private.json"), m);
  CHECK(m.is_pong());  // private: op "pong"
}

TEST_CASE("bybit ws parser: malformed messages are parse errors") {
  PublicParser parser;
  PublicMessage m;
  auto error_of = [&](const std::string& text) {
    try {
      parser.parse(text, m);
    } catch (const BybitError& e) {
      return e.kind() == ErrorKind::parse ? std::string(e.what()) : std::string("wrong kind");
    }
    return std::string("no error");
  };
  CHECK(error_of("{").find("bad Bybit WebSocket message") != std::string::npos);
  CHECK(error_of("[]").find("not an object") != std::string::npos);
  CHECK(error_of(R"({"x":1})").find("neither") != std::string::npos);
  CHECK(error_of(R"({"topic":"foo.1","data":{}})").find("unknown topic") != std::string::npos);
  CHECK(error_of(R"({"topic":"orderbook.50.X","type":"delta","data":{"b":[],"a":[]}})")
            .find("without u") != std::string::npos);
  CHECK(error_of(R"({"topic":"orderbook.50.X","data":{"b":[["1"]],"a":[],"u":2}})")
            .find("[price, size]") != std::string::npos);
  CHECK(error_of(R"({"topic":"orderbook.50.X","data":{"b":[["x","1"]],"a":[],"u":2}})")
            .find("book price") != std::string::npos);
  CHECK(error_of(R"({"topic":"publicTrade.X","data":[{"T":1,"p":"1","v":"1","S":"Up"}]})")
            .find("trade side") != std::string::npos);
  CHECK(error_of(R"({"topic":"kline.1.X","data":[{"start":1}]})").find("kline without") !=
        std::string::npos);
  CHECK(error_of(R"({"topic":"tickers.X"})").find("without data") != std::string::npos);
  CHECK(error_of(R"({"data":[],"topic":"publicTrade.X"})").find("data before topic") !=
        std::string::npos);
}
