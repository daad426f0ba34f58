#include "grid.hpp"

#include "validate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace mmh::bos {
namespace {
constexpr const char* kGroup = "grid";
}  // namespace

void GridParams::validate() const {
  check_range(kGroup, "levels", levels, 1, kMaxGridLevels);
  check_range(kGroup, "step_min_ticks", step_min_ticks, 1, 1e6);
  check_range(kGroup, "step_min_bps", step_min_bps, 0, 1000);
  check_range(kGroup, "step_atr", step_atr, 0, 20);
  check_range(kGroup, "level_pct", level_pct, 1e-6, 50);
  check_range(kGroup, "vol_ref_atr_pct", vol_ref_atr_pct, 1e-6, 100);
  check_range(kGroup, "min_size_scale", min_size_scale, 0.01, 1);
  check_range(kGroup, "target_base_share", target_base_share, 0, 0.95);
  check_range(kGroup, "soft_band", soft_band, 1e-6, 0.999);
  check_range(kGroup, "hard_band", hard_band, 1e-6, 1);
  if (!(hard_band > soft_band))
    throw std::invalid_argument("grid.hard_band must be greater than grid.soft_band");
  check_range(kGroup, "skew_atr", skew_atr, 0, 20);
  check_range(kGroup, "defensive_levels", defensive_levels, 1, kMaxGridLevels);
  check_range(kGroup, "defensive_step_mult", defensive_step_mult, 1, 10);
  check_range(kGroup, "defensive_size_mult", defensive_size_mult, 1e-6, 1);
  check_range(kGroup, "defensive_band_mult", defensive_band_mult, 1e-6, 1);
}

bool Grid::same_orders(const Grid& o) const {
  if (bid_count != o.bid_count || ask_count != o.ask_count) return false;
  for (int i = 0; i < bid_count; ++i)
    if (!(bids[static_cast<size_t>(i)] == o.bids[static_cast<size_t>(i)])) return false;
  for (int i = 0; i < ask_count; ++i)
    if (!(asks[static_cast<size_t>(i)] == o.asks[static_cast<size_t>(i)])) return false;
  return true;
}

Grid build_grid(const GridParams& p, const Instrument& inst, const GridInputs& in) {
  Grid g;
  if (in.centre_e8 <= 0) return g;
  const double centre = static_cast<double>(in.centre_e8);
  const double base_value = static_cast<double>(in.base_free_e8) * centre / 1e8;
  const double equity = base_value + static_cast<double>(in.quote_free_e8);
  if (equity <= 0) return g;

  const bool defensive = in.policy == PolicyLevel::defensive;
  const int levels = defensive ? p.defensive_levels : p.levels;
  const double band_mult = defensive ? p.defensive_band_mult : 1.0;
  const double soft = p.soft_band * band_mult;
  const double hard = p.hard_band * band_mult;

  g.equity_e8 = equity;
  g.inventory_share = base_value / equity;
  g.deviation = g.inventory_share - p.target_base_share;
  // 0 inside the soft band, rising to 1 at the hard band.
  const double excess = std::clamp((std::fabs(g.deviation) - soft) / (hard - soft), 0.0, 1.0);
  const bool long_side = g.deviation > 0;  // holding more base than the target
  g.buys_off = long_side && g.deviation >= hard;
  g.sells_off = !long_side && -g.deviation >= hard;
  const double adding_mult = 1.0 - excess;  // the side that moves inventory away from target
  const double reducing_mult = 1.0 + excess;
  const double buy_mult = long_side ? adding_mult : reducing_mult;
  const double sell_mult = long_side ? reducing_mult : adding_mult;

  const double tick = static_cast<double>(inst.tick_e8);
  double step =
      std::max({p.step_min_ticks * tick, p.step_min_bps * centre / 1e4, p.step_atr * in.atr_e8});
  if (defensive) step *= p.defensive_step_mult;
  // Skew the centre toward the reducing side: lower when long (sells fill sooner).
  const double skew = p.skew_atr * in.atr_e8 * excess * (long_side ? -1.0 : 1.0);
  const double skewed_centre = centre + skew;
  g.centre_e8 = round_to_int64(skewed_centre);
  g.step_e8 = round_to_int64(step);

  double size_scale = 1.0;
  if (in.atr_pct > 0)
    size_scale = std::clamp(p.vol_ref_atr_pct / in.atr_pct, p.min_size_scale, 1.0);
  if (defensive) size_scale *= p.defensive_size_mult;
  const double level_quote = equity * p.level_pct / 100.0 * size_scale;

  // Budgets: all bids filled must not carry the share past target + hard (nor spend more quote
  // than is free); all asks filled must not take it below target - hard (nor sell more base than
  // is free).
  const double max_base_value = (p.target_base_share + hard) * equity;
  const double min_base_value = std::max(0.0, (p.target_base_share - hard) * equity);
  double buy_budget_quote =
      std::min(static_cast<double>(in.quote_free_e8), std::max(0.0, max_base_value - base_value));
  int64_t sell_budget_e8 = std::min<int64_t>(
      in.base_free_e8,
      static_cast<int64_t>(std::max(0.0, base_value - min_base_value) / centre * 1e8));

  // Post-only safety: bids stay below the best ask, asks above the best bid.
  const int64_t bid_cap_ticks =
      in.best_ask_e8 > 0 ? inst.price_ticks_up(in.best_ask_e8) - 1 : INT64_MAX;
  const int64_t ask_floor_ticks =
      in.best_bid_e8 > 0 ? inst.price_ticks_down(in.best_bid_e8) + 1 : 0;

  if (!g.buys_off && buy_mult > 0) {
    int64_t last_ticks = INT64_MAX;
    for (int i = 1; i <= levels; ++i) {
      int64_t ticks = inst.price_ticks_down(round_to_int64(skewed_centre - i * step));
      ticks = std::min({ticks, bid_cap_ticks, last_ticks - 1});
      if (ticks <= 0) break;
      const double price_e8 = static_cast<double>(inst.price_e8(ticks));
      const double quote = std::min(level_quote * buy_mult, buy_budget_quote);
      const int64_t lots = inst.qty_lots_down(static_cast<int64_t>(quote / price_e8 * 1e8));
      if (!inst.meets_minimums(ticks, lots)) break;  // budget or size exhausted
      const int64_t cost = Instrument::value_e8(inst.price_e8(ticks), inst.qty_e8(lots));
      buy_budget_quote -= static_cast<double>(cost);
      g.bids[static_cast<size_t>(g.bid_count++)] = GridLevel{ticks, lots};
      last_ticks = ticks;
    }
  }
  if (!g.sells_off && sell_mult > 0) {
    int64_t last_ticks = 0;
    for (int i = 1; i <= levels; ++i) {
      int64_t ticks = inst.price_ticks_up(round_to_int64(skewed_centre + i * step));
      ticks = std::max({ticks, ask_floor_ticks, last_ticks + 1});
      const double price_e8 = static_cast<double>(inst.price_e8(ticks));
      const double quote = level_quote * sell_mult;
      int64_t qty_e8 = std::min(static_cast<int64_t>(quote / price_e8 * 1e8), sell_budget_e8);
      const int64_t lots = inst.qty_lots_down(qty_e8);
      if (!inst.meets_minimums(ticks, lots)) break;
      sell_budget_e8 -= inst.qty_e8(lots);
      g.asks[static_cast<size_t>(g.ask_count++)] = GridLevel{ticks, lots};
      last_ticks = ticks;
    }
  }
  return g;
}

}  // namespace mmh::bos
