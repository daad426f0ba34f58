// The REST client's failure handling against the loopback fake: retries with backoff, 10006
// waits, 10002 clock resync, the 403 ban, signed requests the fake verifies.
#include "rest_client.hpp"

#include "fake_bybit.hpp"
#include "run_sync.hpp"
#include "test_support.hpp"

#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

using namespace mmh::bybit;
using namespace mmh::test;

namespace {

struct Fixture {
  FakeBybit fake;
  TempDir dir;
  boost::asio::io_context ioc;
  std::vector<std::pair<int, std::string>> logs;
  VenueConfig venue;
  std::unique_ptr<RestClient> rest;

  explicit Fixture(const std::string& extra = "backoff_initial_ms: 1\nbackoff_max_ms: 4\n",
                   bool keys = true) {
    venue = load_venue_config(fake.write_venue_file(dir.path().string(), extra));
    std::optional<Credentials> creds;
    if (keys) creds = Credentials{"TESTKEY0123456789", "TESTSECRETabcdefghijklmnopqrstuvwxyz0123"};
    rest = std::make_unique<RestClient>(
        ioc.get_executor(), venue, creds,
        [this](int level, const std::string& m) { logs.emplace_back(level, m); });
    rest->seed_jitter(7);
  }
  RestReply get(const std::string& path, const std::map<std::string, std::string>& params = {},
                bool auth = false) {
    return run_sync(ioc, rest->get(path, params, auth));
  }
  bool logged(const std::string& text) const {
    for (const auto& [level, m] : logs)
      if (m.find(text) != std::string::npos) return true;
    return false;
  }
};

}  // namespace

TEST_CASE("bybit rest client: 5xx and timeouts are retried, then the call succeeds") {
  Fixture f;
  f.fake.inject({"/v5/market/time", FaultKind::http_status, 502, 2, 0});
  const RestReply reply = f.get("/v5/market/time");
  CHECK(reply.attempts == 3);
  CHECK(f.rest->stats().retries == 2);
  CHECK(f.fake.count("/v5/market/time") == 3);
  CHECK(f.logged("HTTP 502; retry 1 of 4"));
}

TEST_CASE("bybit rest client: gives up after max_attempts and says so") {
  Fixture f("max_attempts: 3\nbackoff_initial_ms: 1\n");
  f.fake.inject({"/v5/market/time", FaultKind::http_status, 503, -1, 0});
  try {
    f.get("/v5/market/time");
    FAIL("should give up");
  } catch (const BybitError& e) {
    CHECK(e.http_status() == 503);
    CHECK(std::string(e.what()).find("gave up after 3 attempts") != std::string::npos);
  }
  CHECK(f.fake.count("/v5/market/time") == 3);
}

TEST_CASE("bybit rest client: a business error is not retried") {
  Fixture f;
  f.fake.inject({"/v5/market/kline", FaultKind::ret_code, 10001, 1, 0});
  CHECK_THROWS_AS(f.get("/v5/market/kline", {{"category", "spot"}}), BybitError);
  CHECK(f.fake.count("/v5/market/kline") == 1);
}

TEST_CASE("bybit rest client: 10006 waits for the window named in the headers, then retries") {
  Fixture f;
  f.fake.inject({"/v5/account/wallet-balance", FaultKind::ret_code, 10006, 1, 0});
  const RestReply reply = f.get("/v5/account/wallet-balance", {{"accountType", "UNIFIED"}}, true);
  CHECK(reply.attempts == 2);
  // The retry waited in the limiter for the window the headers named (not a backoff sleep).
  CHECK(f.rest->stats().rate_limit_waits >= 1);
  CHECK(f.fake.count("/v5/account/wallet-balance") == 2);
}

TEST_CASE("bybit rest client: signed GET verifies, and 10002 resyncs the clock and retries") {
  Fixture f;
  CHECK(
      f.get("/v5/account/wallet-balance", {{"accountType", "UNIFIED"}, {"coin", "BTC,USDT"}}, true)
          .envelope.ret_code == 0);
  const FakeRequest signed_req = f.fake.requests().back();
  CHECK(signed_req.query == "accountType=UNIFIED&coin=BTC,USDT");  // ',' literal, as signed
  CHECK(signed_req.headers.at("x-bapi-sign").size() == 64);
  // The exchange's clock runs 30 s ahead: the first attempt is outside the recv window.
  f.fake.set_clock(30000);
  const RestReply reply = f.get("/v5/account/wallet-balance", {{"accountType", "UNIFIED"}}, true);
  CHECK(reply.attempts == 2);
  CHECK(f.rest->stats().time_resyncs == 1);
  CHECK(f.rest->time_offset_ms() > 29000);
  CHECK(f.rest->time_offset_ms() < 31000);
  CHECK(f.fake.count("/v5/market/time") == 1);
  CHECK(f.logged("10002"));
}

TEST_CASE("bybit rest client: a wrong secret is a signature error, not retried") {
  Fixture f;
  RestClient wrong(f.ioc.get_executor(), f.venue, Credentials{"TESTKEY0123456789", "nope"}, {});
  try {
    run_sync(f.ioc, wrong.get("/v5/account/wallet-balance", {{"accountType", "UNIFIED"}}, true));
    FAIL("should fail");
  } catch (const BybitError& e) {
    CHECK(e.ret_code() == 10004);
    CHECK(e.recovery() == Recovery::fail);
  }
  CHECK(f.fake.count("/v5/account/wallet-balance") == 1);
}

TEST_CASE("bybit rest client: HTTP 403 stops every request for the ban period, loudly") {
  Fixture f("ban_ms: 300\n");
  f.fake.inject({"/v5/market/kline", FaultKind::http_status, 403, 1, 0});
  try {
    f.get("/v5/market/kline", {{"category", "spot"}});
    FAIL("should be banned");
  } catch (const BybitError& e) {
    CHECK(e.kind() == ErrorKind::banned);
    CHECK(e.recovery() == Recovery::stop);
  }
  bool error_logged = false;
  for (const auto& [level, m] : f.logs)
    if (level == MMH_LOG_ERROR && m.find("HTTP 403") != std::string::npos &&
        m.find("every request stops until") != std::string::npos)
      error_logged = true;
  CHECK(error_logged);
  // Any endpoint is refused without touching the network.
  const size_t before = f.fake.requests().size();
  CHECK_THROWS_WITH_AS(f.get("/v5/market/time"), doctest::Contains("no request is sent until"),
                       BybitError);
  CHECK(f.fake.requests().size() == before);
  CHECK(f.rest->stats().bans == 1);
  // After the ban the client talks again.
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  CHECK(f.get("/v5/market/time").envelope.ret_code == 0);
}

TEST_CASE("bybit rest client: private calls without keys fail before sending") {
  Fixture f("", false);
  CHECK_THROWS_WITH_AS(f.get("/v5/account/wallet-balance", {}, true),
                       doctest::Contains("BYBIT_API_KEY"), BybitError);
  CHECK(f.fake.requests().empty());
}
