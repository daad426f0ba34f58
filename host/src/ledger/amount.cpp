#include "ledger/amount.hpp"

#include <array>
#include <charconv>

namespace mmh {
namespace {

__extension__ typedef unsigned __int128 u128;

// Floor division for a positive divisor.
amount_e18 floor_div(amount_e18 a, amount_e18 b) {
  amount_e18 q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

// 10^0 .. 10^38, the powers an amount_e18 holds (a ledger converts every balance report).
constexpr std::array<amount_e18, 39> kPow10 = [] {
  std::array<amount_e18, 39> p{};
  p[0] = 1;
  for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}();

amount_e18 pow10(int n) {
  return kPow10[static_cast<size_t>(n)];  // callers keep 0 <= n <= 38
}

}  // namespace

amount_e18 mul_div_floor(amount_e18 a, amount_e18 b, amount_e18 c) {
  amount_e18 product = 0;
  if (!__builtin_mul_overflow(a, b, &product)) return product / c;
  // 256-bit product from 64-bit limbs, then binary long division by c.
  const u128 ua = static_cast<u128>(a), ub = static_cast<u128>(b), uc = static_cast<u128>(c);
  const u128 mask = ~uint64_t{0};
  const u128 a0 = ua & mask, a1 = ua >> 64, b0 = ub & mask, b1 = ub >> 64;
  const u128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const u128 mid = (p00 >> 64) + (p01 & mask) + (p10 & mask);
  u128 lo = (p00 & mask) | (mid << 64);
  const u128 hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
  u128 rem = hi % uc;  // hi / uc is zero whenever the quotient fits, as it does for part <= whole
  u128 quotient = 0;
  for (int i = 0; i < 128; ++i) {
    const bool carry = (rem >> 127) != 0;
    rem = (rem << 1) | (lo >> 127);
    lo <<= 1;
    quotient <<= 1;
    if (carry || rem >= uc) {
      rem -= uc;
      quotient |= 1;
    }
  }
  return static_cast<amount_e18>(quotient);
}

amount_e18 e18_floor_in_e8(amount_e18 value_e18) {
  return floor_div(value_e18, kE18PerE8);
}

int64_t e18_to_e8_floor(amount_e18 value_e18) {
  return static_cast<int64_t>(e18_floor_in_e8(value_e18));
}

std::optional<amount_e18> decimal_to_e18_rounded(const mmh_decimal& d, bool& rounded) {
  rounded = false;
  const int shift = d.exponent + 18;
  amount_e18 v = d.mantissa;
  if (v == 0) return amount_e18{0};
  if (shift >= 0) {
    // |mantissa| < 2^63 and 10^18 < 2^60: a product that cannot overflow needs no check (the
    // checked 128-bit multiply is a library call; exponents -18..0 are every balance's).
    if (shift <= 18)
      v *= pow10(shift);
    else if (shift > 38 || __builtin_mul_overflow(v, pow10(shift), &v))
      return std::nullopt;
  } else {
    if (shift < -38) return amount_e18{0};  // below 1e-56: rounds to zero
    const amount_e18 div = pow10(-shift);
    amount_e18 q = v / div;
    const amount_e18 r = v % div;  // same sign as v
    if (r != 0) {
      rounded = true;
      const amount_e18 twice = (r < 0 ? -r : r) * 2;
      if (twice > div || (twice == div && q % 2 != 0)) q += v < 0 ? -1 : 1;
    }
    v = q;
  }
  if (v > kAmountMaxE18 || v < -kAmountMaxE18) return std::nullopt;
  return v;
}

std::optional<amount_e18> decimal_to_e18(const mmh_decimal& d) {
  bool rounded = false;
  std::optional<amount_e18> v = decimal_to_e18_rounded(d, rounded);
  if (rounded) return std::nullopt;
  return v;
}

amount_e18 value_in_e8(int64_t price_e8, amount_e18 qty_e18) {
  if (qty_e18 == 0) return 0;  // nothing held: most bars of a strategy out of the market
  // The usual case (a holding under 18.4 units at any price): one 64x64 product, its quotient by
  // 1e18 estimated in floating point and made exact by the remainder (no 128-bit division; the
  // ledger values its holding at every bar). The same floor as the general path below.
  if (price_e8 >= 0 && qty_e18 >= 0 && qty_e18 <= static_cast<amount_e18>(UINT64_MAX)) {
    const u128 product =
        static_cast<u128>(static_cast<uint64_t>(price_e8)) * static_cast<uint64_t>(qty_e18);
    constexpr uint64_t kE18u = 1'000'000'000'000'000'000ULL;
    // The product as a double from its halves, inline (a 128-bit conversion is a library call):
    // a few ulps off at most, which the exact steps below take back.
    const double estimate = (static_cast<double>(static_cast<uint64_t>(product >> 64)) * 0x1p64 +
                             static_cast<double>(static_cast<uint64_t>(product))) /
                            1e18;
    if (estimate < 4e15) {  // far below 2^53: the estimate is within 2 of the floor
      uint64_t q = static_cast<uint64_t>(estimate);
      u128 at = static_cast<u128>(q) * kE18u;
      while (at > product) {
        --q;
        at -= kE18u;
      }
      while (product - at >= kE18u) {
        ++q;
        at += kE18u;
      }
      return static_cast<amount_e18>(q);
    }
  }
  // price_e8 * qty_e18 / 1e18 in two parts so that neither product overflows: the whole-lot
  // part (qty at 1e-8) and the finer remainder.
  const amount_e18 qty_e8 = qty_e18 / kE18PerE8;
  const amount_e18 rest = qty_e18 % kE18PerE8;
  const amount_e18 a = static_cast<amount_e18>(price_e8) * qty_e8;  // units 1e-16
  return a / 100'000'000 + ((a % 100'000'000) * kE18PerE8 + price_e8 * rest) / kE18;
}

amount_e18 value_e18(int64_t price_e8, amount_e18 qty_e18) {
  return value_in_e8(price_e8, qty_e18) * kE18PerE8;
}

char* write_e18(char* out, amount_e18 value_e18) {
  const bool negative = value_e18 < 0;
  const u128 magnitude =
      negative ? u128(0) - static_cast<u128>(value_e18) : static_cast<u128>(value_e18);
  // Two 128-bit divisions, then 64-bit work: this runs for every line of fills.csv and
  // equity.csv.
  u128 whole = magnitude / static_cast<uint64_t>(kE18);
  uint64_t frac = static_cast<uint64_t>(magnitude % static_cast<uint64_t>(kE18));
  char* p = out;
  if (negative) *p++ = '-';
  if (whole <= UINT64_MAX) {
    p = std::to_chars(p, out + kE18MaxChars, static_cast<uint64_t>(whole)).ptr;
  } else {  // beyond 1.8e19 whole units
    char digits[40];
    int n = 0;
    for (; whole != 0; whole /= 10)
      digits[n++] = static_cast<char>('0' + static_cast<int>(whole % 10));
    while (n > 0) *p++ = digits[--n];
  }
  if (frac != 0) {
    *p++ = '.';
    for (int i = 17; i >= 0; --i) {
      p[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    p += 18;
    while (p[-1] == '0') --p;
  }
  return p;
}

std::string format_e18(amount_e18 value_e18) {
  char buf[kE18MaxChars];
  return std::string(buf, write_e18(buf, value_e18));
}

}  // namespace mmh
