#include "core.hpp"

#include "app/format.hpp"
#include "core_scenario.hpp"
#include "csv_series.hpp"
#include "file_bytes.hpp"
#include "ideal_venue.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace mmh::bos;
using mmh::bos::test::bar_at;
using mmh::bos::test::Scenario;
using mmh::bos::test::scenario_params;
using Transitions = std::vector<std::string>;

TEST_CASE("a full cycle: Idle -> BOS -> Rebalance -> MM -> Exit -> Idle, each with its reason") {
  Scenario s;
  s.to_bos();
  CHECK(s.core.state() == State::bos);
  CHECK(s.core.protect_low_e8() == 98 * MMH_E8);
  CHECK(s.core.desired().mode == DesiredMode::none);

  s.htf(bar_at(8, 105.8, 106.5, 104.5, 105));
  CHECK(s.count(EventKind::pullback_started) == 1);
  CHECK(s.core.state() == State::bos);  // the LTF has not confirmed yet
  s.ltf(mmh::bos::test::ltf_bar(9, 0, 105, 105.4, 104.8, 105.2));
  s.ltf(mmh::bos::test::ltf_bar(9, 1, 105.2, 105.9, 105.1, 105.7));
  CHECK(s.count(EventKind::pullback_confirmed) == 1);
  REQUIRE(s.core.state() == State::rebalance);
  // One bid near the pullback: at the last close, capped at the zone top (104 + 0.5 ATR).
  const Desired& rebalance = s.core.desired();
  REQUIRE(rebalance.mode == DesiredMode::rebalance);
  REQUIRE(rebalance.orders.bid_count == 1);
  CHECK(rebalance.orders.bids[0].price_ticks == 10'569);
  CHECK(rebalance.orders.ask_count == 0);

  Scenario full;
  full.to_mm();
  CHECK(full.core.state() == State::mm);
  CHECK(full.core.inventory_share() == doctest::Approx(0.30).epsilon(0.01));
  CHECK(full.core.desired().mode == DesiredMode::grid);
  CHECK(full.core.desired().orders.bid_count == 4);
  CHECK(full.core.desired().orders.ask_count == 4);

  full.htf(bar_at(9, 105.7, 106, 105, 105.5));
  full.htf(bar_at(10, 105.5, 105.5, 97, 97.5));  // closes below the protecting low 98
  REQUIRE(full.core.state() == State::exit);
  const Desired exit = full.core.desired();
  REQUIRE(exit.mode == DesiredMode::exit);
  REQUIRE(exit.orders.ask_count == 1);
  CHECK_FALSE(exit.marketable);
  const Instrument& inst = full.core.params().instrument;
  CHECK(inst.qty_e8(exit.orders.asks[0].qty_lots) == full.core.wallet().base_e8);
  full.core.on_fill(bar_at(11, 0, 0, 0, 0).open_ts_ns, MMH_SIDE_SELL,
                    inst.price_e8(exit.orders.asks[0].price_ticks), full.core.wallet().base_e8, 0);
  full.drain();
  CHECK(full.core.state() == State::idle);
  CHECK(full.transitions() == Transitions{"idle->bos:bos_confirmed",
                                          "bos->rebalance:pullback_confirmed",
                                          "rebalance->mm:target_reached",
                                          "mm->exit:structure_invalidated", "exit->idle:flat"});
}

TEST_CASE("MM exits on a bearish BOS before the invalidation it implies") {
  Scenario s;
  s.to_mm();
  s.htf(bar_at(9, 105.7, 105.7, 94, 95));  // 3 below the swing low 98: confirmed bearish BOS
  CHECK(s.transitions().back() == "mm->exit:bearish_bos");
}

TEST_CASE("MM exits when the policy turns Disabled") {
  CoreParams p = scenario_params();
  p.policy.disabled_atr_pct = 5;
  p.policy.defensive_atr_pct = 4.5;
  Scenario s(p);
  s.to_mm();
  s.htf(bar_at(9, 105.7, 115, 104, 110));  // TR 11 lifts ATR to ~5% of price
  CHECK(s.core.policy() == PolicyLevel::disabled);
  CHECK(s.transitions().back() == "mm->exit:policy_disabled");
  CHECK(s.count(EventKind::policy_changed) >= 1);
}

TEST_CASE("MM exits on the risk stop: setup drawdown past its limit") {
  CoreParams p = scenario_params();
  p.exec.risk_stop_drawdown_pct = 1;
  Scenario s(p);
  s.to_mm();
  s.htf(bar_at(9, 105.7, 105.7, 99, 99.5));  // -6% on a 30% share: -1.8% equity, above 98
  CHECK(s.core.setup_drawdown_pct() > 1);
  CHECK(s.transitions().back() == "mm->exit:risk_stop");
}

TEST_CASE("MM exits after its maximum duration, Exit turns marketable after its limit phase") {
  CoreParams p = scenario_params();
  p.exec.mm_max_bars = 2;
  p.exec.exit_limit_bars = 2;
  Scenario s(p);
  s.to_mm();
  s.htf(bar_at(9, 105.7, 106, 105, 105.5));
  CHECK(s.core.state() == State::mm);
  s.htf(bar_at(10, 105.5, 106, 105, 105.6));
  CHECK(s.transitions().back() == "mm->exit:max_duration");
  CHECK_FALSE(s.core.desired().marketable);
  s.htf(bar_at(11, 105.6, 106, 105, 105.6));
  CHECK_FALSE(s.core.desired().marketable);
  s.htf(bar_at(12, 105.6, 106, 105, 105.6));
  CHECK(s.core.desired().marketable);
  CHECK(s.core.state() == State::exit);
}

TEST_CASE("exit_limit_bars = 0 sells at market at once") {
  CoreParams p = scenario_params();
  p.exec.exit_limit_bars = 0;
  Scenario s(p);
  s.to_mm();
  s.htf(bar_at(9, 105.7, 105.7, 97, 97.5));
  REQUIRE(s.core.state() == State::exit);
  CHECK(s.core.desired().marketable);
}

TEST_CASE("Rebalance that never fills times out, through Exit, back to Idle") {
  CoreParams p = scenario_params();
  p.exec.rebalance_timeout_bars = 2;
  Scenario s(p);
  s.to_rebalance();
  s.htf(bar_at(9, 105.7, 107, 105.8, 106.5));
  s.htf(bar_at(10, 106.5, 108, 106.4, 107.5));
  CHECK(s.core.state() == State::idle);
  const Transitions t = s.transitions();
  REQUIRE(t.size() == 4);
  CHECK(t[2] == "rebalance->exit:rebalance_timeout");
  CHECK(t[3] == "exit->idle:flat");
}

TEST_CASE("BOS without a pullback in time goes back to Idle") {
  CoreParams p = scenario_params();
  p.pullback.max_bars = 2;
  Scenario s(p);
  s.to_bos();
  s.htf(bar_at(8, 105.8, 108, 106, 107.5));  // stays above the zone
  s.htf(bar_at(9, 107.5, 109, 107, 108.5));
  CHECK(s.count(EventKind::pullback_started) == 0);
  CHECK(s.transitions().back() == "bos->idle:no_pullback");
}

TEST_CASE("BOS is abandoned when a close breaks the protecting low") {
  Scenario s;
  s.to_bos();
  s.htf(bar_at(8, 105.8, 105.8, 97, 97.5));
  CHECK(s.transitions().back() == "bos->idle:structure_invalidated");
  CHECK(s.core.protect_low_e8() == 0);
}

TEST_CASE("a Disabled policy keeps a bullish BOS from starting a setup") {
  CoreParams p = scenario_params();
  p.policy.disabled_atr_pct = 2;
  p.policy.defensive_atr_pct = 1;
  Scenario s(p);
  s.to_bos();
  CHECK(s.core.policy() == PolicyLevel::disabled);
  CHECK(s.count(EventKind::bos_confirmed) == 1);
  CHECK(s.core.state() == State::idle);
}

TEST_CASE("Defensive policy: the MM grid has fewer levels and a wider step") {
  CoreParams p = scenario_params();
  p.policy.defensive_atr_pct = 2;
  Scenario normal;
  normal.to_mm();
  Scenario defensive(p);
  defensive.to_mm();
  REQUIRE(defensive.core.policy() == PolicyLevel::defensive);
  CHECK(defensive.core.desired().orders.bid_count == p.grid.defensive_levels);
  CHECK(defensive.core.desired().orders.step_e8 > normal.core.desired().orders.step_e8);
}

TEST_CASE("reconfigure: new grid from the next input, state and inventory carried over") {
  Scenario s;
  s.to_mm();
  const Wallet before = s.core.wallet();
  CoreParams next = scenario_params();
  next.grid.levels = 2;
  s.core.reconfigure(next);
  CHECK(s.core.state() == State::mm);
  CHECK(s.core.wallet().base_e8 == before.base_e8);
  CHECK(s.core.wallet().quote_e8 == before.quote_e8);
  CHECK(s.core.desired().orders.bid_count == 4);  // nothing re-quoted until the next input
  s.htf(bar_at(9, 105.7, 106, 105, 105.5));
  CHECK(s.core.desired().orders.bid_count == 2);
  CHECK(s.core.desired().orders.ask_count == 2);
  // Reasons of events made before the swap still read correctly.
  CHECK(s.transitions().front() == "idle->bos:bos_confirmed");
}

TEST_CASE("reconfigure is all or nothing, history-sizing parameters cannot change") {
  Scenario s;
  s.to_mm();
  CoreParams bad = scenario_params();
  bad.grid.levels = 3;
  bad.grid.hard_band = 0.01;  // below the soft band: invalid
  CHECK_THROWS_WITH_AS(s.core.reconfigure(bad), doctest::Contains("grid.hard_band"),
                       std::invalid_argument);
  CoreParams structural = scenario_params();
  structural.structure.left_bars = 3;
  CHECK_THROWS_WITH_AS(s.core.reconfigure(structural),
                       doctest::Contains("structure.left_bars cannot change while running"),
                       std::invalid_argument);
  s.htf(bar_at(9, 105.7, 106, 105, 105.5));
  CHECK(s.core.desired().orders.bid_count == 4);  // the old parameters still rule
  CHECK(s.core.params().grid.levels == 4);
}

TEST_CASE("the core validates all of its parameters") {
  CoreParams p;
  p.atr_period = 0;
  CHECK_THROWS_WITH_AS(Core{p}, doctest::Contains("atr_period"), std::invalid_argument);
  p = CoreParams{};
  p.exec.target_tolerance = 1.5;
  CHECK_THROWS_WITH_AS(Core{p}, doctest::Contains("execution.target_tolerance"),
                       std::invalid_argument);
  p = CoreParams{};
  p.grid.soft_band = 0.5;
  CHECK_THROWS_WITH_AS(Core{p}, doctest::Contains("grid.hard_band"), std::invalid_argument);
}

namespace {

std::vector<mmh_candle> real_5m() {
  const std::string path =
      mmh::test::shared_data("candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv");
  REQUIRE_MESSAGE(std::filesystem::exists(path), "missing real data: ", path);
  return mmh::replay::parse_candle_csv(mmh::replay::read_file_bytes(path), path).candles;
}

std::vector<mmh_candle> random_walk(uint64_t seed, size_t count) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0, 0.002);
  std::vector<mmh_candle> bars;
  double price = 2000;
  for (size_t i = 0; i < count; ++i) {
    const double open = price;
    double high = open, low = open;
    for (int k = 0; k < 5; ++k) {
      price *= 1 + step(rng);
      high = std::max(high, price);
      low = std::min(low, price);
    }
    bars.push_back(bar_at(static_cast<int64_t>(i), std::round(open * 100) / 100,
                          std::round(high * 100) / 100 + 0.01, std::round(low * 100) / 100 - 0.01,
                          std::round(price * 100) / 100));
  }
  return bars;
}

// Checks the spot and band properties after every input.
struct PropertyCheck {
  int64_t steps = 0;
  int64_t violations = 0;
  void operator()(const Core& core) {
    ++steps;
    const Desired& d = core.desired();
    const Instrument& inst = core.params().instrument;
    int64_t sell_e8 = 0;
    int64_t buy_cost_e8 = 0;
    for (int i = 0; i < d.orders.ask_count; ++i)
      sell_e8 += inst.qty_e8(d.orders.asks[static_cast<size_t>(i)].qty_lots);
    for (int i = 0; i < d.orders.bid_count; ++i)
      buy_cost_e8 +=
          Instrument::value_e8(inst.price_e8(d.orders.bids[static_cast<size_t>(i)].price_ticks),
                               inst.qty_e8(d.orders.bids[static_cast<size_t>(i)].qty_lots));
    bool ok = sell_e8 <= core.wallet().base_e8 && buy_cost_e8 <= core.wallet().quote_e8;
    if (d.mode == DesiredMode::grid && d.orders.bid_count > 0) {
      // Bids exist only inside the hard band, and all of them filled (valued at cost) would not
      // carry the share past it, judged on the equity the grid was built from.
      const GridParams& g = core.params().grid;
      const double hard =
          g.hard_band * (core.policy() == PolicyLevel::defensive ? g.defensive_band_mult : 1.0);
      const double limit = (g.target_base_share + hard) * d.orders.equity_e8;
      ok = ok && d.orders.inventory_share < g.target_base_share + hard &&
           d.orders.inventory_share * d.orders.equity_e8 + static_cast<double>(buy_cost_e8) <=
               limit + 1e8;
    }
    if (!ok) ++violations;
  }
};

}  // namespace

TEST_CASE("properties on real data: spot constraints, hard band, no look-ahead, determinism") {
  const auto bars = real_5m();
  PropertyCheck check;
  const auto full = mmh::bos::test::run_ideal(bars, CoreParams{}, Wallet{0, 10'000 * MMH_E8}, true,
                                              std::ref(check));
  CHECK(check.steps > 2 * static_cast<int64_t>(bars.size()));
  CHECK(check.violations == 0);
  CHECK_FALSE(full.negative_balance);
  // Identical inputs, identical stream.
  const auto again = mmh::bos::test::run_ideal(bars, CoreParams{});
  CHECK(again.hash == full.hash);
  // No look-ahead: a run cut after N bars decides exactly what the full run decided up to then.
  for (size_t cut : {size_t{5'000}, size_t{33'333}}) {
    CAPTURE(cut);
    const std::vector<mmh_candle> prefix(bars.begin(), bars.begin() + static_cast<ptrdiff_t>(cut));
    const auto partial =
        mmh::bos::test::run_ideal(prefix, CoreParams{}, Wallet{0, 10'000 * MMH_E8}, true);
    REQUIRE(partial.lines.size() <= full.lines.size());
    REQUIRE(!partial.lines.empty());
    bool same = true;
    for (size_t i = 0; i < partial.lines.size(); ++i)
      same = same && partial.lines[i] == full.lines[i];
    CHECK(same);
    // And the full run's next decision is stamped after the cut.
    const int64_t cut_close_ns = prefix.back().open_ts_ns + prefix.back().interval_ns;
    const std::string next = full.lines[partial.lines.size()];
    CHECK(next.substr(0, 20) > mmh::iso_time(cut_close_ns));
  }
}

TEST_CASE("properties on random walks: spot constraints, hard band, determinism") {
  for (uint64_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    const auto bars = random_walk(seed, 20'000);
    PropertyCheck check;
    const auto a = mmh::bos::test::run_ideal(bars, CoreParams{}, Wallet{0, 5'000 * MMH_E8}, false,
                                             std::ref(check));
    CHECK(check.violations == 0);
    CHECK_FALSE(a.negative_balance);
    CHECK(a.hash == mmh::bos::test::run_ideal(bars, CoreParams{}, Wallet{0, 5'000 * MMH_E8}).hash);
    CHECK(a.by_kind[static_cast<size_t>(EventKind::bos_confirmed)] > 0);
  }
}

namespace {

std::string golden_text(const mmh::bos::test::IdealRun& run) {
  std::ostringstream out;
  out << "# bos_mm golden run: default CoreParams, ideal fills (tests/bos_mm/ideal_venue.hpp),\n"
         "# 10,000 USDT, no base, on bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv (HTF = LTF = "
         "5m).\n"
         "# Regenerate: MMHOST_UPDATE_GOLDEN=1 mmhost_tests -tc='golden*'; review the diff.\n";
  for (int k = 1; k <= kEventKindCount; ++k)
    out << "events." << to_string(static_cast<EventKind>(k)) << " "
        << run.by_kind[static_cast<size_t>(k)] << "\n";
  out << "bos_confirmed.bullish " << run.bullish_confirmed << "\n";
  out << "bos_confirmed.bearish " << run.bearish_confirmed << "\n";
  for (int s = 1; s <= kStateCount; ++s)
    out << "entered." << to_string(static_cast<State>(s)) << " "
        << run.entered[static_cast<size_t>(s)] << "\n";
  out << "fills " << run.fills << "\n";
  char hash[32];
  std::snprintf(hash, sizeof(hash), "%016llx", static_cast<unsigned long long>(run.hash));
  out << "event_hash " << hash << "\n";
  return out.str();
}

}  // namespace

TEST_CASE("golden run on real Bybit ETHUSDT 5m: counts per event kind and the event hash") {
  const auto run = mmh::bos::test::run_ideal(real_5m(), CoreParams{});
  const std::string text = golden_text(run);
  const std::string path = mmh::test::source_dir() + "/tests/bos_mm/golden/eth_5m_2025.txt";
  if (std::getenv("MMHOST_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path) << text;
    MESSAGE("golden file rewritten: ", path);
  }
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "missing golden file ", path);
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(text == expected.str());
  // Every state is reached, and the cycle closes.
  for (int s = 1; s <= kStateCount; ++s) CHECK(run.entered[static_cast<size_t>(s)] > 0);
  CHECK(run.entered[static_cast<size_t>(State::rebalance)] <=
        run.entered[static_cast<size_t>(State::bos)]);
  CHECK(run.entered[static_cast<size_t>(State::mm)] <=
        run.entered[static_cast<size_t>(State::rebalance)]);
}

namespace {
// Hooks that answer from fields and record what they were asked.
struct RecordingHooks final : CoreHooks {
  bool override_policy = false;
  PolicyLevel answer = PolicyLevel::normal;
  bool guard_answer = false;
  int policy_calls = 0;
  std::vector<std::string> guards_asked;
  std::vector<std::string> transitions;
  bool policy(int64_t, PolicyLevel, PolicyLevel& level) override {
    ++policy_calls;
    if (override_policy) level = answer;
    return override_policy;
  }
  bool guard(int64_t, const Edge& edge) override {
    guards_asked.push_back(std::string(to_string(edge.from)) + "." + edge.reason);
    return guard_answer;
  }
  void transition(int64_t, const Edge& edge) override {
    transitions.push_back(std::string(to_string(edge.from)) + "->" + to_string(edge.to) + ":" +
                          edge.reason);
  }
};
}  // namespace

TEST_CASE("hooks: a script policy replaces the thresholds' level, once per HTF bar") {
  Scenario s;
  RecordingHooks hooks;
  hooks.override_policy = true;
  hooks.answer = PolicyLevel::disabled;
  s.core.set_hooks(&hooks);
  s.to_bos();  // the bullish BOS bar is seen, but Disabled keeps Idle
  CHECK(hooks.policy_calls == static_cast<int>(mmh::bos::test::setup_bars().size()));
  CHECK(s.core.policy() == PolicyLevel::disabled);
  CHECK(s.core.state() == State::idle);
  CHECK(s.count(EventKind::policy_changed) == 1);
  for (const Event& e : s.events)
    if (e.kind == EventKind::policy_changed) CHECK(e.cause == PolicyCause::script);

  Scenario normal;
  RecordingHooks keep;  // no override: the thresholds rule
  normal.core.set_hooks(&keep);
  normal.to_bos();
  CHECK(normal.core.state() == State::bos);
  CHECK(keep.transitions == std::vector<std::string>{"idle->bos:bos_confirmed"});
}

TEST_CASE("hooks: a scripted edge fires only when its facts hold and the script agrees") {
  CoreParams p = scenario_params();
  Edge extra;
  extra.from = State::bos;
  extra.to = State::idle;
  extra.reason = "script_abandon";
  extra.scripted = true;  // no facts: the function alone decides
  p.transitions.add(extra);
  Scenario s(p);
  RecordingHooks hooks;
  s.core.set_hooks(&hooks);
  s.to_bos();
  CHECK(s.core.state() == State::bos);
  CHECK_FALSE(hooks.guards_asked.empty());  // asked while in BOS, said no
  CHECK(hooks.guards_asked.front() == "bos.script_abandon");
  hooks.guard_answer = true;
  s.htf(bar_at(8, 105.8, 106.5, 105.5, 106));
  CHECK(s.core.state() == State::idle);
  CHECK(hooks.transitions.back() == "bos->idle:script_abandon");

  Scenario no_hooks(p);  // without hooks a scripted edge never fires
  no_hooks.to_bos();
  no_hooks.htf(bar_at(8, 105.8, 106.5, 105.5, 106));
  CHECK(no_hooks.core.state() == State::bos);
}
