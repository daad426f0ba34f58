// keep_alive against the fake's public WebSocket: it pings once ping_ms have passed (the fake
// answers pong), stops when the session's check says so, and ends at once when its timer is
// cancelled.
#include "keep_alive.hpp"

#include "fake_bybit.hpp"
#include "test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <doctest/doctest.h>

#include <future>

using namespace mmh::bybit;
using namespace mmh::test;
namespace asio = boost::asio;

namespace {

// Runs handlers until `f` is ready or 10 s pass (the connection's writer never ends on its own,
// so io_context::run would not return). A deadline, so a bug fails instead of hanging.
template <typename Future>
bool run_until(asio::io_context& ioc, Future& f) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline)
    ioc.run_one_for(std::chrono::milliseconds(50));
  return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

struct Connected {
  FakeBybit fake;
  TempDir dir;
  asio::io_context ioc;
  std::shared_ptr<WsConnection> ws;
  Connected() {
    const VenueConfig venue = load_venue_config(fake.write_venue_file(dir.path().string()));
    ws = WsConnection::create(ioc.get_executor(), parse_url(venue.ws_public_url), venue.ca_file,
                              std::chrono::milliseconds(5000));
    auto done = asio::co_spawn(ioc, ws->connect(), asio::use_future);
    REQUIRE(run_until(ioc, done));
    done.get();
  }
};

}  // namespace

TEST_CASE("bybit keep_alive: pings when due and ends when the check says stop") {
  Connected c;
  auto timer = std::make_shared<asio::steady_timer>(c.ioc);
  int checks = 0;
  std::string reply;
  auto reader = [&]() -> asio::awaitable<void> { reply = co_await c.ws->read(); };
  auto read_done = asio::co_spawn(c.ioc, reader(), asio::use_future);
  auto done = asio::co_spawn(c.ioc,
                             keep_alive(c.ws, timer, 0, 5,
                                        [&](int64_t now) {
                                          CHECK(now > 0);
                                          return ++checks < 3;
                                        }),
                             asio::use_future);
  REQUIRE(run_until(c.ioc, done));
  REQUIRE(run_until(c.ioc, read_done));
  done.get();
  read_done.get();
  CHECK(checks == 3);                              // the third check said stop
  CHECK(reply.find("pong") != std::string::npos);  // a ping went out and was answered
}

TEST_CASE("bybit keep_alive: a cancelled timer ends it without another check") {
  Connected c;
  auto timer = std::make_shared<asio::steady_timer>(c.ioc);
  int checks = 0;
  auto done = asio::co_spawn(c.ioc,
                             keep_alive(c.ws, timer, 1000000, 60000,
                                        [&](int64_t) {
                                          ++checks;
                                          return true;
                                        }),
                             asio::use_future);
  asio::post(c.ioc, [&] { timer->cancel(); });
  REQUIRE(run_until(c.ioc, done));
  done.get();
  CHECK(checks == 0);
}
