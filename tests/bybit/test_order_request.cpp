// Order bodies: exact decimals, fixed key order, so PROTOCOL.md's signed example is reproduced
// byte for byte from integer ticks and lots.
#include "order_request.hpp"

#include "signer.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <stdexcept>

using namespace mmh::bybit;

namespace {

const OrderInstrument kBtc{"BTCUSDT", {1, -2, 0}, {1, -6, 0}};  // tick 0.01, lot 0.000001

mmh_order_command limit(uint32_t side, int64_t price_ticks, int64_t qty_lots, const char* id,
                        uint32_t tif = MMH_TIF_POST_ONLY) {
  mmh_order_command c{};
  c.action = MMH_ORDER_ACTION_PLACE;
  c.side = side;
  c.order_type = MMH_ORDER_TYPE_LIMIT;
  c.time_in_force = tif;
  c.price_ticks = price_ticks;
  c.qty_lots = qty_lots;
  std::strncpy(c.client_id, id, sizeof(c.client_id) - 1);
  return c;
}

}  // namespace

TEST_CASE("bybit orders: decimals are exact and shortest") {
  CHECK(decimal_string(3000000, -2) == "30000");
  CHECK(decimal_string(249930, -2) == "2499.3");
  CHECK(decimal_string(1000, -6) == "0.001");
  CHECK(decimal_string(5, -9) == "0.000000005");
  CHECK(decimal_string(12, 0) == "12");
  CHECK(decimal_string(12, 2) == "1200");
  CHECK(decimal_string(0, -2) == "0");
}

TEST_CASE("bybit orders: the protocol's signed create example, from ticks and lots") {
  const std::string body = create_body(kBtc, limit(MMH_SIDE_BUY, 3000000, 1000, "test-0001"));
  CHECK(body ==
        R"({"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001",)"
        R"("price":"30000","timeInForce":"PostOnly","orderLinkId":"test-0001"})");
  // PROTOCOL.md §3.3 V2: these bytes sign to the published signature.
  const Credentials creds{"TESTKEY0123456789", "TESTSECRETabcdefghijklmnopqrstuvwxyz0123"};
  CHECK(rest_signature(creds, 1700000000000, 5000, body) ==
        "b8b92745044cdb5d807ff2d693fcfb5a22030fd3e3284f9e80fbe42e43dc9c41");
}

TEST_CASE("bybit orders: market orders always name their unit") {
  mmh_order_command buy = limit(MMH_SIDE_BUY, 0, 0, "m-1");
  buy.order_type = MMH_ORDER_TYPE_MARKET;
  buy.market_unit = MMH_MARKET_UNIT_QUOTE;
  buy.qty_lots = 200 * 100000000LL;  // 200 USDT in 1e-8 units
  CHECK(create_body(kBtc, buy) ==
        R"({"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"200",)"
        R"("marketUnit":"quoteCoin","orderLinkId":"m-1"})");
  mmh_order_command sell = buy;
  sell.side = MMH_SIDE_SELL;
  sell.market_unit = MMH_MARKET_UNIT_BASE;
  sell.qty_lots = 1936;
  CHECK(create_body(kBtc, sell).find(R"("qty":"0.001936","marketUnit":"baseCoin")") !=
        std::string::npos);
}

TEST_CASE("bybit orders: amend, cancel, cancel-all and batch bodies") {
  mmh_order_command a = limit(MMH_SIDE_BUY, 249930, 500000, "mmh-t9x2k1a-mm-7");
  a.action = MMH_ORDER_ACTION_AMEND;
  CHECK(amend_body(kBtc, a) ==
        R"({"category":"spot","symbol":"BTCUSDT","orderLinkId":"mmh-t9x2k1a-mm-7","qty":"0.5",)"
        R"("price":"2499.3"})");
  CHECK(cancel_body(kBtc, "x_1") ==
        R"({"category":"spot","symbol":"BTCUSDT","orderLinkId":"x_1"})");
  CHECK(cancel_all_body(kBtc) == R"({"category":"spot","symbol":"BTCUSDT"})");
  const std::string batch = create_batch_body(
      kBtc, {limit(MMH_SIDE_BUY, 100, 1, "a"), limit(MMH_SIDE_SELL, 200, 2, "b", MMH_TIF_GTC)});
  CHECK(batch.rfind(R"({"category":"spot","request":[{"symbol":"BTCUSDT","side":"Buy",)", 0) == 0);
  CHECK(batch.find(R"("timeInForce":"GTC","orderLinkId":"b"}]})") != std::string::npos);
  CHECK_THROWS_AS(create_batch_body(kBtc, std::vector<mmh_order_command>(11, limit(1, 1, 1, "z"))),
                  std::invalid_argument);
}

TEST_CASE("bybit orders: the orderLinkId rule") {
  CHECK(valid_order_link_id("mmh-t9x2k1a-mm-123456"));
  CHECK(!valid_order_link_id(""));
  CHECK(!valid_order_link_id(std::string(37, 'a')));
  CHECK(!valid_order_link_id("a b"));
  CHECK(!valid_order_link_id("a.b"));
  CHECK_THROWS_WITH_AS(create_body(kBtc, limit(MMH_SIDE_BUY, 1, 1, "bad id")),
                       doctest::Contains("orderLinkId"), std::invalid_argument);
  CHECK_THROWS_AS(create_body(kBtc, limit(MMH_SIDE_BUY, 0, 1, "ok")), std::invalid_argument);
}
