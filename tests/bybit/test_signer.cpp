// PROTOCOL.md §3.3's worked vectors (made-up credentials), and RFC 4231 case 2.
#include "signer.hpp"

#include <doctest/doctest.h>

using namespace mmh::bybit;

namespace {

const Credentials kTest{"TESTKEY0123456789", "TESTSECRETabcdefghijklmnopqrstuvwxyz0123"};

}  // namespace

TEST_CASE("bybit signer: HMAC-SHA256 matches RFC 4231 case 2") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("bybit signer: the protocol's REST and WebSocket test vectors") {
  // V1: GET, the query string as sent.
  CHECK(rest_signature(kTest, 1700000000000, 5000,
                       "category=spot&symbol=BTCUSDT&openOnly=0&limit=20") ==
        "4183e97850861f615f86975291101c54bbccf686a9c7eb436beb5cc30b00d51e");
  // V2: POST, the exact body bytes.
  CHECK(rest_signature(kTest, 1700000000000, 5000,
                       R"({"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit",)"
                       R"("qty":"0.001","price":"30000","timeInForce":"PostOnly",)"
                       R"("orderLinkId":"test-0001"})") ==
        "b8b92745044cdb5d807ff2d693fcfb5a22030fd3e3284f9e80fbe42e43dc9c41");
  // V3: WebSocket auth.
  CHECK(ws_auth_signature(kTest, 1700000010000) ==
        "dcfeb5084d07b49b0bffa5dfd92e976bb18c684be18efb0c87a3167191e51d7c");
  // V4: a list value with ',' signed literally, another recv window.
  CHECK(rest_signature(kTest, 1700000000123, 10000, "accountType=UNIFIED&coin=BTC,USDT") ==
        "9f3440c7f602af5c03f753975d01c3ec6556ac594366407f2447916fbb7ecc88");
  // V5a/V5b: the same body with spaces signs differently (bytes, not JSON, are signed).
  const std::string compact = R"({"category":"spot","symbol":"BTCUSDT","orderLinkId":"test-0001"})";
  const std::string spaced =
      R"({"category": "spot", "symbol": "BTCUSDT", "orderLinkId": "test-0001"})";
  CHECK(rest_signature(kTest, 1700000000000, 5000, compact) ==
        "8a38bd6fa96159b71b2d866c5d5148812c0c7298edd3663bf30ccc7858f183ca");
  CHECK(rest_signature(kTest, 1700000000000, 5000, spaced) ==
        "6a82a05e8b3741b3890c54d6af956782742de6a8fb97b4e73ba96524c7a93ed2");
  // V6: GET without parameters.
  CHECK(rest_signature(kTest, 1700000000000, 5000, "") ==
        "157c6cf5d607d7b455c1a1577ee4ac504001bc5da056205f2595b78cc92aaad9");
}

TEST_CASE("bybit signer: query strings are sorted, ',' stays literal, the rest is encoded") {
  CHECK(query_string({{"coin", "BTC,USDT"}, {"accountType", "UNIFIED"}}) ==
        "accountType=UNIFIED&coin=BTC,USDT");
  CHECK(query_string({{"cursor", "a=b/c d"}}) == "cursor=a%3Db%2Fc%20d");
  CHECK(query_string({}).empty());
  // What the builder emits is what gets signed: V4 again, from parameters.
  CHECK(rest_signature(kTest, 1700000000123, 10000,
                       query_string({{"coin", "BTC,USDT"}, {"accountType", "UNIFIED"}})) ==
        "9f3440c7f602af5c03f753975d01c3ec6556ac594366407f2447916fbb7ecc88");
  CHECK(kTest.redacted_key() == "TESTKE...");
  CHECK(kTest.redacted_key().find("SECRET") == std::string::npos);
}
