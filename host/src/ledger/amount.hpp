// Money as the ledger keeps it: a signed 128-bit integer in units of 1e-18 (`*_e18`). Exchanges
// report fees, cumulative values and balances with more than 8 decimals (Bybit: "0.1017827742",
// "0.06229682784"); 18 decimals hold every amount an ABI decimal can carry exactly (its mantissa
// is 64-bit, so at most 19 significant digits), and 128 bits leave room for 10^20 whole units.
// Prices and quantities stay at 1e-8 (ticks and lots); ADR 0020.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <optional>
#include <string>

namespace mmh {

__extension__ using amount_e18 = __int128;

inline constexpr amount_e18 kE18 = 1'000'000'000'000'000'000;
inline constexpr int64_t kE18PerE8 = 10'000'000'000;

// Largest value the ledger accepts: 10^20 whole units (anything above is not money).
inline constexpr amount_e18 kAmountMaxE18 = kE18 * 100'000'000 * 1'000'000'000'000;

constexpr amount_e18 e8_to_e18(int64_t value_e8) {
  return static_cast<amount_e18>(value_e8) * kE18PerE8;
}

// Rounded toward negative infinity to 1e-8 (for figures shown or compared at 1e-8).
int64_t e18_to_e8_floor(amount_e18 value_e18);
// The same floor, not narrowed to 64 bits.
amount_e18 e18_floor_in_e8(amount_e18 value_e18);

// a * b / c rounded toward zero for a, b >= 0 and c > 0, exact even when a * b needs 256 bits
// (a cost basis in 1e-18 times a quantity in 1e-18 can); the quotient must fit (a <= c or b <= c).
amount_e18 mul_div_floor(amount_e18 a, amount_e18 b, amount_e18 c);

// An ABI decimal exactly, or nothing when it has more than 18 decimals or is beyond
// kAmountMaxE18.
std::optional<amount_e18> decimal_to_e18(const mmh_decimal& d);

// Like decimal_to_e18, but digits past the 18th decimal are rounded half to even (`rounded` says
// whether any were). Nothing only when the value is beyond kAmountMaxE18.
std::optional<amount_e18> decimal_to_e18_rounded(const mmh_decimal& d, bool& rounded);

// The quote value of `qty_e18` at `price_e8`, rounded down to 1e-8 (the rule sdk::value_e8 and
// the venues use for trade values, so ledger and venue agree to the unit); qty_e18 >= 0.
amount_e18 value_e18(int64_t price_e8, amount_e18 qty_e18);
// The same value in units of 1e-8 (value_e18 is this times kE18PerE8).
amount_e18 value_in_e8(int64_t price_e8, amount_e18 qty_e18);

// Shortest exact decimal: 7000025225451200000000 -> "7000.0252254512", -3e18 -> "-3".
std::string format_e18(amount_e18 value_e18);
// The same text written at `out` (room: kE18MaxChars); returns the end. No allocation: equity.csv
// writes three per bar.
constexpr size_t kE18MaxChars = 64;  // sign, 39 digits, point, 18 decimals
char* write_e18(char* out, amount_e18 value_e18);

}  // namespace mmh
