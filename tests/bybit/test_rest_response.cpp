// REST response parsers against the real captured payloads in ../shared/bybit/fixtures, and
// against malformed input (every failure is a typed parse error, never a crash).
#include "rest_response.hpp"

#include "bybit_error.hpp"
#include "fake_bybit.hpp"

#include <doctest/doctest.h>

using namespace mmh::bybit;
using mmh::test::bybit_fixture;

TEST_CASE("bybit rest: the envelope of success and error payloads") {
  const Envelope ok = parse_envelope(bybit_fixture("rest_server_time.json"));
  CHECK(ok.ret_code == 0);
  CHECK(ok.ret_msg == "OK");
  CHECK(ok.time_ms == 1688639403423);
  const Envelope e = parse_envelope(bybit_fixture("rest_error_10002_recv_window.json"));
  CHECK(e.ret_code == 10002);
  CHECK(e.ret_msg.find("recv_window") != std::string::npos);
  // An older capture without retExtInfo still parses; so does one without time.
  CHECK(parse_envelope(bybit_fixture("rest_kline_spot.json")).time_ms == 1694674504570);
  CHECK(parse_envelope(R"({"retCode":0,"retMsg":"","result":{}})").time_ms == 0);
}

TEST_CASE("bybit rest: kline rows keep their order and exact values") {
  const std::vector<KlineRow> rows = parse_kline_list(bybit_fixture("rest_kline_spot.json"));
  REQUIRE(rows.size() >= 2);
  CHECK(rows[0].start_ms == 1694649600000);  // newest first, as sent
  CHECK(rows[0].open_e8 == 1928927000000);
  CHECK(rows[0].high_e8 == 1932150000000);
  CHECK(rows[0].low_e8 == 1858075000000);
  CHECK(rows[0].close_e8 == 1926549000000);
  CHECK(rows[0].volume_e8 == 41468951500);
  CHECK(rows[1].start_ms == 1694563200000);
  const std::vector<KlineRow> mid =
      parse_kline_list(bybit_fixture("rest_kline_spot_start_midcandle.json"));
  REQUIRE(!mid.empty());
  CHECK(mid.back().start_ms == 1683472800000);  // the candle the mid-candle start falls in
}

TEST_CASE("bybit rest: server time prefers timeNano") {
  CHECK(parse_server_time_ms(bybit_fixture("rest_server_time.json")) == 1688639403423);
  CHECK(parse_server_time_ms(
            R"({"retCode":0,"retMsg":"OK","result":{"timeSecond":"1688639403"},"time":1})") ==
        1688639403000);
}

TEST_CASE("bybit rest: instruments of the current and the 2023 schema") {
  const auto now = parse_instruments(bybit_fixture("rest_instruments_info_spot.json"));
  REQUIRE(now.size() == 1);
  CHECK(now[0].symbol == "BTCUSDT");
  CHECK(now[0].base_coin == "BTC");
  CHECK(now[0].quote_coin == "USDT");
  CHECK(now[0].tick_size == "0.1");
  CHECK(now[0].base_precision == "0.000001");
  CHECK(now[0].quote_precision == "0.0000001");
  CHECK(now[0].min_order_amt == "5");
  const auto old = parse_instruments(bybit_fixture("rest_instruments_info_spot_2023.json"));
  REQUIRE(old.size() == 2);
  CHECK(old[1].symbol == "ETHUSDT");
  CHECK(!old[1].tick_size.empty());
  CHECK(!old[1].base_precision.empty());
}

TEST_CASE("bybit rest: an error envelope is an exchange error with its code") {
  try {
    parse_kline_list(bybit_fixture("rest_error_10002_recv_window.json"));
    FAIL("no exception");
  } catch (const BybitError& e) {
    CHECK(e.kind() == ErrorKind::exchange);
    CHECK(e.ret_code() == 10002);
    CHECK(e.recovery() == Recovery::resync_time);
  }
}

TEST_CASE("bybit rest: malformed payloads are parse errors naming the problem") {
  auto parse_error = [](const std::string& body) {
    try {
      parse_kline_list(body);
    } catch (const BybitError& e) {
      return e.kind() == ErrorKind::parse ? std::string(e.what()) : std::string("wrong kind");
    }
    return std::string("no error");
  };
  CHECK(parse_error("").find("not JSON") != std::string::npos);
  CHECK(parse_error("[1,2]").find("not an object") != std::string::npos);
  CHECK(parse_error(R"({"retMsg":"OK"})").find("retCode") != std::string::npos);
  CHECK(parse_error(R"({"retCode":0,"result":{}})").find("list") != std::string::npos);
  CHECK(parse_error(R"({"retCode":0,"result":{"list":[["1","2"]]}})").find("row 0") !=
        std::string::npos);
  CHECK(parse_error(R"({"retCode":0,"result":{"list":[["x","1","1","1","1","1","1"]]}})")
            .find("startTime") != std::string::npos);
  CHECK(parse_error(R"({"retCode":0,"result":{"list":[["1","1.123456789","1","1","1","1","1"]]}})")
            .find("open") != std::string::npos);
  CHECK(parse_error(R"({"retCode":0,"result":{"list":[["1",1,"1","1","1","1","1"]]}})")
            .find("cell 1") != std::string::npos);
}
