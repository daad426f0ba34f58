// The trading rules the simulated venue enforces, and the one exact integer rule for the quote
// value of a fill that the venue and the host's ledger share (both sides must agree to the unit).
#pragma once

#include <mmhost/plugin.h>
#include <mmhost/sdk/fixed_point.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace mmh::sim {

__extension__ using i128 = __int128;  // GCC/Clang; keeps -Wpedantic quiet

// The quote value of a fill: the SDK's one rule, shared with the host's ledger.
using sdk::value_e8;

struct SimInstrument {
  uint32_t symbol_id = 1;
  std::string base_asset = "ETH";
  std::string quote_asset = "USDT";
  int64_t tick_e8 = 1'000'000;  // 0.01 (Bybit spot ETHUSDT)
  int64_t lot_e8 = 1'000;       // 0.00001
  int64_t min_qty_e8 = 0;
  int64_t min_value_e8 = 0;

  int64_t price_e8(int64_t ticks) const { return ticks * tick_e8; }
  int64_t qty_e8(int64_t lots) const { return lots * lot_e8; }
  // Floor / ceiling to a whole tick.
  int64_t ticks_down(int64_t price_e8) const {
    return price_e8 >= 0 ? price_e8 / tick_e8 : -((-price_e8 + tick_e8 - 1) / tick_e8);
  }
  int64_t ticks_up(int64_t price_e8) const { return -ticks_down(-price_e8); }
  int64_t lots_down(int64_t qty_e8) const { return qty_e8 <= 0 ? 0 : qty_e8 / lot_e8; }

  void validate() const {
    if (tick_e8 <= 0 || lot_e8 <= 0)
      throw std::invalid_argument("tick_size and lot_size must be positive");
    if (base_asset.empty() || quote_asset.empty() || base_asset == quote_asset)
      throw std::invalid_argument("base_asset and quote_asset must be two different assets");
  }
};

}  // namespace mmh::sim
