#include <mmhost/sdk/fixed_point.hpp>

#include <doctest/doctest.h>

#include <string>

using mmh::sdk::format_e8;
using mmh::sdk::parse_e8;
using mmh::sdk::ParseDecimal;

namespace {
int64_t parsed(const char* text) {
  int64_t v = -1;
  REQUIRE_MESSAGE(parse_e8(text, v) == ParseDecimal::ok, "text: ", text);
  return v;
}
}  // namespace

TEST_CASE("parse_e8 reads decimals exactly, without going through double") {
  CHECK(parsed("2528.14") == 252814000000);
  CHECK(parsed("0.1") == 10000000);
  CHECK(parsed("2683.80000000") == 268380000000);  // Binance's trailing zeros
  CHECK(parsed("105574") == 10557400000000);
  CHECK(parsed("0.00000001") == 1);
  CHECK(parsed("-1.5") == -150000000);
  CHECK(parsed("1e-05") == 1000);  // Python repr of small floats
  CHECK(parsed("2.5E3") == 250000000000);
  CHECK(parsed("0") == 0);
  CHECK(parsed("000.000000000000") == 0);
}

TEST_CASE("parse_e8 rejects what it cannot represent exactly") {
  int64_t v = 0;
  CHECK(parse_e8("", v) == ParseDecimal::empty);
  CHECK(parse_e8("abc", v) == ParseDecimal::not_a_number);
  CHECK(parse_e8("1.2.3", v) == ParseDecimal::not_a_number);
  CHECK(parse_e8("12a", v) == ParseDecimal::not_a_number);
  CHECK(parse_e8(".", v) == ParseDecimal::not_a_number);
  CHECK(parse_e8("1e", v) == ParseDecimal::not_a_number);
  CHECK(parse_e8("0.000000001", v) == ParseDecimal::too_precise);
  CHECK(parse_e8("99999999999999999999", v) == ParseDecimal::out_of_range);
}

TEST_CASE("parse_e8's fast path for plain decimals agrees with the general path") {
  // A leading '+' sends the same text through the general path.
  const char* texts[] = {"0",
                         "7",
                         "9999999999",
                         "99999999999",
                         "1.5",
                         "0.00000001",
                         "0.000000010",
                         "0.000000011",
                         "1.",
                         "0.12345678",
                         "2499.3",
                         "00012.50",
                         "9999999999.99999999",
                         "12.-3",
                         "1.5e2",
                         "123456789012.5"};
  for (const char* text : texts) {
    int64_t fast = -7, general = -7;
    const ParseDecimal a = parse_e8(text, fast);
    const ParseDecimal b = parse_e8(std::string("+") + text, general);
    INFO("text: ", text);
    CHECK(a == b);
    if (a == ParseDecimal::ok) CHECK(fast == general);
  }
}

TEST_CASE("format_e8 gives the shortest exact text and round-trips") {
  CHECK(format_e8(252814000000) == "2528.14");
  CHECK(format_e8(100000000) == "1");
  CHECK(format_e8(1) == "0.00000001");
  CHECK(format_e8(-150000000) == "-1.5");
  CHECK(format_e8(0) == "0");
  CHECK(format_e8(INT64_MIN) == "-92233720368.54775808");
  CHECK(format_e8(INT64_MAX) == "92233720368.54775807");
  for (const int64_t v : {int64_t{7}, int64_t{123456789012}, int64_t{-99}, int64_t{500000000}}) {
    int64_t back = 0;
    REQUIRE(parse_e8(format_e8(v), back) == ParseDecimal::ok);
    CHECK(back == v);
  }
  char line[32] = "price=";
  *mmh::sdk::write_e8(line + 6, 252810000000) = '\0';  // writes at a position, returns its end
  CHECK(std::string(line) == "price=2528.1");
}

TEST_CASE("fixed point: ABI decimals convert to e8 exactly or not at all") {
  int64_t v = 0;
  CHECK(mmh::sdk::decimal_to_e8(mmh_decimal{25, -1, 0}, v));
  CHECK(v == 250'000'000);
  CHECK(mmh::sdk::decimal_to_e8(mmh_decimal{-7'500, -8, 0}, v));
  CHECK(v == -7'500);
  CHECK(mmh::sdk::decimal_to_e8(mmh_decimal{100, -10, 0}, v));  // 1e-8
  CHECK(v == 1);
  CHECK_FALSE(mmh::sdk::decimal_to_e8(mmh_decimal{120, -10, 0}, v));  // 1.2e-8
  CHECK_FALSE(mmh::sdk::decimal_to_e8(mmh_decimal{1, 20, 0}, v));
  CHECK(mmh::sdk::value_e8(250'000'000'000, 10'000'000) == 25'000'000'000);  // 0.1 at 2500
}
