#include <mmhost/sdk/fixed_point.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

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

TEST_CASE("write_e8 agrees with digit-by-digit division for every kind of fraction") {
  // The reference: the integer part, then eight fraction digits one at a time, trailing zeros
  // dropped.
  auto reference = [](int64_t v) {
    const bool negative = v < 0;
    const uint64_t m = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    std::string text = (negative ? "-" : "") + std::to_string(m / 100'000'000);
    uint64_t frac = m % 100'000'000;
    if (frac == 0) return text;
    std::string digits(8, '0');
    for (int i = 7; i >= 0; --i, frac /= 10) digits[static_cast<size_t>(i)] = char('0' + frac % 10);
    while (digits.back() == '0') digits.pop_back();
    return text + "." + digits;
  };
  std::vector<int64_t> values = {
      0,     1,      -1,         9,           10,        99,        100,
      9'999, 10'000, 99'999'999, 100'000'000, INT64_MIN, INT64_MAX, INT64_MIN + 1};
  for (int64_t digit_at = 1; digit_at <= 10'000'000; digit_at *= 10)  // one digit anywhere
    for (int64_t d = 1; d <= 9; ++d) values.push_back(d * digit_at + 7'00'000'000);
  uint64_t x = 0x9e3779b97f4a7c15u;  // a fixed xorshift stream: reproducible
  for (int i = 0; i < 200'000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // Whole parts of every size, and fractions with 0..8 significant digits.
    const int64_t whole =
        static_cast<int64_t>(x >> (20 + i % 44)) % 10'000'000'000;  // times 1e8 stays in 64 bits
    int64_t frac = static_cast<int64_t>(x % 100'000'000);
    frac -= frac % mmh::sdk::detail::kPow10[i % 9];
    values.push_back((i % 2 != 0 ? -1 : 1) * (whole * 100'000'000 + frac));
  }
  for (const int64_t v : values) {
    char buf[mmh::sdk::kE8MaxChars];
    const std::string got(buf, mmh::sdk::write_e8(buf, v));
    if (got != reference(v)) {
      CAPTURE(v);
      CHECK(got == reference(v));
    }
  }
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
