// Trading rules of the instrument and the rounding every desired order goes through: prices to
// the tick (bids down, asks up: never more aggressive than asked), quantities down to the lot,
// and the exchange's minimum quantity and minimum order value.
#pragma once

#include <cstdint>

namespace mmh::bos {

// Nearest integer, halves away from zero, without a libm call on the per-bar path.
inline int64_t round_to_int64(double x) {
  return x >= 0 ? static_cast<int64_t>(x + 0.5) : -static_cast<int64_t>(-x + 0.5);
}

struct Instrument {
  // Bybit spot ETHUSDT (instruments-info): tick 0.01, basePrecision 0.00001, minOrderQty 0.00062,
  // minOrderAmt 1 USDT. All in 1e-8 units.
  int64_t tick_e8 = 1'000'000;
  int64_t lot_e8 = 1'000;
  int64_t min_qty_e8 = 62'000;
  int64_t min_value_e8 = 100'000'000;  // quote

  void validate() const;  // throws std::invalid_argument naming the field

  int64_t price_ticks_down(int64_t price_e8) const { return floor_div(price_e8, tick_e8); }
  int64_t price_ticks_up(int64_t price_e8) const { return -floor_div(-price_e8, tick_e8); }
  int64_t qty_lots_down(int64_t qty_e8) const { return qty_e8 <= 0 ? 0 : qty_e8 / lot_e8; }
  int64_t price_e8(int64_t price_ticks) const { return price_ticks * tick_e8; }
  int64_t qty_e8(int64_t qty_lots) const { return qty_lots * lot_e8; }
  // Quote value of a quantity at a price, in 1e-8 quote units (128-bit intermediate).
  static int64_t value_e8(int64_t price_e8, int64_t qty_e8) {
    // Most products fit 64 bits, where dividing by a constant is a multiply; 128-bit division is
    // a library call. Both truncate toward zero: the same value either way.
    int64_t product = 0;
    if (!__builtin_mul_overflow(price_e8, qty_e8, &product)) return product / 100'000'000;
    __extension__ using wide = __int128;  // GCC/Clang; keeps -Wpedantic quiet
    return static_cast<int64_t>(static_cast<wide>(price_e8) * qty_e8 / 100'000'000);
  }
  // True when an order of this size is accepted by the exchange's minimums.
  bool meets_minimums(int64_t price_ticks, int64_t qty_lots) const {
    const int64_t qty = qty_e8(qty_lots);
    return qty_lots > 0 && qty >= min_qty_e8 &&
           value_e8(price_e8(price_ticks), qty) >= min_value_e8;
  }

 private:
  static int64_t floor_div(int64_t a, int64_t b) {
    const int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
  }
};

}  // namespace mmh::bos
