// PrivateStream against the fake's /v5/private: it signs in, subscribes, reports ready; a dropped
// connection is reported down and comes back ready (the owner reconciles each time); a refused
// sign-in is fatal and not retried.
#include "private_stream.hpp"

#include "fake_bybit.hpp"
#include "fake_exchange.hpp"
#include "test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace mmh::bybit;
using namespace mmh::test;

namespace {

struct Session {
  boost::asio::io_context ioc;
  std::shared_ptr<PrivateStream> stream;
  std::thread thread;
  std::atomic<int> ready{0}, down{0}, fatal{0}, orders{0}, wallets{0};

  Session(const VenueConfig& venue, Credentials keys) {
    PrivateStreamSettings s;
    s.url = venue.ws_private_url;
    s.ca_file = venue.ca_file;
    s.backoff_initial_ms = 20;
    PrivateStreamEvents e;
    e.on_ready = [this] { ++ready; };
    e.on_down = [this](const std::string&) { ++down; };
    e.on_fatal = [this](const std::string&) { ++fatal; };
    e.on_message = [this](const PrivateMessage& m) {
      if (m.kind == PrivateKind::order) ++orders;
      if (m.kind == PrivateKind::wallet) ++wallets;
    };
    stream = std::make_shared<PrivateStream>(ioc.get_executor(), s, keys, e);
    boost::asio::co_spawn(ioc, stream->run(), boost::asio::detached);
    thread = std::thread([this] { ioc.run(); });
  }
  ~Session() {
    boost::asio::post(ioc, [this] { stream->stop(); });
    wait_for([this] { return ioc.stopped(); }, 2000);
    ioc.stop();
    thread.join();
  }
};

}  // namespace

TEST_CASE("bybit private stream: the auth request carries key, expiry and the WS signature") {
  const Credentials keys{"KEY", "SECRET"};
  const std::string text = PrivateStream::auth_request(keys, 1700000000000);
  CHECK(text == R"({"op":"auth","args":["KEY",1700000000000,")" +
                    ws_auth_signature(keys, 1700000000000) + "\"]}");
}

TEST_CASE("bybit private stream: signs in, subscribes, reconnects after a drop") {
  FakeBybit fake;
  TempDir dir;
  const VenueConfig venue = load_venue_config(fake.write_venue_file(dir.path().string()));
  Session s(venue, {"TESTKEY0123456789", "TESTSECRETabcdefghijklmnopqrstuvwxyz0123"});
  REQUIRE(wait_for([&] { return s.ready == 1; }));
  CHECK(fake.subscribes("order") == 1);
  CHECK(fake.subscribes("execution") == 1);
  CHECK(fake.subscribes("wallet") == 1);
  // A change on the account arrives as pushes.
  fake.with_exchange([](FakeExchange& x) {
    x.set_balance("USDT", 1000LL * 100000000);
    x.create(
        R"({"category":"spot","symbol":"ETHUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"2000","orderLinkId":"a-1"})",
        1);
  });
  REQUIRE(wait_for([&] { return s.orders >= 1; }));
  fake.drop_private_connections();
  REQUIRE(wait_for([&] { return s.ready == 2; }));
  CHECK(s.down >= 1);
  CHECK(fake.private_auths() == 2);
  CHECK(s.fatal == 0);
}

TEST_CASE("bybit private stream: a refused sign-in is fatal, not retried") {
  FakeBybit fake;
  TempDir dir;
  const VenueConfig venue = load_venue_config(fake.write_venue_file(dir.path().string()));
  Session s(venue, {"TESTKEY0123456789", "not-the-secret"});
  REQUIRE(wait_for([&] { return s.fatal == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(fake.ws_connections() == 1);  // no reconnect loop on bad keys
  CHECK(s.ready == 0);
}
