// Private WebSocket messages and the matching REST lists, on real captures.
#include "private_message.hpp"

#include "bybit_error.hpp"
#include "fake_bybit.hpp"

#include <doctest/doctest.h>

using namespace mmh::bybit;
using mmh::test::bybit_fixture;

TEST_CASE("bybit private: order, execution and wallet topics") {
  const PrivateMessage o =
      parse_private_message(bybit_fixture("ws_private_order_spot_market_sell_filled.json"));
  CHECK(o.kind == PrivateKind::order);
  CHECK(o.topic == "order.spot");
  CHECK(o.creation_ms == 1699777868989);
  REQUIRE(o.orders.size() == 1);
  CHECK(o.orders[0].order_id == "1552243702477624832");
  CHECK(o.orders[0].order_link_id == "1552243702477624833");
  CHECK(o.orders[0].status == "Filled");
  CHECK(o.orders[0].side == "Sell");
  CHECK(o.orders[0].cum_exec_qty == "0.001936");
  CHECK(o.orders[0].updated_ms == 1699777868986);
  const PrivateMessage x = parse_private_message(bybit_fixture("ws_private_execution_spot.json"));
  CHECK(x.kind == PrivateKind::execution);
  REQUIRE(!x.executions.empty());
  CHECK(!x.executions[0].exec_id.empty());
  CHECK(!x.executions[0].exec_fee.empty());
  CHECK(x.executions[0].exec_ms > 0);
  const PrivateMessage w = parse_private_message(bybit_fixture("ws_private_wallet_spot.json"));
  CHECK(w.kind == PrivateKind::wallet);
  REQUIRE(!w.balances.empty());
  CHECK(!w.balances[0].coin.empty());
}

TEST_CASE("bybit private: auth, subscribe and pong replies") {
  const PrivateMessage a = parse_private_message(bybit_fixture("ws_auth_success.json"));
  CHECK(a.kind == PrivateKind::auth);
  CHECK(a.success);
  CHECK(parse_private_message(bybit_fixture("ws_subscribe_ack_private.json")).kind ==
        PrivateKind::subscribe);
  CHECK(parse_private_message(bybit_fixture("ws_pong_private.json")).kind == PrivateKind::pong);
  const PrivateMessage failed =
      parse_private_message(R"({"success":false,"ret_msg":"Params Error","op":"auth"})");
  CHECK(failed.kind == PrivateKind::auth);
  CHECK(!failed.success);
  CHECK(failed.ret_msg == "Params Error");
}

TEST_CASE("bybit private: REST order, execution and wallet lists") {
  std::string cursor;
  const auto orders =
      parse_order_list(bybit_fixture("rest_order_realtime_docs_linear.json"), &cursor);
  REQUIRE(!orders.empty());
  CHECK(!orders[0].order_id.empty());
  const auto fills = parse_execution_list(bybit_fixture("rest_execution_list_docs_linear.json"));
  REQUIRE(!fills.empty());
  CHECK(!fills[0].exec_id.empty());
  const auto coins = parse_wallet_balance(bybit_fixture("rest_wallet_balance.json"));
  REQUIRE(!coins.empty());
  CHECK(!coins[0].wallet_balance.empty());
}

TEST_CASE("bybit private: create-batch answers pair result and retExtInfo by index") {
  const auto ok = parse_batch_create(bybit_fixture("rest_order_create_batch_spot.json"));
  REQUIRE(ok.size() == 2);
  CHECK(ok[0].code == 0);
  CHECK(ok[0].order_id == "1666800494330512128");
  CHECK(ok[1].order_link_id == "spot-atom-03");
  const auto mixed = parse_batch_create(
      R"({"retCode":0,"retMsg":"OK","result":{"list":[)"
      R"({"orderId":"1","orderLinkId":"a"},{"orderId":"","orderLinkId":"b"}]},)"
      R"("retExtInfo":{"list":[{"code":0,"msg":"OK"},{"code":170131,"msg":"Insufficient balance."}]}})");
  REQUIRE(mixed.size() == 2);
  CHECK(mixed[0].code == 0);
  CHECK(mixed[1].code == 170131);
  CHECK(mixed[1].msg == "Insufficient balance.");
  // Without retExtInfo (older captures) an item without an orderId failed.
  const auto bare =
      parse_batch_create(R"({"retCode":0,"result":{"list":[{"orderId":"","orderLinkId":"b"}]}})");
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].code != 0);
  CHECK_THROWS_WITH_AS(parse_batch_create(R"({"retCode":0,"result":{"list":[{"orderId":"1"}]},)"
                                          R"("retExtInfo":{"list":[]}})"),
                       doctest::Contains("differ in length"), BybitError);
}

TEST_CASE("bybit private: malformed messages are parse errors") {
  CHECK_THROWS_AS(parse_private_message("{"), BybitError);
  CHECK_THROWS_WITH_AS(parse_private_message(R"({"topic":"order","data":{}})"),
                       doctest::Contains("data array"), BybitError);
  CHECK_THROWS_WITH_AS(parse_private_message(R"({"topic":"order","data":[{"orderId":"1"}]})"),
                       doctest::Contains("orderStatus"), BybitError);
  CHECK_THROWS_WITH_AS(parse_private_message(R"({"topic":"position","data":[]})"),
                       doctest::Contains("unknown topic"), BybitError);
  CHECK_THROWS_WITH_AS(parse_private_message(R"({"op":"dance"})"), doctest::Contains("op"),
                       BybitError);
  CHECK_THROWS_WITH_AS(parse_order_list(bybit_fixture("rest_error_110001_order_not_exist.json")),
                       doctest::Contains("110001"), BybitError);
}
