// Exact decimal <-> fixed-point (8 decimals, `*_e8`) conversion for market data.
// Parsing never goes through double, so "2528.14" is exactly 252814000000.
#pragma once

#include <mmhost/plugin.h>

#include <charconv>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mmh::sdk {

enum class ParseDecimal { ok, empty, not_a_number, too_precise, out_of_range };

namespace detail {
inline constexpr int64_t kPow10[] = {1,
                                     10,
                                     100,
                                     1000,
                                     10000,
                                     100000,
                                     1000000,
                                     10000000,
                                     100000000,
                                     1000000000,
                                     10000000000LL,
                                     100000000000LL,
                                     1000000000000LL,
                                     10000000000000LL,
                                     100000000000000LL,
                                     1000000000000000LL,
                                     10000000000000000LL,
                                     100000000000000000LL,
                                     1000000000000000000LL};
}

// Parses [-]digits[.digits][(e|E)[+-]digits] into units of 1e-8. Rejects values that need more
// than 8 decimals (non-zero digits past the 8th) instead of rounding them silently.
inline ParseDecimal parse_e8(std::string_view text, int64_t& out) noexcept {
  // Fast path for what feeds and files nearly always hold: 1-10 digits, optionally '.' and 1-8
  // more (cannot overflow). Anything else, signs and exponents included, takes the general path.
  {
    size_t i = 0;
    int64_t whole = 0;
    while (i < text.size() && i < 11 && text[i] >= '0' && text[i] <= '9')
      whole = whole * 10 + (text[i++] - '0');
    if (i > 0 && i <= 10) {
      if (i == text.size()) {
        out = whole * MMH_E8;
        return ParseDecimal::ok;
      }
      const size_t decimals = text.size() - i - 1;
      if (text[i] == '.' && decimals >= 1 && decimals <= 8) {
        int64_t frac = 0;
        size_t j = i + 1;
        while (j < text.size() && text[j] >= '0' && text[j] <= '9')
          frac = frac * 10 + (text[j++] - '0');
        if (j == text.size()) {
          out = whole * MMH_E8 + frac * detail::kPow10[8 - decimals];
          return ParseDecimal::ok;
        }
      }
    }
  }
  const char* p = text.data();
  const char* end = p + text.size();
  if (p == end) return ParseDecimal::empty;
  bool negative = false;
  if (*p == '-' || *p == '+') {
    negative = *p == '-';
    ++p;
  }
  // Collect up to 19 significant digits as an integer plus a decimal exponent.
  uint64_t mantissa = 0;
  int digits = 0;
  int exponent = 0;  // value = mantissa * 10^exponent
  bool any = false;
  bool dropped_nonzero = false;
  bool too_large = false;
  for (; p != end && *p >= '0' && *p <= '9'; ++p) {
    any = true;
    if (digits < 18) {
      mantissa = mantissa * 10 + static_cast<uint64_t>(*p - '0');
      if (mantissa != 0) ++digits;
    } else {
      too_large = true;  // > 18 integer digits can never fit in int64 once scaled by 1e8
    }
  }
  if (p != end && *p == '.') {
    ++p;
    for (; p != end && *p >= '0' && *p <= '9'; ++p) {
      any = true;
      if (digits < 18) {
        mantissa = mantissa * 10 + static_cast<uint64_t>(*p - '0');
        if (mantissa != 0) ++digits;
        --exponent;
      } else if (*p != '0') {
        dropped_nonzero = true;
      }
    }
  }
  if (!any) return ParseDecimal::not_a_number;
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool exp_negative = false;
    if (p != end && (*p == '-' || *p == '+')) exp_negative = *p++ == '-';
    if (p == end) return ParseDecimal::not_a_number;
    int e = 0;
    for (; p != end && *p >= '0' && *p <= '9'; ++p) {
      if (e > 1000) return ParseDecimal::out_of_range;
      e = e * 10 + (*p - '0');
    }
    exponent += exp_negative ? -e : e;
  }
  if (p != end) return ParseDecimal::not_a_number;
  if (too_large) return ParseDecimal::out_of_range;
  if (dropped_nonzero) return ParseDecimal::too_precise;
  // Scale to 8 decimals: value_e8 = mantissa * 10^(exponent + 8).
  const int shift = exponent + 8;
  int64_t value = 0;
  if (mantissa == 0) {
    value = 0;
  } else if (shift >= 0) {
    if (shift > 18) return ParseDecimal::out_of_range;
    const uint64_t limit =
        static_cast<uint64_t>(INT64_MAX) / static_cast<uint64_t>(detail::kPow10[shift]);
    if (mantissa > limit) return ParseDecimal::out_of_range;
    value = static_cast<int64_t>(mantissa * static_cast<uint64_t>(detail::kPow10[shift]));
  } else {
    if (-shift > 18) return ParseDecimal::too_precise;
    const uint64_t div = static_cast<uint64_t>(detail::kPow10[-shift]);
    if (mantissa % div != 0) return ParseDecimal::too_precise;
    const uint64_t scaled = mantissa / div;
    if (scaled > static_cast<uint64_t>(INT64_MAX)) return ParseDecimal::out_of_range;
    value = static_cast<int64_t>(scaled);
  }
  out = negative ? -value : value;
  return ParseDecimal::ok;
}

inline const char* describe(ParseDecimal r) noexcept {
  switch (r) {
    case ParseDecimal::ok:
      return "ok";
    case ParseDecimal::empty:
      return "empty field";
    case ParseDecimal::not_a_number:
      return "not a number";
    case ParseDecimal::too_precise:
      return "more than 8 decimals";
    case ParseDecimal::out_of_range:
      return "out of range";
  }
  return "?";
}

// Shortest exact decimal text, written at `p` (room: kE8MaxChars) and returning its end:
// 252814000000 -> "2528.14", 100000000 -> "1".
constexpr size_t kE8MaxChars = 32;
namespace detail {
// "00".."99": two digits of a fraction per store.
inline constexpr char kDigitPairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
inline void write_digit_pair(char* p, uint32_t v) {  // v < 100
  p[0] = kDigitPairs[2 * v];
  p[1] = kDigitPairs[2 * v + 1];
}
}  // namespace detail

inline char* write_e8(char* p, int64_t value_e8) {
  const bool negative = value_e8 < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(value_e8) : static_cast<uint64_t>(value_e8);
  const uint64_t whole = magnitude / static_cast<uint64_t>(MMH_E8);
  const auto frac = static_cast<uint32_t>(magnitude - whole * static_cast<uint64_t>(MMH_E8));
  if (negative) *p++ = '-';
  p = std::to_chars(p, p + 20, whole).ptr;
  if (frac != 0) {
    // Eight digits as four pairs (every run file and decision writes prices), then the trailing
    // zeros dropped: at least one digit is not zero.
    *p++ = '.';
    const uint32_t high = frac / 10'000;
    const uint32_t low = frac % 10'000;
    detail::write_digit_pair(p, high / 100);
    detail::write_digit_pair(p + 2, high % 100);
    detail::write_digit_pair(p + 4, low / 100);
    detail::write_digit_pair(p + 6, low % 100);
    p += 8;
    while (p[-1] == '0') --p;
  }
  return p;
}

inline std::string format_e8(int64_t value_e8) {
  char buf[kE8MaxChars];
  return std::string(buf, write_e8(buf, value_e8));
}

inline double e8_to_double(int64_t value_e8) noexcept {
  return static_cast<double>(value_e8) / static_cast<double>(MMH_E8);
}

// Decimal text ("0.01", "12", "0.0000010") as an ABI decimal, exactly; trailing zeros of a
// fraction carry no value, so they never count against the 19 digits a 64-bit mantissa holds.
// Throws std::invalid_argument for anything else (signs, exponents, spaces, 20+ digits).
inline mmh_decimal decimal_from_text(std::string_view text) {
  std::string_view digits_text = text;
  if (digits_text.find('.') != std::string_view::npos)
    while (digits_text.size() > 1 && digits_text.back() == '0') digits_text.remove_suffix(1);
  int64_t mantissa = 0;
  int32_t exponent = 0;
  bool dot = false, digits = false;
  for (char c : digits_text) {
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9' || __builtin_mul_overflow(mantissa, 10, &mantissa) ||
        __builtin_add_overflow(mantissa, c - '0', &mantissa))
      throw std::invalid_argument("'" + std::string(text) +
                                  "' is not a decimal of at most 19 digits");
    digits = true;
    if (dot) --exponent;
  }
  if (!digits) throw std::invalid_argument("'" + std::string(text) + "' is not a decimal");
  while (mantissa != 0 && mantissa % 10 == 0 && exponent < 0) {  // 0.010 -> {1, -2}
    mantissa /= 10;
    ++exponent;
  }
  if (mantissa == 0) exponent = 0;
  mmh_decimal d{};
  d.mantissa = mantissa;
  d.exponent = exponent;
  return d;
}

// An ABI decimal (mantissa x 10^exponent) in units of 1e-8; false when it has more than 8
// decimal places or does not fit.
inline bool decimal_to_e8(const mmh_decimal& d, int64_t& out) noexcept {
  int64_t v = d.mantissa;
  int e = d.exponent + 8;
  if (e > 18 || e < -18) return v == 0 ? (out = 0, true) : false;
  for (; e > 0; --e) {
    if (v > INT64_MAX / 10 || v < INT64_MIN / 10) return false;
    v *= 10;
  }
  for (; e < 0; ++e) {
    if (v % 10 != 0) return false;
    v /= 10;
  }
  out = v;
  return true;
}

// The quote value of qty at price (both e8): price * qty / 1e8, rounded toward zero, in 128-bit
// arithmetic. Venues and the host's ledger both use this one rule, so their balances agree to
// the unit.
inline int64_t value_e8(int64_t price_e8, int64_t qty_e8) noexcept {
  __extension__ using wide = __int128;
  return static_cast<int64_t>(static_cast<wide>(price_e8) * qty_e8 / MMH_E8);
}

}  // namespace mmh::sdk
