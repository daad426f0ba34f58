// A Lua policy function, called once per HTF bar: the host fills the reused read-only `m`
// (six numbers and two level names) and calls the function through the protected-call helper
// with its instruction budget. Target: <= 100 ns per call.
#include "lua/script_api.hpp"
#include "lua/strategy_script.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Host final : mmh::ScriptHost {
  std::vector<mmh_core_value> table = {
      {"state", MMH_VALUE_TEXT, 0, 0, "mm"},
      {"pnl.drawdown_pct", MMH_VALUE_NUMBER, 0, 1.5, nullptr},
  };
  mmh::CoreValues indexed;
  int64_t now_ns() const override { return 0; }
  const mmh::CoreValues* values() override {
    indexed.assign(table.data(), table.size());
    return &indexed;
  }
  void metric(std::string_view, double) override {}
};

std::string write_strategy(const std::string& policy) {
  char dir_template[] = "/tmp/mmhost-bench-policy-XXXXXX";
  const std::string path = std::string(mkdtemp(dir_template)) + "/s.lua";
  std::ofstream(path) << "return mmhost.strategy{ core = 'bos_mm',\n"
                         "  market = { symbol = 'ETHUSDT' },\n"
                         "  policy = "
                      << policy << ",\n}\n";
  return path;
}

void run(benchmark::State& state, const std::string& policy) {
  Host host;
  mmh::StrategyScript script(write_strategy(policy), &host);
  mmh::StrategyScript::PolicyInputs in;
  in.atr_pct = 0.4;
  in.volatility_pct = 0.3;
  in.drawdown_pct = 1.0;
  int64_t i = 0;
  for (auto _ : state) {
    in.atr_pct = 0.2 + static_cast<double>(i++ & 1023) * 0.001;  // 0.2 .. 1.2
    benchmark::DoNotOptimize(script.policy(in, "normal", "normal"));
  }
  state.SetItemsProcessed(state.iterations());
}

// Thresholds on m only: the common shape.
void BM_PolicyFunctionCall(benchmark::State& state) {
  run(state,
      "function(m, ctx)\n"
      "    if m.atr_pct > 1.2 or m.drawdown_pct > 8 then return 'Disabled' end\n"
      "    if m.atr_pct > 0.6 or m.volatility_pct > 0.45 then return 'Defensive' end\n"
      "    return 'Normal' end");
}
BENCHMARK(BM_PolicyFunctionCall);

// Also reads a core value through the ctx view (a snapshot lookup).
void BM_PolicyFunctionCallWithView(benchmark::State& state) {
  run(state,
      "function(m, ctx)\n"
      "    if ctx.pnl.drawdown_pct > 8 then return 'Disabled' end\n"
      "    if m.atr_pct > 0.6 then return 'Defensive' end\n"
      "    return m.suggested end");
}
BENCHMARK(BM_PolicyFunctionCallWithView);

}  // namespace

namespace {
// The floor: the call machinery alone (fill m, protected call, read the answer).
void BM_PolicyFunctionCallEmpty(benchmark::State& state) {
  run(state, "function(m, ctx) return 'Normal' end");
}
BENCHMARK(BM_PolicyFunctionCallEmpty);
}  // namespace
