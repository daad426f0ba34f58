#include "ledger/amount.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <utility>

using mmh::amount_e18;
using mmh::decimal_to_e18;
using mmh::format_e18;

namespace {

mmh_decimal dec(int64_t mantissa, int32_t exponent) {
  mmh_decimal d{};
  d.mantissa = mantissa;
  d.exponent = exponent;
  return d;
}

std::string exact(int64_t mantissa, int32_t exponent) {
  const auto v = decimal_to_e18(dec(mantissa, exponent));
  return v ? format_e18(*v) : std::string("none");
}

}  // namespace

TEST_CASE("amount: Bybit's reported fees and values are kept to the last digit") {
  // Real values from ../shared/bybit/fixtures and the fee (10 decimals).
  CHECK(exact(306, -9) == "0.000000306");            // execFee, ws_private_execution_spot
  CHECK(exact(6229682784, -11) == "0.06229682784");  // cumExecFee, market sell
  CHECK(exact(1017827742, -10) == "0.1017827742");   // 0.03827 ETH x 2659.6 x 0.001
  CHECK(exact(123456789012, -12) == "0.123456789012");
  CHECK(exact(1, -18) == "0.000000000000000001");
  CHECK(exact(-25, -1) == "-2.5");
  CHECK(exact(0, -40) == "0");
  CHECK(exact(7, 3) == "7000");
}

TEST_CASE("amount: very large amounts, and what is beyond money") {
  // The largest ABI mantissa at 12 and at 0 decimals.
  CHECK(exact(INT64_MAX, -12) == "9223372.036854775807");
  CHECK(exact(INT64_MAX, 0) == "9223372036854775807");
  CHECK(exact(INT64_MIN, -18) == "-9.223372036854775808");
  CHECK(exact(1, 20) == "100000000000000000000");  // 10^20: the limit itself
  CHECK(exact(1, 21) == "none");
  CHECK(exact(INT64_MAX, 2) == "none");
  CHECK(exact(1, 2'000'000'000) == "none");
  // More than 18 decimals: refused exactly, rounded half to even on request.
  CHECK(exact(1, -19) == "none");
  bool rounded = false;
  CHECK(format_e18(*mmh::decimal_to_e18_rounded(dec(15, -19), rounded)) == "0.000000000000000002");
  CHECK(rounded);
  CHECK(format_e18(*mmh::decimal_to_e18_rounded(dec(25, -19), rounded)) == "0.000000000000000002");
  CHECK(format_e18(*mmh::decimal_to_e18_rounded(dec(-26, -19), rounded)) ==
        "-0.000000000000000003");
  CHECK(format_e18(*mmh::decimal_to_e18_rounded(dec(1, -2'000'000'000), rounded)) == "0");
}

TEST_CASE("amount: e8 conversions and trade values at 1e-8") {
  CHECK(mmh::e8_to_e18(252814000000) == *decimal_to_e18(dec(252814, -2)));
  CHECK(mmh::e18_to_e8_floor(*decimal_to_e18(dec(1017827742, -10))) == 10178277);
  CHECK(mmh::e18_to_e8_floor(*decimal_to_e18(dec(-1017827742, -10))) == -10178278);
  // 0.000306 BTC at 32635.00 = 9.98631 (the fixture's execValue).
  CHECK(format_e18(mmh::value_e18(3263500000000, *decimal_to_e18(dec(306, -6)))) == "9.98631");
  // A base fee of 0.000000306 BTC at 32635 is worth 0.00998631 quote.
  CHECK(format_e18(mmh::value_e18(3263500000000, *decimal_to_e18(dec(306, -9)))) == "0.00998631");
  // Rounded down to 1e-8, and no overflow for 10^9 base at 10^6 quote each.
  CHECK(format_e18(mmh::value_e18(1, *decimal_to_e18(dec(1, 0)))) == "0.00000001");
  CHECK(format_e18(mmh::value_e18(99999999, *decimal_to_e18(dec(1, -9)))) == "0");
  CHECK(format_e18(mmh::value_e18(100'000'000'000'000, *decimal_to_e18(dec(1, 9)))) ==
        "1000000000000000");
}

TEST_CASE("value_e18: the fast path gives the general formula's floor") {
  // The general formula, written out: floor(price * qty / 1e18) at 1e-8, in 128-bit parts.
  const auto slow = [](int64_t price, mmh::amount_e18 qty) {
    const mmh::amount_e18 qty_e8 = qty / mmh::kE18PerE8, rest = qty % mmh::kE18PerE8;
    const mmh::amount_e18 a = static_cast<mmh::amount_e18>(price) * qty_e8;
    return (a / 100'000'000 + ((a % 100'000'000) * mmh::kE18PerE8 + price * rest) / mmh::kE18) *
           mmh::kE18PerE8;
  };
  uint64_t x = 88172645463325252ULL;  // xorshift: many prices and holdings, edges included
  const auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 200000; ++i) {
    const int64_t price = static_cast<int64_t>(next() % 10'000'000'000'000ULL);  // < 100,000
    mmh::amount_e18 qty = static_cast<mmh::amount_e18>(next() >> (next() % 64));
    if (i % 3 == 0) qty -= qty % mmh::kE18PerE8;  // whole 1e-8 lots, as fills make
    REQUIRE(mmh::value_e18(price, qty) == slow(price, qty));
    REQUIRE(mmh::value_in_e8(price, qty) * mmh::kE18PerE8 == slow(price, qty));
  }
  // Exact multiples of 1e18 in the product, and the largest 64-bit holding.
  CHECK(mmh::value_e18(100'000'000, mmh::kE18) == mmh::kE18);
  const mmh::amount_e18 big = static_cast<mmh::amount_e18>(UINT64_MAX);
  CHECK(mmh::value_e18(123'456'789'012, big) == slow(123'456'789'012, big));
}

TEST_CASE("write_e18: exact text in place, within the room it claims, for every magnitude") {
  using mmh::amount_e18;
  const amount_e18 max = (((amount_e18{1} << 126) - 1) << 1) + 1;  // 2^127 - 1
  const amount_e18 e18 = 1'000'000'000'000'000'000;
  const std::pair<amount_e18, const char*> cases[] = {
      {0, "0"},
      {1, "0.000000000000000001"},
      {-1, "-0.000000000000000001"},
      {-3 * e18, "-3"},
      {amount_e18{7000025225451200000} * 1000, "7000.0252254512"},
      {static_cast<amount_e18>(UINT64_MAX) * e18 + 5, "18446744073709551615.000000000000000005"},
      {max, "170141183460469231731.687303715884105727"},
      {-max - 1, "-170141183460469231731.687303715884105728"},
  };
  for (const auto& [value, text] : cases) {
    char buf[mmh::kE18MaxChars + 8];
    std::memset(buf, '#', sizeof(buf));
    const char* end = mmh::write_e18(buf, value);
    const std::string expected = text;
    CAPTURE(expected);
    REQUIRE(end - buf <= static_cast<std::ptrdiff_t>(mmh::kE18MaxChars));
    CHECK(std::string(static_cast<const char*>(buf), end) == expected);
    CHECK(buf[mmh::kE18MaxChars] == '#');  // nothing written past the room it claims
    CHECK(format_e18(value) == expected);
  }
}
