#include "policy.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include <cmath>

using namespace mmh::bos;

namespace {

PolicyInputs calm() {
  PolicyInputs in;
  in.atr_pct = 0.2;
  in.volatility_pct = 0.15;
  in.spread_bps = 1;
  in.drawdown_pct = 0;
  in.inventory_share = 0.3;
  in.bars_since_bos = 10;
  return in;
}

PolicyParams no_hysteresis() {
  PolicyParams p;
  p.recovery_bars = 0;
  return p;
}

}  // namespace

TEST_CASE("each input past its threshold sets the level and names itself as the cause") {
  struct Case {
    const char* name;
    void (*apply)(PolicyInputs&);
    PolicyLevel level;
    PolicyCause cause;
  };
  const Case cases[] = {
      {"calm", [](PolicyInputs&) {}, PolicyLevel::normal, PolicyCause::none},
      {"atr def", [](PolicyInputs& i) { i.atr_pct = 0.7; }, PolicyLevel::defensive,
       PolicyCause::atr},
      {"atr dis", [](PolicyInputs& i) { i.atr_pct = 1.3; }, PolicyLevel::disabled,
       PolicyCause::atr},
      {"vol def", [](PolicyInputs& i) { i.volatility_pct = 0.5; }, PolicyLevel::defensive,
       PolicyCause::volatility},
      {"vol dis", [](PolicyInputs& i) { i.volatility_pct = 1.1; }, PolicyLevel::disabled,
       PolicyCause::volatility},
      {"spread def", [](PolicyInputs& i) { i.spread_bps = 12; }, PolicyLevel::defensive,
       PolicyCause::spread},
      {"spread dis", [](PolicyInputs& i) { i.spread_bps = 60; }, PolicyLevel::disabled,
       PolicyCause::spread},
      {"spread unknown", [](PolicyInputs& i) { i.spread_bps = -1; }, PolicyLevel::normal,
       PolicyCause::none},
      {"dd def", [](PolicyInputs& i) { i.drawdown_pct = 3.5; }, PolicyLevel::defensive,
       PolicyCause::drawdown},
      {"dd dis", [](PolicyInputs& i) { i.drawdown_pct = 9; }, PolicyLevel::disabled,
       PolicyCause::drawdown},
      {"inventory", [](PolicyInputs& i) { i.inventory_share = 0.65; }, PolicyLevel::defensive,
       PolicyCause::inventory},
      {"bos age", [](PolicyInputs& i) { i.bars_since_bos = 600; }, PolicyLevel::defensive,
       PolicyCause::bos_age},
      {"worst wins", [](PolicyInputs& i) { i.atr_pct = 0.7, i.drawdown_pct = 9; },
       PolicyLevel::disabled, PolicyCause::drawdown},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    PolicyEvaluator evaluator(no_hysteresis());
    PolicyInputs in = calm();
    c.apply(in);
    const PolicyDecision d = evaluator.evaluate(in);
    CHECK(d.level == c.level);
    CHECK(d.cause == c.cause);
    CHECK(d.changed == (c.level != PolicyLevel::normal));
  }
}

TEST_CASE("stepping up is immediate, stepping down needs recovery_bars calm bars in a row") {
  PolicyParams p;
  p.recovery_bars = 3;
  PolicyEvaluator e(p);
  PolicyInputs hot = calm();
  hot.atr_pct = 1.5;
  CHECK(e.evaluate(hot).level == PolicyLevel::disabled);
  CHECK_FALSE(e.evaluate(calm()).changed);
  CHECK_FALSE(e.evaluate(calm()).changed);
  CHECK(e.evaluate(hot).level == PolicyLevel::disabled);  // the calm streak is broken
  CHECK_FALSE(e.evaluate(calm()).changed);
  CHECK_FALSE(e.evaluate(calm()).changed);
  const PolicyDecision d = e.evaluate(calm());
  CHECK(d.changed);
  CHECK(d.previous == PolicyLevel::disabled);
  CHECK(d.level == PolicyLevel::normal);
}

TEST_CASE("policy parameters: ranges and defensive <= disabled") {
  PolicyParams p;
  p.defensive_atr_pct = 2;
  p.disabled_atr_pct = 1;
  CHECK_THROWS_WITH_AS(PolicyEvaluator{p}, doctest::Contains("policy.defensive_atr_pct"),
                       std::invalid_argument);
  p = PolicyParams{};
  p.vol_window = 1;
  CHECK_THROWS_WITH_AS(PolicyEvaluator{p}, doctest::Contains("policy.vol_window"),
                       std::invalid_argument);
}

TEST_CASE("rolling volatility is the population stdev of the last N returns") {
  RollingVolatility v(4);
  const int64_t closes[] = {100, 101, 100, 102, 101, 103};
  for (int64_t c : closes) v.add_close(c * 100'000'000);
  // The last four returns.
  const double r[] = {-1.0 / 101, 2.0 / 100, -1.0 / 102, 2.0 / 101};
  double mean = 0, sq = 0;
  for (double x : r) mean += x / 4;
  for (double x : r) sq += (x - mean) * (x - mean) / 4;
  REQUIRE(v.ready());
  CHECK(v.pct() == doctest::Approx(std::sqrt(sq) * 100).epsilon(1e-9));
}

TEST_CASE("rolling max forgets values that left the window") {
  RollingMax m(3);
  m.add(5);
  m.add(1);
  m.add(2);
  CHECK(m.max() == 5);
  m.add(1);  // 5 left the window
  CHECK(m.max() == 2);
  m.add(7);
  CHECK(m.max() == 7);
  m.add(3);
  m.add(3);
  m.add(3);  // 7 left
  CHECK(m.max() == 3);
}
