#include "bos.hpp"

#include "bars.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include <vector>

using namespace mmh::bos;
using mmh::bos::test::bar_at;

namespace {

constexpr double kAtr = 1.0 * MMH_E8;  // a fixed ATR keeps the thresholds readable

// A swing high at 13 (bar 2) and a swing low at 9 (bar 4... see below), pivots 2/2. After bar 6
// both are known: high 13 (confirmed at bar 4), low 9.5 (bar 4, confirmed at bar 6).
std::vector<mmh_candle> base_bars() {
  return {
      bar_at(0, 10.5, 11, 10, 10.5),                                   //
      bar_at(1, 10.5, 12, 10.5, 11.5), bar_at(2, 11.5, 13, 11, 12.5),  // swing high 13
      bar_at(3, 12.5, 12.5, 10, 10.5), bar_at(4, 10.5, 11, 9.5, 10),   // swing low 9.5
      bar_at(5, 10, 11.5, 10, 11),     bar_at(6, 11, 12, 10.5, 11.5),
  };
}

struct Run {
  std::vector<BosSignal> signals;
  std::vector<int> on_bar;
};

Run run(std::vector<mmh_candle> bars, const std::vector<mmh_candle>& more, BosParams params = {}) {
  StructureParams sp;
  sp.left_bars = 2;
  sp.right_bars = 2;
  sp.min_swing_atr = 0;
  StructureTracker structure(sp);
  BosDetector bos(params);
  bars.insert(bars.end(), more.begin(), more.end());
  Run r;
  BosSignals signals;
  for (size_t i = 0; i < bars.size(); ++i) {
    structure.on_bar(bars[i], kAtr);
    bos.on_bar(bars[i], structure, kAtr, signals);
    for (const BosSignal& s : signals) {
      r.signals.push_back(s);
      r.on_bar.push_back(static_cast<int>(i));
    }
  }
  return r;
}

BosParams params(double confirm_atr, int closes, int fail_bars) {
  BosParams p;
  p.confirm_atr = confirm_atr;
  p.confirm_closes = closes;
  p.fail_bars = fail_bars;
  return p;
}

}  // namespace

TEST_CASE("a wick through the swing high is a potential bullish break") {
  const Run r = run(base_bars(), {bar_at(7, 11.5, 13.4, 11.5, 12.8)}, params(0.5, 1, 3));
  REQUIRE(r.signals.size() == 1);
  CHECK(r.signals[0].direction == Direction::bullish);
  CHECK(r.signals[0].stage == BosStage::potential);
  CHECK(r.signals[0].level_e8 == 13 * MMH_E8);
  CHECK(r.signals[0].threshold_e8 == static_cast<int64_t>(13.5 * MMH_E8));
  CHECK(r.signals[0].closes == 0);
}

TEST_CASE("a close beyond the level by less than k*ATR is potential, a later one beyond confirms") {
  const Run r = run(base_bars(),
                    {bar_at(7, 12, 13.4, 12, 13.2),       // 0.2 beyond: potential
                     bar_at(8, 13.2, 13.9, 13.1, 13.6)},  // 0.6 >= 0.5: confirmed
                    params(0.5, 1, 3));
  REQUIRE(r.signals.size() == 2);
  CHECK(r.signals[0].stage == BosStage::potential);
  CHECK(r.signals[1].stage == BosStage::confirmed);
  CHECK(r.on_bar[1] == 8);
  CHECK(r.signals[1].close_e8 == static_cast<int64_t>(13.6 * MMH_E8));
  CHECK(r.signals[1].closes == 1);
}

TEST_CASE("a decisive close confirms at once, and a broken swing is never broken again") {
  const Run r = run(
      base_bars(),
      {bar_at(7, 12, 14, 12, 13.8), bar_at(8, 13.8, 15, 13.5, 14.5), bar_at(9, 14.5, 15.5, 14, 15)},
      params(0.5, 1, 3));
  REQUIRE(r.signals.size() == 1);
  CHECK(r.signals[0].stage == BosStage::confirmed);
  CHECK(r.on_bar[0] == 7);
}

TEST_CASE("confirm_closes = 2 needs two consecutive confirming closes") {
  const Run r = run(base_bars(),
                    // Rising highs, so no new swing high replaces the level meanwhile.
                    {bar_at(7, 12, 14, 12, 13.8),        // 1st confirming close: potential
                     bar_at(8, 13.8, 14.1, 13.2, 13.3),  // beyond but short: count resets
                     bar_at(9, 13.3, 14.2, 13.3, 13.9),  // 1
                     bar_at(10, 13.9, 14.5, 13.8, 14)},  // 2: confirmed
                    params(0.5, 2, 5));
  REQUIRE(r.signals.size() == 2);
  CHECK(r.signals[0].stage == BosStage::potential);
  CHECK(r.signals[0].closes == 1);
  CHECK(r.signals[1].stage == BosStage::confirmed);
  CHECK(r.on_bar[1] == 10);
  CHECK(r.signals[1].closes == 2);
}

TEST_CASE("a potential break that closes back inside fails, a later break can start again") {
  const Run r = run(base_bars(),
                    {bar_at(7, 12, 13.4, 12, 13.2),      // potential
                     bar_at(8, 13.2, 13.3, 12.2, 12.4),  // back inside: failed
                     bar_at(9, 12.4, 14.2, 12.4, 14)},   // decisive: confirmed
                    params(0.5, 1, 3));
  REQUIRE(r.signals.size() == 3);
  CHECK(r.signals[1].stage == BosStage::failed);
  CHECK(r.signals[1].fail_reason == FailReason::closed_inside);
  CHECK(r.signals[2].stage == BosStage::confirmed);
}

TEST_CASE("a potential break not confirmed within fail_bars fails as not_confirmed") {
  const Run r = run(base_bars(),
                    // Rising highs, so no new swing high replaces the level meanwhile.
                    {bar_at(7, 12, 13.4, 12, 13.2), bar_at(8, 13.2, 13.45, 13.1, 13.3),
                     bar_at(9, 13.3, 13.5, 13.1, 13.2)},
                    params(0.5, 1, 2));
  REQUIRE(r.signals.size() == 2);
  CHECK(r.signals[1].stage == BosStage::failed);
  CHECK(r.signals[1].fail_reason == FailReason::not_confirmed);
  CHECK(r.on_bar[1] == 9);
}

TEST_CASE("a bearish break of the swing low is tracked the same way") {
  const Run r = run(base_bars(),
                    {bar_at(7, 11, 11, 9.3, 9.4),     // wick and close below 9.5 by 0.1: potential
                     bar_at(8, 9.4, 9.5, 8.8, 8.9)},  // 0.6 below: confirmed
                    params(0.5, 1, 3));
  REQUIRE(r.signals.size() == 2);
  CHECK(r.signals[0].direction == Direction::bearish);
  CHECK(r.signals[0].stage == BosStage::potential);
  CHECK(r.signals[1].stage == BosStage::confirmed);
  CHECK(r.signals[1].level_e8 == static_cast<int64_t>(9.5 * MMH_E8));
  CHECK(r.signals[1].threshold_e8 == 9 * MMH_E8);
}

TEST_CASE("nothing is detected before ATR is known") {
  StructureParams sp;
  sp.left_bars = 2;
  sp.right_bars = 2;
  sp.min_swing_atr = 0;
  StructureTracker structure(sp);
  BosDetector bos(BosParams{});
  auto bars = base_bars();
  bars.push_back(bar_at(7, 12, 15, 12, 14.8));
  int seen = 0;
  BosSignals signals;
  for (const auto& b : bars) {
    structure.on_bar(b, 0.0);
    bos.on_bar(b, structure, 0.0, signals);
    seen += signals.count;
  }
  CHECK(seen == 0);
}

TEST_CASE("BOS parameters are validated with the field name") {
  CHECK_THROWS_WITH_AS(BosDetector(params(-1, 1, 3)), doctest::Contains("bos.confirm_atr"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(BosDetector(params(0.5, 0, 3)), doctest::Contains("bos.confirm_closes"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(BosDetector(params(0.5, 1, 0)), doctest::Contains("bos.fail_bars"),
                       std::invalid_argument);
}
