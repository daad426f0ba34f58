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
  gate.filter(desired, 98 * E8, E8 / 100, E8 / 1000);
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
  const int64_t tick = E8 / 100, lot = E8 / 1000;  // 0.01 and 0.001
  std::vector<mmh_desired_order> desired = {
      limit(MMH_SIDE_BUY, 250000, 300),   // 2500 x 0.3 = 750: passes
      limit(MMH_SIDE_BUY, 250000, 500),   // 1250: too large
      limit(MMH_SIDE_SELL, 253000, 100),  // 1.2% above the mid: outside the band
      limit(MMH_SIDE_SELL, 252400, 100),  // 0.96% above: inside
  };
  gate.filter(desired, 2500 * E8, tick, lot);
  REQUIRE(desired.size() == 2);
  CHECK(desired[0].qty_lots == 300);
  CHECK(desired[1].price_ticks == 252400);
  CHECK(gate.stats().vetoes.at("max_order_notional") == 1);
  CHECK(gate.stats().vetoes.at("price_band") == 1);
  // A fat-finger quantity does not wrap around.
  std::vector<mmh_desired_order> huge = {limit(MMH_SIDE_BUY, 250000, INT64_MAX / 2)};
  gate.filter(huge, 2500 * E8, tick, lot);
  CHECK(huge.empty());
}

TEST_CASE("risk gate: with no limits every order passes and nothing trips") {
  RiskGate gate;
  CHECK_FALSE(gate.limits().any());
  std::string why;
  for (int64_t i = 1; i < 1000; ++i)
    CHECK_FALSE(gate.on_mark(i * 3'600'000'000'000, (10000 - i) * E8, why));
  std::vector<mmh_desired_order> desired = {limit(MMH_SIDE_BUY, 1, INT64_MAX / 4)};
  gate.filter(desired, 2500 * E8, E8 / 100, E8 / 1000);
  CHECK(desired.size() == 1);
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

TEST_CASE("risk gate: the kill switch halts for good, once") {
  RiskGate gate;  // no limits needed
  CHECK(gate.halt("SIGUSR1"));
  CHECK_FALSE(gate.halt("SIGUSR1"));  // already halted: nothing new to report
  std::string why;
  CHECK_FALSE(gate.on_mark(20001 * kDayNs, 10000 * E8, why));  // a new day does not resume it
  CHECK(gate.state() == TradingState::halted);
  std::vector<mmh_desired_order> desired = {limit(MMH_SIDE_SELL, 250000, 1)};
  gate.filter(desired, 2500 * E8, E8 / 100, E8 / 1000);
  CHECK(desired.empty());
  CHECK(gate.stats().trips.at("SIGUSR1") == 1);
}
