// The adaptive market-making grid: levels per side around a centre, step = max(minimum ticks,
// step_atr * ATR), size in quote scaled by policy and volatility, and inventory control by a
// soft band (shrink the side that adds inventory, grow the other, skew the centre) and a hard
// band (that side is off, and no order may carry inventory past it). Spot only: buys never need
// more quote than is free, sells never more base than is free.
#pragma once

#include "instrument.hpp"
#include "policy.hpp"

#include <array>
#include <cstdint>

namespace mmh::bos {

inline constexpr int kMaxGridLevels = 20;

struct GridParams {
  int levels = 4;                // per side, Normal policy; [1, 20]
  int step_min_ticks = 10;       // [1, 1e6]
  double step_min_bps = 25;      // floor on the step in basis points of the centre, so a round
                                 // trip earns more than two maker fees (0.1% each); [0, 1000]
  double step_atr = 0.35;        // step in ATR; [0, 20]
  double level_pct = 2.0;        // quote per level as % of equity, before scaling; (0, 50]
  double vol_ref_atr_pct = 0.3;  // size scale = clamp(vol_ref_atr_pct / atr_pct, min_size_scale, 1)
  double min_size_scale = 0.25;  // [0.01, 1]
  double target_base_share = 0.3;    // base value / equity the grid steers to; [0, 0.95]
  double soft_band = 0.10;           // |share - target| past this shrinks the adding side; (0, 1)
  double hard_band = 0.20;           // past this the adding side is off; (soft_band, 1)
  double skew_atr = 0.5;             // centre shift at the hard band, in ATR; [0, 20]
  int defensive_levels = 2;          // [1, 20]
  double defensive_step_mult = 1.5;  // [1, 10]
  double defensive_size_mult = 0.5;  // (0, 1]
  double defensive_band_mult = 0.5;  // bands scale; (0, 1]

  void validate() const;
};

struct GridInputs {
  int64_t centre_e8 = 0;    // mid when the book is known, else the last close
  int64_t best_bid_e8 = 0;  // 0 when unknown
  int64_t best_ask_e8 = 0;
  double atr_e8 = 0;
  double atr_pct = 0;
  PolicyLevel policy = PolicyLevel::normal;
  int64_t base_free_e8 = 0;   // what the grid may sell
  int64_t quote_free_e8 = 0;  // what the grid may spend
};

struct GridLevel {
  int64_t price_ticks = 0;
  int64_t qty_lots = 0;
  bool operator==(const GridLevel&) const = default;
};

struct Grid {
  std::array<GridLevel, kMaxGridLevels> bids{};  // best (highest) first
  std::array<GridLevel, kMaxGridLevels> asks{};  // best (lowest) first
  int bid_count = 0;
  int ask_count = 0;
  int64_t centre_e8 = 0;  // after skew
  int64_t step_e8 = 0;
  double equity_e8 = 0;        // quote + base at the centre, when built
  double inventory_share = 0;  // base value / equity
  double deviation = 0;        // share - target
  bool buys_off = false;       // hard band: no buys
  bool sells_off = false;      // hard band: no sells
  // Same orders (centre and diagnostics aside).
  bool same_orders(const Grid& other) const;
};

// Pure function of its inputs; deterministic.
Grid build_grid(const GridParams& params, const Instrument& instrument, const GridInputs& in);

}  // namespace mmh::bos
