#include "grid.hpp"

#include <mmhost/plugin.h>

#include <doctest/doctest.h>

#include <stdexcept>

#include <random>

using namespace mmh::bos;

namespace {

constexpr double E8d = 1e8;
constexpr int64_t E8 = MMH_E8;

GridParams plain() {
  GridParams p;
  p.levels = 3;
  p.step_min_ticks = 10;
  p.step_min_bps = 0;
  p.step_atr = 0.5;
  p.level_pct = 5;
  p.vol_ref_atr_pct = 0.3;
  p.target_base_share = 0.3;
  p.soft_band = 0.1;
  p.hard_band = 0.2;
  p.skew_atr = 1.0;
  return p;
}

// Equity 10,000 USDT at a centre of 2000 with the given base share; ATR 4 (0.2%).
GridInputs at_share(double share) {
  GridInputs in;
  in.centre_e8 = 2000 * E8;
  in.atr_e8 = 4.0 * E8d;
  in.atr_pct = 0.2;
  const double base_value = 10'000.0 * share;
  in.base_free_e8 = static_cast<int64_t>(base_value / 2000.0 * 1e8);
  in.quote_free_e8 = static_cast<int64_t>((10'000.0 - base_value) * 1e8);
  return in;
}

int64_t cost_of_bids(const Grid& g, const Instrument& inst) {
  int64_t total = 0;
  for (int i = 0; i < g.bid_count; ++i)
    total += Instrument::value_e8(inst.price_e8(g.bids[static_cast<size_t>(i)].price_ticks),
                                  inst.qty_e8(g.bids[static_cast<size_t>(i)].qty_lots));
  return total;
}

int64_t qty_of_asks(const Grid& g, const Instrument& inst) {
  int64_t total = 0;
  for (int i = 0; i < g.ask_count; ++i)
    total += inst.qty_e8(g.asks[static_cast<size_t>(i)].qty_lots);
  return total;
}

}  // namespace

TEST_CASE(
    "at the target: symmetric levels, step = max(min ticks, k*ATR), rounded to tick and lot") {
  const Instrument inst;
  const Grid g = build_grid(plain(), inst, at_share(0.3));
  REQUIRE(g.bid_count == 3);
  REQUIRE(g.ask_count == 3);
  CHECK(g.step_e8 == 2 * E8);  // 0.5 * ATR 4 = 2 > 10 ticks (0.10)
  CHECK(g.centre_e8 == 2000 * E8);
  CHECK(g.bids[0].price_ticks == 199'800);  // 1998.00
  CHECK(g.bids[2].price_ticks == 199'400);
  CHECK(g.asks[0].price_ticks == 200'200);
  CHECK(g.asks[2].price_ticks == 200'600);
  // 5% of 10,000 = 500 USDT per level, size scale 1 (ATR 0.2% < reference 0.3%).
  CHECK(g.bids[0].qty_lots == 500 * 100'000 / 1998);  // floor(0.25025... ETH / 0.00001)
  CHECK(g.asks[0].qty_lots == 500 * 100'000 / 2002);
}

TEST_CASE("the step floor in ticks and in basis points hold when ATR is tiny") {
  const Instrument inst;
  GridParams p = plain();
  GridInputs in = at_share(0.3);
  in.atr_e8 = 0.01 * E8d;
  CHECK(build_grid(p, inst, in).step_e8 == 10 * inst.tick_e8);
  p.step_min_bps = 25;
  CHECK(build_grid(p, inst, in).step_e8 == 5 * E8);  // 25 bp of 2000
}

TEST_CASE("past the soft band the adding side shrinks, the reducing side grows, the centre skews") {
  const Instrument inst;
  const Grid at_target = build_grid(plain(), inst, at_share(0.3));
  const Grid g = build_grid(plain(), inst, at_share(0.45));  // halfway between soft and hard
  CHECK(g.deviation == doctest::Approx(0.15));
  CHECK(g.bids[0].qty_lots < at_target.bids[0].qty_lots);
  CHECK(g.asks[0].qty_lots > at_target.asks[0].qty_lots);
  CHECK(g.centre_e8 == 1998 * E8);  // skew 1 ATR * 0.5 excess = 2 down
  CHECK_FALSE(g.buys_off);
  // Short of the target: the mirror image.
  const Grid s = build_grid(plain(), inst, at_share(0.15));
  CHECK(s.asks[0].qty_lots < at_target.asks[0].qty_lots);
  CHECK(s.centre_e8 == 2002 * E8);
}

TEST_CASE("past the hard band the adding side is off") {
  const Instrument inst;
  const Grid long_g = build_grid(plain(), inst, at_share(0.55));
  CHECK(long_g.buys_off);
  CHECK(long_g.bid_count == 0);
  CHECK(long_g.ask_count == 3);
  GridParams p = plain();
  p.target_base_share = 0.5;
  const Grid short_g = build_grid(p, inst, at_share(0.25));
  CHECK(short_g.sells_off);
  CHECK(short_g.ask_count == 0);
  CHECK(short_g.bid_count > 0);
}

TEST_CASE("all bids filled never carry the share past target + hard band") {
  const Instrument inst;
  const Grid g = build_grid(plain(), inst, at_share(0.48));  // 2% below the hard band
  const double bought_value = static_cast<double>(cost_of_bids(g, inst));
  CHECK(bought_value <= 0.02 * 10'000 * 1e8 + 1);
  CHECK(g.bid_count >= 1);
}

TEST_CASE("defensive policy: fewer levels, wider steps, smaller size, tighter bands") {
  const Instrument inst;
  GridInputs in = at_share(0.3);
  const Grid normal = build_grid(plain(), inst, in);
  in.policy = PolicyLevel::defensive;
  const Grid def = build_grid(plain(), inst, in);
  CHECK(def.bid_count == 2);
  CHECK(def.step_e8 == 3 * E8);
  CHECK(def.bids[0].qty_lots < normal.bids[0].qty_lots);
  // 0.36 is inside the normal soft band (0.1) but past the defensive one (0.05).
  GridInputs off = at_share(0.36);
  CHECK(build_grid(plain(), inst, off).centre_e8 == 2000 * E8);
  off.policy = PolicyLevel::defensive;
  CHECK(build_grid(plain(), inst, off).centre_e8 < 2000 * E8);
}

TEST_CASE("higher volatility scales size down, to a floor") {
  const Instrument inst;
  GridInputs in = at_share(0.3);
  in.atr_pct = 0.6;  // twice the reference: half size
  const Grid g = build_grid(plain(), inst, in);
  const Grid base = build_grid(plain(), inst, at_share(0.3));
  CHECK(static_cast<double>(g.bids[0].qty_lots) ==
        doctest::Approx(static_cast<double>(base.bids[0].qty_lots) / 2.0).epsilon(0.01));
}

TEST_CASE("levels below the exchange minimum value are dropped, never rounded up") {
  Instrument inst;
  inst.min_value_e8 = 600 * E8;  // above the 500 USDT level size
  const Grid g = build_grid(plain(), inst, at_share(0.3));
  CHECK(g.bid_count == 0);
  CHECK(g.ask_count == 0);
}

TEST_CASE("post-only safety: bids stay under the best ask, asks over the best bid") {
  const Instrument inst;
  GridInputs in = at_share(0.3);
  in.best_bid_e8 = 2003 * E8;  // a book that moved above the centre
  in.best_ask_e8 = static_cast<int64_t>(2003.01 * E8d);
  const Grid g = build_grid(plain(), inst, in);
  REQUIRE(g.ask_count > 0);
  CHECK(g.asks[0].price_ticks >= 200'301);
  for (int i = 1; i < g.ask_count; ++i)
    CHECK(g.asks[static_cast<size_t>(i)].price_ticks >
          g.asks[static_cast<size_t>(i - 1)].price_ticks);
}

TEST_CASE("property: over random inputs spot constraints and the hard band always hold") {
  const Instrument inst;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 20'000; ++trial) {
    GridParams p = plain();
    p.levels = 1 + static_cast<int>(u(rng) * 10);
    p.level_pct = 0.5 + u(rng) * 30;
    p.target_base_share = u(rng) * 0.9;
    p.soft_band = 0.01 + u(rng) * 0.2;
    p.hard_band = p.soft_band + 0.01 + u(rng) * 0.3;
    GridInputs in;
    in.centre_e8 = static_cast<int64_t>((100 + u(rng) * 5000) * 1e8);
    in.atr_e8 = u(rng) * 0.02 * static_cast<double>(in.centre_e8);
    in.atr_pct = in.atr_e8 / static_cast<double>(in.centre_e8) * 100;
    in.base_free_e8 = static_cast<int64_t>(u(rng) * 5 * 1e8);
    in.quote_free_e8 = static_cast<int64_t>(u(rng) * 20'000 * 1e8);
    in.policy = u(rng) < 0.3 ? PolicyLevel::defensive : PolicyLevel::normal;
    const Grid g = build_grid(p, inst, in);
    const double centre = static_cast<double>(in.centre_e8);
    const double base_value = static_cast<double>(in.base_free_e8) * centre / 1e8;
    const double equity = base_value + static_cast<double>(in.quote_free_e8);
    const double hard =
        p.hard_band * (in.policy == PolicyLevel::defensive ? p.defensive_band_mult : 1);
    CAPTURE(trial);
    CHECK(qty_of_asks(g, inst) <= in.base_free_e8);
    CHECK(cost_of_bids(g, inst) <= in.quote_free_e8);
    // Bids are bought below the centre, so valuing them at cost bounds the share from above.
    if (g.bid_count > 0)
      CHECK(base_value + static_cast<double>(cost_of_bids(g, inst)) <=
            (p.target_base_share + hard) * equity + 1e8);
    for (int i = 0; i < g.bid_count; ++i)
      CHECK(inst.meets_minimums(g.bids[static_cast<size_t>(i)].price_ticks,
                                g.bids[static_cast<size_t>(i)].qty_lots));
    if (g.bid_count > 0 && g.ask_count > 0) CHECK(g.bids[0].price_ticks < g.asks[0].price_ticks);
  }
}

TEST_CASE("grid parameters are validated") {
  GridParams p = plain();
  p.hard_band = 0.05;
  CHECK_THROWS_WITH_AS(p.validate(), doctest::Contains("grid.hard_band"), std::invalid_argument);
  p = plain();
  p.levels = 0;
  CHECK_THROWS_WITH_AS(p.validate(), doctest::Contains("grid.levels"), std::invalid_argument);
}
