#include "pullback.hpp"

#include "bars.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace mmh::bos;
using mmh::bos::test::bar_at;
using mmh::bos::test::kFiveMinutes;

namespace {

constexpr int64_t E8 = MMH_E8;

// A confirmed bullish break of 100 at bar 10, close 103, high 105; ATR 2.
BosSignal bos_at_100() {
  BosSignal s;
  s.direction = Direction::bullish;
  s.stage = BosStage::confirmed;
  s.level_e8 = 100 * E8;
  s.close_e8 = 103 * E8;
  s.extreme_e8 = 105 * E8;
  s.ts_ns = bar_at(10, 0, 0, 0, 0).open_ts_ns + kFiveMinutes;
  return s;
}

PullbackParams zone(ZoneMode mode, ConfirmRule rule = ConfirmRule::ltf_close_above_prev_high) {
  PullbackParams p;
  p.zone = mode;
  p.level_above_atr = 0.5;  // level zone 98 .. 101
  p.level_below_atr = 1.0;
  p.retrace_min = 0.5;  // leg 95 -> 105: band 97 .. 100
  p.retrace_max = 0.8;
  p.confirm = rule;
  p.max_bars = 5;
  return p;
}

mmh_candle ltf_bar(int64_t htf_index, int minute, double o, double h, double l, double c) {
  mmh_candle b = bar_at(htf_index, o, h, l, c);
  b.open_ts_ns += minute * 60'000'000'000LL;
  b.interval_ns = 60'000'000'000LL;
  return b;
}

}  // namespace

TEST_CASE("zones: around the broken level in ATR, and a retracement band of the impulse leg") {
  PullbackTracker t(zone(ZoneMode::either));
  t.arm(bos_at_100(), 95 * E8, 2.0 * E8);
  CHECK(t.level_zone().low_e8 == 98 * E8);
  CHECK(t.level_zone().high_e8 == 101 * E8);
  CHECK(t.retrace_zone().low_e8 == 97 * E8);
  CHECK(t.retrace_zone().high_e8 == 100 * E8);
}

TEST_CASE("a dip that stays above the zone extends the leg and starts nothing") {
  PullbackTracker t(zone(ZoneMode::level));
  t.arm(bos_at_100(), 95 * E8, 2.0 * E8);
  const PullbackUpdate u = t.on_htf_bar(bar_at(11, 104, 107, 102, 106), 95 * E8);
  CHECK_FALSE(u.any());
  CHECK(t.stage() == PullbackStage::armed);
  CHECK(t.leg_high_e8() == 107 * E8);  // the leg grew: the retracement band moves up
}

TEST_CASE(
    "a dip into the zone starts the pullback, an LTF close above the previous high confirms") {
  PullbackTracker t(zone(ZoneMode::level));
  t.arm(bos_at_100(), 95 * E8, 2.0 * E8);
  const PullbackUpdate started = t.on_htf_bar(bar_at(11, 103, 103.5, 100.5, 101.5), 95 * E8);
  CHECK(started.started);
  CHECK(started.price_e8 == static_cast<int64_t>(100.5 * E8));
  CHECK(started.zone.high_e8 == 101 * E8);
  // LTF bars of the next HTF bar: the first sets the previous high, the second closes above it.
  CHECK_FALSE(t.on_ltf_bar(ltf_bar(12, 0, 101.5, 102, 101, 101.2)).confirmed);
  const PullbackUpdate confirmed = t.on_ltf_bar(ltf_bar(12, 1, 101.2, 102.5, 101.1, 102.2));
  CHECK(confirmed.confirmed);
  CHECK(confirmed.price_e8 == static_cast<int64_t>(102.2 * E8));
  CHECK(t.stage() == PullbackStage::confirmed);
}

TEST_CASE("LTF bars that closed before the pullback started do not confirm it") {
  PullbackTracker t(zone(ZoneMode::level, ConfirmRule::ltf_bullish_close));
  t.arm(bos_at_100(), 95 * E8, 2.0 * E8);
  t.on_htf_bar(bar_at(11, 103, 103.5, 100.5, 101.5), 95 * E8);
  // A bullish LTF bar inside HTF bar 11 closed at or before the start: ignored.
  CHECK_FALSE(t.on_ltf_bar(ltf_bar(11, 4, 101, 101.8, 100.9, 101.5)).confirmed);
  CHECK(t.on_ltf_bar(ltf_bar(12, 0, 101.5, 102, 101.4, 101.9)).confirmed);
}

TEST_CASE("a dip outside the zone (retracement mode) does not start a pullback") {
  PullbackTracker t(zone(ZoneMode::retracement));
  t.arm(bos_at_100(), 95 * E8, 2.0 * E8);
  // Low 100.5 is in the level zone but above the retracement band (97 .. 100).
  CHECK_FALSE(t.on_htf_bar(bar_at(11, 103, 103.5, 100.5, 101.5), 95 * E8).started);
  CHECK(t.on_htf_bar(bar_at(12, 101.5, 102, 99.5, 100.5), 95 * E8).started);
}

TEST_CASE("both mode needs the intersection of the two zones") {
  PullbackTracker t(zone(ZoneMode::both));
  t.arm(bos_at_100(), 95 * E8, 2.0 * E8);
  // Intersection 98 .. 100: a low of 100.5 misses it, 99.9 hits it.
  CHECK_FALSE(t.on_htf_bar(bar_at(11, 103, 103.5, 100.5, 101.5), 95 * E8).started);
  const PullbackUpdate u = t.on_htf_bar(bar_at(12, 101.5, 102, 99.9, 100.5), 95 * E8);
  CHECK(u.started);
  CHECK(u.zone.low_e8 == 98 * E8);
  CHECK(u.zone.high_e8 == 100 * E8);
}

TEST_CASE("a close below the protecting low invalidates the setup") {
  PullbackTracker t(zone(ZoneMode::either));
  t.arm(bos_at_100(), 95 * E8, 2.0 * E8);
  t.on_htf_bar(bar_at(11, 103, 103.5, 100.5, 101.5), 95 * E8);
  const PullbackUpdate u = t.on_htf_bar(bar_at(12, 101.5, 101.5, 94, 94.5), 95 * E8);
  CHECK(u.invalidated);
  CHECK(t.stage() == PullbackStage::idle);
  CHECK_FALSE(t.on_ltf_bar(ltf_bar(13, 0, 94.5, 99, 94.5, 98.9)).confirmed);
}

TEST_CASE("the HTF rule confirms on a bullish HTF close at or after the start") {
  PullbackTracker t(zone(ZoneMode::level, ConfirmRule::htf_bullish_close));
  t.arm(bos_at_100(), 95 * E8, 2.0 * E8);
  const PullbackUpdate u = t.on_htf_bar(bar_at(11, 101, 102.5, 100, 102), 95 * E8);
  CHECK(u.started);
  CHECK(u.confirmed);
}

TEST_CASE("without a confirmation within max_bars the pullback expires") {
  PullbackTracker t(zone(ZoneMode::level));
  t.arm(bos_at_100(), 95 * E8, 2.0 * E8);
  for (int i = 11; i < 15; ++i)
    CHECK_FALSE(t.on_htf_bar(bar_at(i, 104, 106, 103, 105), 95 * E8).expired);
  CHECK(t.on_htf_bar(bar_at(15, 104, 106, 103, 105), 95 * E8).expired);
  CHECK(t.stage() == PullbackStage::idle);
}

TEST_CASE("pullback parameters are validated") {
  PullbackParams p;
  p.retrace_max = 0.2;
  p.retrace_min = 0.5;
  CHECK_THROWS_WITH_AS(PullbackTracker{p}, doctest::Contains("retrace_max"), std::invalid_argument);
  p = PullbackParams{};
  p.max_bars = 0;
  CHECK_THROWS_WITH_AS(PullbackTracker{p}, doctest::Contains("pullback.max_bars"),
                       std::invalid_argument);
}
