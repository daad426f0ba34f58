// The public stream session against the loopback fake over TLS: the book is built from a
// snapshot and deltas; a gap, a restart, duplicates, a dropped connection and a silent stream
// are each survived with the book marked invalid until a fresh snapshot arrives.
#include "public_stream.hpp"

#include "fake_bybit.hpp"
#include "test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

#include <functional>

using namespace mmh::bybit;
using namespace mmh::test;

namespace {

constexpr int64_t E8 = 100000000;

struct StreamFixture {
  FakeBybit fake;
  TempDir dir;
  boost::asio::io_context ioc;
  std::shared_ptr<PublicStream> stream;
  std::vector<std::string> invalid_reasons;
  std::vector<std::string> logs;
  std::vector<KlineUpdate> bars;
  std::vector<PublicTrade> trades;
  uint64_t book_events = 0;

  explicit StreamFixture(int64_t stale_ms = 10000) {
    fake.set_book("ETHUSDT", {{2500 * E8, 2 * E8}, {2499 * E8, 3 * E8}},
                  {{2501 * E8, E8}, {2502 * E8, 4 * E8}}, 1000);
    const VenueConfig venue = load_venue_config(fake.write_venue_file(dir.path().string()));
    PublicStreamSettings s;
    s.url = venue.ws_public_url;
    s.ca_file = venue.ca_file;
    s.symbol = "ETHUSDT";
    s.depth = 50;
    s.kline_interval = "1";
    s.stale_ms = stale_ms;
    s.ping_ms = 100;
    s.backoff_initial_ms = 20;
    s.backoff_max_ms = 50;
    PublicStreamEvents e;
    e.on_book = [this](const OrderBook&, const PublicMessage&) { ++book_events; };
    e.on_book_invalid = [this](const std::string& why) { invalid_reasons.push_back(why); };
    e.on_kline_closed = [this](const KlineUpdate& bar) { bars.push_back(bar); };
    e.on_trades = [this](const std::vector<PublicTrade>& t) {
      trades.insert(trades.end(), t.begin(), t.end());
    };
    e.log = [this](int, const std::string& m) { logs.push_back(m); };
    stream = std::make_shared<PublicStream>(ioc.get_executor(), s, e);
    boost::asio::co_spawn(ioc, stream->run(), boost::asio::detached);
  }
  ~StreamFixture() {
    stream->stop();
    ioc.run_for(std::chrono::milliseconds(50));
  }
  // Runs the client's loop until `done` holds (fails the test after 5 s).
  void until(const std::function<bool()>& done, const char* what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < deadline)
      ioc.run_for(std::chrono::milliseconds(5));
    INFO(what);
    REQUIRE(done());
  }
  const OrderBook& book() const { return stream->book(); }
  bool logged(const std::string& text) const {
    for (const auto& l : logs)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
};

}  // namespace

TEST_CASE("bybit public stream: subscribes, builds the book from the snapshot and deltas") {
  StreamFixture f;
  f.until([&] { return f.book().valid(); }, "first snapshot");
  CHECK(f.fake.subscribes("orderbook.50.ETHUSDT") == 1);
  CHECK(f.fake.subscribes("publicTrade.ETHUSDT") == 1);
  CHECK(f.fake.subscribes("kline.1.ETHUSDT") == 1);
  CHECK(f.fake.subscribes("tickers.ETHUSDT") == 1);
  CHECK(f.book().bids()[0].price_e8 == 2500 * E8);
  CHECK(f.book().last_update_id() == 1000);
  f.fake.publish_book_delta({{2500 * E8, 0}, {2500 * E8 + 50000000, E8}}, {{2501 * E8, 0}});
  f.until([&] { return f.book().last_update_id() == 1001; }, "delta");
  CHECK(f.book().bids()[0].price_e8 == 2500 * E8 + 50000000);
  CHECK(f.book().bids()[1].price_e8 == 2499 * E8);
  CHECK(f.book().asks()[0].price_e8 == 2502 * E8);
  // Trades and a forming then closed kline (only the closed one is reported, once).
  f.fake.publish_trade(1, 2501 * E8, E8 / 10, true);
  mmh_candle bar{60000000000LL * 1000, 60000000000LL, 10 * E8, 12 * E8, 9 * E8, 11 * E8, E8, 1, 0};
  f.fake.publish_kline("1", bar, false);
  f.fake.publish_kline("1", bar, true);
  f.fake.publish_kline("1", bar, true);
  f.until([&] { return !f.bars.empty() && !f.trades.empty(); }, "bar and trade");
  f.ioc.run_for(std::chrono::milliseconds(30));
  CHECK(f.bars.size() == 1);
  CHECK(f.bars[0].close_e8 == 11 * E8);
  CHECK(f.trades[0].taker_side == MMH_SIDE_BUY);
  // Pings are answered.
  f.until([&] { return f.stream->stats().pongs > 0; }, "pong");
}

TEST_CASE("bybit public stream: a gap invalidates the book, resubscribes, resumes on a snapshot") {
  StreamFixture f;
  f.until([&] { return f.book().valid(); }, "first snapshot");
  f.fake.drop_next_book_delta();
  f.fake.publish_book_delta({{2498 * E8, E8}}, {});
  f.until([&] { return f.stream->stats().gaps == 1; }, "gap seen");
  REQUIRE(!f.invalid_reasons.empty());
  CHECK(f.invalid_reasons.front() == "book sequence gap");
  CHECK(f.logged("book gap (u 1002 after 1000)"));
  f.until([&] { return f.book().valid(); }, "fresh snapshot");
  CHECK(f.fake.subscribes("orderbook.50.ETHUSDT") == 2);
  CHECK(f.stream->stats().resubscribes == 1);
  CHECK(f.book().last_update_id() == 1002);
  // The snapshot holds the level of the delta that arrived after the gap.
  CHECK(f.book().bids().back().price_e8 == 2498 * E8);
  f.fake.publish_book_delta({{2497 * E8, E8}}, {});
  f.until([&] { return f.book().last_update_id() == 1003; }, "deltas resume");
}

TEST_CASE("bybit public stream: duplicates and stale deltas are ignored, u == 1 restarts") {
  StreamFixture f;
  f.until([&] { return f.book().valid(); }, "first snapshot");
  f.fake.publish_book_delta({{2500 * E8, 7 * E8}}, {});
  f.until([&] { return f.book().last_update_id() == 1001; }, "delta");
  const std::string delta = f.fake.last_book_message();
  f.fake.publish_raw("orderbook.50.ETHUSDT", delta);  // the same message again
  f.fake.publish_book_delta({{2500 * E8, 8 * E8}}, {});
  f.until([&] { return f.book().last_update_id() == 1002; }, "next delta");
  f.fake.publish_raw("orderbook.50.ETHUSDT", delta);  // an old one, out of order
  f.fake.publish_raw("orderbook.50.ETHUSDT", "{not json");
  f.fake.publish_book_delta({}, {{2503 * E8, E8}});
  f.until([&] { return f.book().last_update_id() == 1003; }, "after junk");
  CHECK(f.stream->stats().duplicates == 2);
  CHECK(f.stream->stats().parse_errors == 1);
  CHECK(f.stream->stats().gaps == 0);
  CHECK(f.book().valid());
  CHECK(f.book().bids()[0].qty_e8 == 8 * E8);
  f.fake.restart_book();
  f.until([&] { return f.book().last_update_id() == 1; }, "restart snapshot");
  CHECK(f.book().valid());
  f.fake.publish_book_delta({{2500 * E8, E8}}, {});
  f.until([&] { return f.book().last_update_id() == 2; }, "after restart");
  CHECK(f.stream->stats().gaps == 0);
}

TEST_CASE("bybit public stream: a dropped connection reconnects and resubscribes everything") {
  StreamFixture f;
  f.until([&] { return f.book().valid(); }, "first snapshot");
  f.fake.drop_ws_connections();
  f.until([&] { return !f.invalid_reasons.empty(); }, "invalid on disconnect");
  CHECK(f.invalid_reasons.front() == "public stream disconnected");
  f.until([&] { return f.stream->stats().connects == 2 && f.book().valid(); }, "reconnected");
  CHECK(f.fake.ws_connections() == 2);
  CHECK(f.fake.subscribes("orderbook.50.ETHUSDT") == 2);
  CHECK(f.fake.subscribes("kline.1.ETHUSDT") == 2);
  CHECK(f.fake.subscribes("tickers.ETHUSDT") == 2);
}

TEST_CASE("bybit public stream: a silent stream is stale: book invalid, reconnect") {
  StreamFixture f(300);
  f.until([&] { return f.book().valid(); }, "first snapshot");
  f.fake.set_ws_silent(true);
  f.until([&] { return f.stream->stats().stale >= 1; }, "stale detected");
  CHECK(!f.book().valid());
  CHECK(f.invalid_reasons.front() == "stale public stream");
  CHECK(f.logged("the book is stale"));
  f.fake.set_ws_silent(false);
  f.until([&] { return f.book().valid(); }, "valid again after reconnect");
  CHECK(f.stream->stats().connects >= 2);
}

TEST_CASE("bybit public stream: tickers carry the last traded price") {
  StreamFixture f;
  // The snapshot sent on subscribing: the fake's best bid.
  f.until([&] { return f.stream->stats().tickers == 1; }, "the ticker snapshot");
  CHECK(f.stream->stats().last_price_e8 == 2500 * E8);
  f.fake.publish_raw("tickers.ETHUSDT",
                     R"({"topic":"tickers.ETHUSDT","ts":1673853746003,"type":"snapshot",)"
                     R"("cs":2588407389,"data":{"symbol":"ETHUSDT","lastPrice":"2500.37",)"
                     R"("highPrice24h":"2526.99","volume24h":"6780.866843"}})");
  f.until([&] { return f.stream->stats().tickers == 2; }, "a ticker");
  CHECK(f.stream->stats().last_price_e8 == 250037000000);
  // One without lastPrice counts but keeps the price.
  f.fake.publish_raw("tickers.ETHUSDT",
                     R"({"topic":"tickers.ETHUSDT","ts":1673853747003,"type":"snapshot",)"
                     R"("data":{"symbol":"ETHUSDT","volume24h":"6781"}})");
  f.until([&] { return f.stream->stats().tickers == 3; }, "a second ticker");
  CHECK(f.stream->stats().last_price_e8 == 250037000000);
  CHECK(f.book().valid());
}
