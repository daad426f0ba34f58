#include "structure.hpp"

#include "atr.hpp"
#include "bars.hpp"
#include "csv_series.hpp"
#include "file_bytes.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <random>

using namespace mmh::bos;
using mmh::bos::test::bars_hl;
using mmh::bos::test::zigzag;

namespace {

struct Seen {
  std::vector<Pivot> pivots;
  std::vector<int64_t> confirmed_on;  // bar index on which each pivot became known
};

Seen run(const std::vector<mmh_candle>& bars, StructureParams params, double atr_e8 = 0.0) {
  StructureTracker tracker(params);
  Seen seen;
  for (size_t i = 0; i < bars.size(); ++i) {
    for (const Pivot& p : tracker.on_bar(bars[i], atr_e8)) {
      seen.pivots.push_back(p);
      seen.confirmed_on.push_back(static_cast<int64_t>(i));
    }
  }
  return seen;
}

StructureParams lr(int left, int right) {
  StructureParams p;
  p.left_bars = left;
  p.right_bars = right;
  p.min_swing_atr = 0;  // these tests are about the bar rule; the ATR filter has its own
  return p;
}

}  // namespace

TEST_CASE("a swing high becomes known exactly right_bars after its bar, never earlier") {
  // highs: 1 2 3 [5] 4 3 2 — the pivot is bar 3.
  const auto bars = bars_hl({{1, 0}, {2, 1}, {3, 2}, {5, 4}, {4, 3}, {3, 2}, {2, 1}});
  const Seen two = run(bars, lr(2, 2));
  REQUIRE(two.pivots.size() == 1);
  CHECK(two.pivots[0].kind == PivotKind::high);
  CHECK(two.pivots[0].bar_index == 3);
  CHECK(two.pivots[0].price_e8 == 5 * MMH_E8);
  CHECK(two.confirmed_on[0] == 5);  // 3 + right_bars
  CHECK(two.pivots[0].confirmed_index == 5);
  CHECK(two.pivots[0].confirmed_ts_ns == bars[5].open_ts_ns + bars[5].interval_ns);
  const Seen three = run(bars, lr(2, 3));
  REQUIRE(three.pivots.size() == 1);
  CHECK(three.confirmed_on[0] == 6);
}

TEST_CASE("tie rule: of equal highs the earliest is the pivot, and only one is reported") {
  const auto bars = bars_hl({{1, 0}, {2, 1}, {5, 4}, {5, 4}, {3, 2}, {2, 1}, {1, 0}});
  const Seen s = run(bars, lr(2, 2));
  REQUIRE(s.pivots.size() == 1);
  CHECK(s.pivots[0].bar_index == 2);
}

TEST_CASE("labels and trend: HH + HL is up, LH + LL is down, mixed is range") {
  // Rising zig-zag: highs 15, 17, 19; lows 12, 14, 16. The last turn (21) has no bars to its
  // right, so it never confirms.
  const Seen up = run(zigzag({10, 15, 12, 17, 14, 19, 16, 21}), lr(2, 2));
  std::vector<std::string> labels;
  for (const Pivot& p : up.pivots) labels.push_back(to_string(p.label));
  // First high and first low have nothing to compare with.
  CHECK(labels == std::vector<std::string>{"-", "-", "HH", "HL", "HH", "HL"});
  StructureTracker rising(lr(2, 2));
  for (const auto& b : zigzag({10, 15, 12, 17, 14, 19, 16})) rising.on_bar(b, 0);
  CHECK(rising.trend() == Trend::up);

  StructureTracker falling(lr(2, 2));
  for (const auto& b : zigzag({30, 25, 28, 23, 26, 21, 24})) falling.on_bar(b, 0);
  CHECK(falling.trend() == Trend::down);
  REQUIRE(falling.last_high());
  CHECK(falling.last_high()->label == SwingLabel::lower_high);
  CHECK(falling.last_low()->label == SwingLabel::lower_low);

  StructureTracker mixed(lr(2, 2));  // higher highs but lower lows: a widening range
  for (const auto& b : zigzag({20, 24, 18, 26, 16, 28, 20})) mixed.on_bar(b, 0);
  CHECK(mixed.trend() == Trend::range);
}

TEST_CASE("minimum swing size in ATR filters small swings") {
  // Pullbacks of 3 units between turning points: 4 units between the bars' extremes.
  const auto bars = zigzag({10, 15, 12, 17, 14, 19, 16, 21});
  const double atr_e8 = 1.0 * MMH_E8;
  StructureParams p = lr(2, 2);
  p.min_swing_atr = 4.5;  // more than the 4 units a pullback low is away from its high
  const Seen s = run(bars, p, atr_e8);
  for (const Pivot& pv : s.pivots) CHECK(pv.kind == PivotKind::high);
  CHECK(s.pivots.size() == 3);
  p.min_swing_atr = 2.0;
  CHECK(run(bars, p, atr_e8).pivots.size() == 6);
  // ATR not ready: a pivot with an opposite pivot to measure from is refused, so every low is;
  // the highs, with no accepted low to compare against, pass.
  p.min_swing_atr = 1.0;
  const Seen unknown_atr = run(bars, p, 0.0);
  CHECK(unknown_atr.pivots.size() == 3);
  for (const Pivot& pv : unknown_atr.pivots) CHECK(pv.kind == PivotKind::high);
}

TEST_CASE("parameters are validated with their key path") {
  StructureParams p;
  p.left_bars = 0;
  CHECK_THROWS_WITH_AS(StructureTracker{p}, "structure.left_bars must be in [1, 50], got 0",
                       std::invalid_argument);
  p = StructureParams{};
  p.min_swing_atr = -1;
  CHECK_THROWS_AS(StructureTracker{p}, std::invalid_argument);
}

TEST_CASE(
    "real Bybit 5m data: pivots never use a bar after their confirmation, and runs are identical") {
  const std::string path =
      mmh::test::shared_data("candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv");
  REQUIRE_MESSAGE(std::filesystem::exists(path), "missing real data: ", path);
  const auto series = mmh::replay::parse_candle_csv(mmh::replay::read_file_bytes(path), path);
  REQUIRE(series.candles.size() == 63545);
  auto run_all = [&] {
    StructureTracker tracker(lr(3, 3));
    WilderAtr atr(14);
    std::vector<Pivot> all;
    for (size_t i = 0; i < series.candles.size(); ++i) {
      atr.add(series.candles[i]);
      for (const Pivot& p : tracker.on_bar(series.candles[i], atr.value_e8())) {
        // Known at the close of bar i, from bars up to i only.
        CHECK(p.confirmed_index == static_cast<int64_t>(i));
        CHECK(p.bar_index == static_cast<int64_t>(i) - 3);
        all.push_back(p);
      }
    }
    return all;
  };
  const auto first = run_all();
  const auto second = run_all();
  REQUIRE(first.size() == second.size());
  CHECK(first.size() > 5000);  // 3/3 pivots on 7 months of 5m bars: thousands
  bool same = true;
  for (size_t i = 0; i < first.size(); ++i)
    same = same && first[i].bar_index == second[i].bar_index &&
           first[i].price_e8 == second[i].price_e8 && first[i].label == second[i].label;
  CHECK(same);
}

TEST_CASE("property: pivots match a brute-force scan of every window, ties included") {
  // Prices on a coarse grid so equal highs and lows (the tie rule) happen often.
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> step(-2, 2);
  for (int left : {1, 3, 5}) {
    for (int right : {1, 2, 5}) {
      CAPTURE(left);
      CAPTURE(right);
      std::vector<std::pair<double, double>> hl;
      int price = 100;
      for (int i = 0; i < 3000; ++i) {
        price += step(rng);
        hl.emplace_back(price + 1 + (i % 3 == 0), price - 1);
      }
      const auto bars = bars_hl(hl);
      const Seen seen = run(bars, lr(left, right));
      std::vector<std::pair<int64_t, PivotKind>> expected;
      for (int64_t c = left; c + right < static_cast<int64_t>(bars.size()); ++c) {
        bool high = true, low = true;
        for (int64_t k = c - left; k <= c + right; ++k) {
          if (k == c) continue;
          const auto& o = bars[static_cast<size_t>(k)];
          const auto& b = bars[static_cast<size_t>(c)];
          high = high && (k < c ? o.high_e8 < b.high_e8 : o.high_e8 <= b.high_e8);
          low = low && (k < c ? o.low_e8 > b.low_e8 : o.low_e8 >= b.low_e8);
        }
        if (high) expected.emplace_back(c, PivotKind::high);
        if (low) expected.emplace_back(c, PivotKind::low);
      }
      REQUIRE(seen.pivots.size() == expected.size());
      bool same = true;
      for (size_t i = 0; i < expected.size(); ++i)
        same = same && seen.pivots[i].bar_index == expected[i].first &&
               seen.pivots[i].kind == expected[i].second &&
               seen.confirmed_on[i] == expected[i].first + right;
      CHECK(same);
    }
  }
}
