#include "risk/risk_gate.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mmh;

namespace {

constexpr int64_t kDayNs = 86'400'000'000'000;
constexpr int64_t E8 = 100'000'000;

mmh_desired_order limit(uint32_t side, int64_t price_ticks, int64_t qty_lots) {
  return mmh_desired_order{side, MMH_ORDER_TYPE_LIMIT, price_ticks, qty_lots};
}

// A mid of `mid` quote, tick 0.01, lot 0.001 and a wallet large enough for any test order.
GateInputs at(int64_t mid, int64_t base = 1'000'000 * E8, int64_t quote = 1'000'000'000 * E8) {
  return GateInputs{mid * E8, E8 / 100, E8 / 1000, base, quote};
}

}  // namespace

TEST_CASE("risk gate: the daily loss limit halts until the next UTC day, drawdown for good") {
  RiskLimits limits;
  limits.daily_loss_pct = 2;
  limits.max_drawdown_pct = 10;
  RiskGate gate(limits);
  std::string why;
  const int64_t day = 20000 * kDayNs;
  CHECK_FALSE(gate.on_mark(day + 60'000'000'000, 10000 * E8, why));  // the day starts at 10000
  CHECK_FALSE(gate.on_mark(day + 120'000'000'000, 9810 * E8, why));  // -1.9%: still active
  CHECK(gate.on_mark(day + 180'000'000'000, 9800 * E8, why));        // -2.0%: halted
  CHECK(gate.state() == TradingState::halted);
  CHECK(why.find("daily_loss 2.00% since the UTC day's start (limit 2.00%)") == 0);
  // Halted: nothing the core wants gets through, whatever its price.
  std::vector<mmh_desired_order> desired = {limit(MMH_SIDE_BUY, 9800, 10)};
  gate.filter(desired, at(98));
  CHECK(desired.empty());
  CHECK_FALSE(gate.on_mark(day + kDayNs - 1, 9900 * E8, why));         // the same day: stays halted
  CHECK(gate.on_mark(day + kDayNs + 60'000'000'000, 9900 * E8, why));  // next day: active
  CHECK(gate.state() == TradingState::active);
  CHECK(why == "a new UTC day");
  // 10% below the peak of 10000: halted, and a new day does not undo it.
  CHECK(gate.on_mark(day + kDayNs + 120'000'000'000, 9000 * E8, why));
  CHECK(why.find("max_drawdown 10.00% from the equity peak") == 0);
  CHECK_FALSE(gate.on_mark(day + 3 * kDayNs, 9500 * E8, why));
  CHECK(gate.state() == TradingState::halted);
  CHECK(gate.stats().trips.at("daily_loss") == 1);
  CHECK(gate.stats().trips.at("max_drawdown") == 1);
  CHECK(gate.stats().bars_halted == 4);
}

TEST_CASE("risk gate: orders past the notional limit or outside the price band are dropped") {
  RiskLimits limits;
  limits.max_order_notional_e8 = 1000 * E8;
  limits.price_band_bps = 100;  // 1% around the mid
  RiskGate gate(limits);
  std::vector<mmh_desired_order> desired = {
      limit(MMH_SIDE_BUY, 250000, 300),   // 2500 x 0.3 = 750: passes
      limit(MMH_SIDE_BUY, 250000, 500),   // 1250: too large
      limit(MMH_SIDE_SELL, 253000, 100),  // 1.2% above the mid: outside the band
      limit(MMH_SIDE_SELL, 252400, 100),  // 0.96% above: inside
  };
  gate.filter(desired, at(2500));
  REQUIRE(desired.size() == 2);
  CHECK(desired[0].qty_lots == 300);
  CHECK(desired[1].price_ticks == 252400);
  CHECK(gate.stats().vetoes.at("max_order_notional") == 1);
  CHECK(gate.stats().vetoes.at("price_band") == 1);
  // A fat-finger quantity does not wrap around.
  std::vector<mmh_desired_order> huge = {limit(MMH_SIDE_BUY, 250000, INT64_MAX / 2)};
  gate.filter(huge, at(2500));
  CHECK(huge.empty());
}

TEST_CASE("risk gate: with no limits every order the wallet pays for passes and nothing trips") {
  RiskGate gate(RiskLimits::none());
  std::string why;
  for (int64_t i = 1; i < 1000; ++i)
    CHECK_FALSE(gate.on_mark(i * 3'600'000'000'000, (10000 - i) * E8, why));
  std::vector<mmh_desired_order> desired = {limit(MMH_SIDE_BUY, 1, INT64_MAX / 4)};
  gate.filter(desired, at(2500, 0, INT64_MAX));
  CHECK(desired.size() == 1);
  for (int i = 0; i < 1000; ++i) CHECK(gate.admit(MMH_ORDER_ACTION_PLACE, 0));
}

TEST_CASE("risk gate: a new day's resume and a fresh trip on the same mark are both reported") {
  RiskLimits limits;
  limits.daily_loss_pct = 2;
  limits.max_drawdown_pct = 5;
  RiskGate gate(limits);
  std::string why;
  const int64_t day = 20000 * kDayNs;
  gate.on_mark(day + 60'000'000'000, 10000 * E8, why);
  CHECK(gate.on_mark(day + 120'000'000'000, 9790 * E8, why));  // daily loss: halted
  // Next day, already 6% under the peak: resumes and trips the drawdown on the same mark.
  CHECK(gate.on_mark(day + kDayNs + 60'000'000'000, 9400 * E8, why));
  CHECK(gate.state() == TradingState::halted);
  CHECK(why.find("max_drawdown") == 0);
}

TEST_CASE("risk gate: the kill switch halts until resume, once") {
  RiskGate gate;  // no limits needed
  CHECK(gate.halt("SIGUSR1"));
  CHECK_FALSE(gate.halt("SIGUSR1"));  // already halted: nothing new to report
  std::string why;
  CHECK_FALSE(gate.on_mark(20001 * kDayNs, 10000 * E8, why));  // a new day does not resume it
  CHECK(gate.state() == TradingState::halted);
  std::vector<mmh_desired_order> desired = {limit(MMH_SIDE_SELL, 250000, 1)};
  gate.filter(desired, at(2500));
  CHECK(desired.empty());
  CHECK(gate.stats().trips.at("SIGUSR1") == 1);
  CHECK(gate.resume());
  CHECK_FALSE(gate.resume());
  desired = {limit(MMH_SIDE_SELL, 250000, 1)};
  gate.filter(desired, at(2500));
  CHECK(desired.size() == 1);
}

TEST_CASE("risk gate: resume restarts the loss limits from the last mark") {
  RiskLimits limits;
  limits.daily_loss_pct = 2;
  limits.max_drawdown_pct = 5;
  RiskGate gate(limits);
  std::string why;
  const int64_t day = 20000 * kDayNs;
  gate.on_mark(day + 60'000'000'000, 10000 * E8, why);
  CHECK(gate.on_mark(day + 120'000'000'000, 9400 * E8, why));  // -6%: drawdown, halted
  CHECK(gate.resume());
  // 9400 is the new start and peak: a further 1% loss does not trip either limit again.
  CHECK_FALSE(gate.on_mark(day + 180'000'000'000, 9306 * E8, why));
  CHECK(gate.state() == TradingState::active);
  CHECK(gate.on_mark(day + 240'000'000'000, 9200 * E8, why));  // -2.1% from 9400: daily loss
  CHECK(why.find("daily_loss") == 0);
}

TEST_CASE("risk gate: the daily loss can be measured from the day's peak") {
  RiskLimits limits;
  limits.daily_loss_pct = 2;
  limits.daily_loss_from_peak = true;
  RiskGate gate(limits);
  std::string why;
  const int64_t day = 20000 * kDayNs;
  gate.on_mark(day + 60'000'000'000, 10000 * E8, why);
  CHECK_FALSE(gate.on_mark(day + 120'000'000'000, 10500 * E8, why));  // the day's peak
  // 10280 is above the day's start but 2.1% below its peak.
  CHECK(gate.on_mark(day + 180'000'000'000, 10280 * E8, why));
  CHECK(why.find("daily_loss 2.10% since the UTC day's peak") == 0);
}

TEST_CASE("risk gate: reducing keeps only orders toward the target inventory, up to it") {
  RiskGate gate;  // target: no base (capital is quote)
  CHECK(gate.reduce("reduce"));
  CHECK_FALSE(gate.reduce("reduce"));
  // 0.5 base at 2000 = 1000 of 11000 equity: sells of up to 0.5 (500 lots) pass, buys do not.
  std::vector<mmh_desired_order> desired = {
      limit(MMH_SIDE_BUY, 199000, 100),   // away from the target
      limit(MMH_SIDE_SELL, 201000, 300),  // toward it
      limit(MMH_SIDE_SELL, 202000, 300),  // would overshoot: 600 > 500 lots
      limit(MMH_SIDE_SELL, 203000, 200),  // fits what is left
  };
  gate.filter(desired, at(2000, E8 / 2, 10000 * E8));
  REQUIRE(desired.size() == 2);
  CHECK(desired[0].price_ticks == 201000);
  CHECK(desired[1].price_ticks == 203000);
  CHECK(gate.stats().vetoes.at("reducing") == 2);
  // A target of half the equity in base, holding none: only buys.
  RiskLimits half;
  half.target_base_share = 0.5;
  RiskGate toward_half(half);
  toward_half.reduce("reduce");
  desired = {limit(MMH_SIDE_SELL, 201000, 1), limit(MMH_SIDE_BUY, 199000, 1000)};
  toward_half.filter(desired, at(2000, 0, 10000 * E8));
  REQUIRE(desired.size() == 1);
  CHECK(desired[0].side == MMH_SIDE_BUY);
  std::string why;
  toward_half.on_mark(kDayNs, 10000 * E8, why);
  CHECK(toward_half.stats().bars_reducing == 1);
}

TEST_CASE("risk gate: spot orders must fit the wallet (no borrowing)") {
  RiskGate gate;
  // 1000 quote buys 0.4 at 2500; 0.25 base sells 250 lots.
  std::vector<mmh_desired_order> desired = {
      limit(MMH_SIDE_BUY, 250000, 300),   // 750
      limit(MMH_SIDE_BUY, 249000, 200),   // 498: 1248 > 1000, dropped
      limit(MMH_SIDE_BUY, 248000, 100),   // 248: 998, fits
      limit(MMH_SIDE_SELL, 251000, 200),  // 0.2
      limit(MMH_SIDE_SELL, 252000, 100),  // 0.3 > 0.25, dropped
  };
  gate.filter(desired, at(2500, E8 / 4, 1000 * E8));
  REQUIRE(desired.size() == 3);
  CHECK(desired[1].price_ticks == 248000);
  CHECK(desired[2].price_ticks == 251000);
  CHECK(gate.stats().vetoes.at("free_balance") == 2);
}

TEST_CASE("risk gate: no more than max_open_orders at once") {
  RiskLimits limits;
  limits.max_open_orders = 3;
  RiskGate gate(limits);
  std::vector<mmh_desired_order> desired;
  for (int i = 0; i < 5; ++i) desired.push_back(limit(MMH_SIDE_BUY, 240000 - i * 100, 1));
  gate.filter(desired, at(2500));
  CHECK(desired.size() == 3);
  CHECK(gate.stats().vetoes.at("max_open_orders") == 2);
}

TEST_CASE("risk gate: order-rate budgets per rolling second, cancels always pass") {
  RiskLimits limits;
  limits.places_per_s = 3;
  limits.amends_per_s = 1;
  RiskGate gate(limits);
  const int64_t t = 1'000'000'000'000;
  CHECK(gate.admit(MMH_ORDER_ACTION_PLACE, t));
  CHECK(gate.admit(MMH_ORDER_ACTION_PLACE, t + 100'000'000));
  CHECK(gate.admit(MMH_ORDER_ACTION_PLACE, t + 200'000'000));
  CHECK_FALSE(gate.admit(MMH_ORDER_ACTION_PLACE, t + 999'999'999));  // 4th within a second
  CHECK(gate.admit(MMH_ORDER_ACTION_PLACE, t + 1'000'000'000));      // the first left the window
  CHECK_FALSE(gate.admit(MMH_ORDER_ACTION_PLACE, t + 1'050'000'000));
  CHECK(gate.admit(MMH_ORDER_ACTION_AMEND, t));
  CHECK_FALSE(gate.admit(MMH_ORDER_ACTION_AMEND, t + 500'000'000));
  for (int i = 0; i < 100; ++i) CHECK(gate.admit(MMH_ORDER_ACTION_CANCEL, t));
  CHECK(gate.stats().vetoes.at("places_per_s") == 2);
  CHECK(gate.stats().vetoes.at("amends_per_s") == 1);
}

TEST_CASE("risk gate: stale, lagging or crossed market data pulls quotes until fresh") {
  RiskLimits limits;
  limits.stale_ms = 500;
  RiskGate gate(limits);
  const int64_t t = 1'000'000'000'000;
  CHECK_FALSE(gate.check_data_age(t + 10'000'000'000));  // no data yet: nothing to be stale
  CHECK_FALSE(gate.on_data(t, t + 1'000'000, false));    // 1 ms behind: fresh
  CHECK_FALSE(gate.check_data_age(t + 400'000'000));
  CHECK(gate.check_data_age(t + 502'000'000));  // nothing for 501 ms
  CHECK(gate.data_stale());
  CHECK(gate.stale_reason().find("no book or ticker update for 501 ms") == 0);
  std::vector<mmh_desired_order> desired = {limit(MMH_SIDE_BUY, 240000, 1)};
  gate.filter(desired, at(2500));
  CHECK(desired.empty());
  CHECK(gate.on_data(t + 600'000'000, t + 601'000'000, false));  // fresh again
  CHECK_FALSE(gate.data_stale());
  CHECK(gate.on_data(t + 700'000'000, t + 1'300'000'000, false));  // the exchange 600 ms behind
  CHECK(gate.stale_reason().find("exchange time 600 ms behind") == 0);
  CHECK(gate.on_data(t + 1'400'000'000, t + 1'400'000'000, false));
  CHECK(gate.on_data(t + 1'500'000'000, t + 1'500'000'000, true));
  CHECK(gate.stale_reason() == "crossed book (bid >= ask)");
  CHECK(gate.stats().stale_pulls == 3);
  // Off (the default): data is never stale.
  RiskGate off;
  CHECK_FALSE(off.on_data(t, t + 10'000'000'000, true));
  CHECK_FALSE(off.check_data_age(t + 100'000'000'000));
}

TEST_CASE("risk gate: limits by name, with their ranges, and the tighter of two") {
  RiskLimits l;
  CHECK(set_risk_limit(l, "daily_loss_pct", 2.5).empty());
  CHECK(l.daily_loss_pct == 2.5);
  CHECK(set_risk_limit(l, "daily_loss_pct", 0) == "must be in (0, 100], got 0");
  CHECK(set_risk_limit(l, "places_per_s", 25) == "must be a whole number in [1, 20], got 25");
  CHECK(set_risk_limit(l, "places_per_s", 2.5).find("whole number") != std::string::npos);
  CHECK(set_risk_limit(l, "daily_loss", 2).find("is not a risk limit (known: daily_loss_pct") == 0);
  CHECK(set_risk_limit(l, "max_order_notional", 1234.5).empty());
  CHECK(l.max_order_notional_e8 == 123450000000);
  // A script asking for more than the host allows gets the host's; off takes the other's.
  RiskLimits host;  // defaults: 400 open orders, 16 places/s
  RiskLimits script = RiskLimits::none();
  script.max_open_orders = 500;
  script.places_per_s = 4;
  script.daily_loss_pct = 3;
  const RiskLimits t = tighter(host, script);
  CHECK(t.max_open_orders == 400);
  CHECK(t.places_per_s == 4);
  CHECK(t.amends_per_s == 8);
  CHECK(t.daily_loss_pct == 3);
}

TEST_CASE("risk gate: the trading state survives a restart through its saved text") {
  RiskLimits limits;
  limits.daily_loss_pct = 1;
  const int64_t day = 20000 * kDayNs;
  std::string why;
  {  // an operator's halt holds until resume, whatever the day
    RiskGate gate(limits);
    gate.halt("halt");
    RiskGate after(limits);
    after.restore(gate.saved_state(day, "halt"));
    CHECK(after.state() == TradingState::halted);
    CHECK_FALSE(after.on_mark(day + 5 * kDayNs, 10000 * E8, why));
    CHECK(after.state() == TradingState::halted);
  }
  {  // a daily-loss halt holds for the rest of its day only
    RiskGate gate(limits);
    gate.on_mark(day + 60'000'000'000, 10000 * E8, why);
    CHECK(gate.on_mark(day + 120'000'000'000, 9800 * E8, why));
    RiskGate after(limits);
    after.restore(gate.saved_state(day + 120'000'000'000, why));
    CHECK_FALSE(after.on_mark(day + 180'000'000'000, 9800 * E8, why));
    CHECK(after.state() == TradingState::halted);
    CHECK(after.on_mark(day + kDayNs + 60'000'000'000, 9800 * E8, why));
    CHECK(after.state() == TradingState::active);
  }
  {  // reducing stays reducing
    RiskGate gate;
    gate.reduce("reduce");
    RiskGate after;
    after.restore(gate.saved_state(day, "reduce"));
    CHECK(after.state() == TradingState::reducing);
  }
  RiskGate gate;
  CHECK_THROWS_WITH(gate.restore("{\"format\": 2}"),
                    doctest::Contains("not a risk state of format 1"));
  CHECK_THROWS_WITH(gate.restore("not json"), doctest::Contains("not a risk state"));
  CHECK_THROWS_WITH(gate.restore(R"({"format":1,"state":"sleeping","until":"resume","day":1})"),
                    doctest::Contains("unknown state 'sleeping'"));
}
