// The fake exchange's matching and bookkeeping, which the live-venue tests trust: locks, fees in
// the right coin, PostOnly that would take, insufficient balance, duplicate ids, paging.
#include "fake_exchange.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace mmh::test;

namespace {
constexpr int64_t E8 = 100000000;

FakeExchange make() {
  FakeExchange x("ETHUSDT", "ETH", "USDT", 1000000, 1000);
  x.set_balance("USDT", 10000 * E8);
  x.set_balance("ETH", E8);
  x.set_touch(2500 * E8, 2501 * E8);
  return x;
}

std::string limit(const std::string& side, const std::string& price, const std::string& qty,
                  const std::string& id, const std::string& tif = "PostOnly") {
  return R"({"category":"spot","symbol":"ETHUSDT","side":")" + side +
         R"(","orderType":"Limit","qty":")" + qty + R"(","price":")" + price +
         R"(","timeInForce":")" + tif + R"(","orderLinkId":")" + id + "\"}";
}
}  // namespace

TEST_CASE("fake exchange: a resting buy locks quote, a trade through it fills as maker") {
  FakeExchange x = make();
  CHECK(x.create(limit("Buy", "2400", "0.5", "b1"), 1).ret_code == 0);
  CHECK(x.locked_e8("USDT") == 1200 * E8);
  x.trade(false, 2400 * E8, E8 / 5, 2);  // 0.2 sold into it
  CHECK(x.locked_e8("USDT") == 720 * E8);
  CHECK(x.wallet_e8("USDT") == 9520 * E8);
  CHECK(x.wallet_e8("ETH") == E8 + E8 / 5 - E8 / 5 / 1000);  // 0.1% fee in base for a Buy
  REQUIRE(x.execution_log().size() == 1);
  CHECK(x.execution_log()[0].maker);
  CHECK(x.open_orders()[0].status == "PartiallyFilled");
  const auto pushes = x.take_pushes();
  CHECK(pushes.size() == 4);  // New, then order + execution + wallet of the fill
}

TEST_CASE("fake exchange: refusals - PostOnly would take, no funds, duplicate id, bad tick") {
  FakeExchange x = make();
  CHECK(x.create(limit("Buy", "2501", "0.1", "p1"), 1).ret_code == 0);  // accepted, then killed
  CHECK(x.orders().begin()->second.status == "Cancelled");
  CHECK(x.orders().begin()->second.reject_reason == "EC_PostOnlyWillTakeLiquidity");
  CHECK(x.locked_e8("USDT") == 0);
  CHECK(x.create(limit("Buy", "2400", "100", "p2"), 1).ret_code == 170131);
  CHECK(x.create(limit("Buy", "2400", "0.1", "p1"), 1).ret_code == 170141);
  CHECK(x.duplicate_creates() == 1);
  CHECK(x.create(limit("Buy", "2400.001", "0.1", "p3"), 1).ret_code == 170134);
}

TEST_CASE("fake exchange: a GTC limit through the touch and a market sell fill as takers") {
  FakeExchange x = make();
  CHECK(x.create(limit("Buy", "2505", "0.1", "t1", "GTC"), 1).ret_code == 0);
  CHECK(x.orders().begin()->second.status == "Filled");
  CHECK(x.wallet_e8("USDT") == 10000 * E8 - 2501 * E8 / 10);  // at the ask, not its limit
  CHECK(x.locked_e8("USDT") == 0);
  CHECK(
      x.create(
           R"({"category":"spot","symbol":"ETHUSDT","side":"Sell","orderType":"Market","qty":"0.5","marketUnit":"baseCoin","orderLinkId":"m1"})",
           2)
          .ret_code == 0);
  CHECK(x.wallet_e8("ETH") == E8 + E8 / 10 - E8 / 10000 - E8 / 2);
}

TEST_CASE("fake exchange: realtime lists open orders, closed ones on request, in pages") {
  FakeExchange x = make();
  for (int i = 0; i < 3; ++i)
    x.create(limit("Buy", std::to_string(2400 - i), "0.01", "o" + std::to_string(i)), 10 + i);
  x.cancel(R"({"category":"spot","symbol":"ETHUSDT","orderLinkId":"o0"})", 20);
  auto open = nlohmann::json::parse(x.realtime({{"category", "spot"}, {"limit", "1"}}).result);
  CHECK(open["list"].size() == 1);
  CHECK(open["list"][0]["orderLinkId"] == "o2");  // newest first
  CHECK(open["nextPageCursor"] == "1");
  auto next = nlohmann::json::parse(
      x.realtime({{"category", "spot"}, {"limit", "1"}, {"cursor", "1"}}).result);
  CHECK(next["list"][0]["orderLinkId"] == "o1");
  CHECK(next["nextPageCursor"] == "");
  auto closed = nlohmann::json::parse(
      x.realtime({{"category", "spot"}, {"openOnly", "1"}, {"orderLinkId", "o0"}}).result);
  CHECK(closed["list"][0]["orderStatus"] == "Cancelled");
  CHECK(x.cancel_all(R"({"category":"spot","symbol":"ETHUSDT"})", 30).ret_code == 0);
  CHECK(x.open_orders().empty());
  CHECK(x.locked_e8("USDT") == 0);
}
