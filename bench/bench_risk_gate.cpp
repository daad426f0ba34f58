// The RiskGate's cost per order the core wants (issue 19's target: <= 50 ns per order command):
// a grid of 4 bids and 4 asks through every pre-trade check (notional, price band, open orders,
// free balance), and
// the per-bar mark with both loss limits on.
#include "risk/risk_gate.hpp"

#include <benchmark/benchmark.h>

#include <vector>

namespace {

constexpr int64_t E8 = 100'000'000;

mmh::RiskLimits all_limits() {
  mmh::RiskLimits limits;
  limits.daily_loss_pct = 2;
  limits.max_drawdown_pct = 10;
  limits.max_order_notional_e8 = 5000 * E8;
  limits.price_band_bps = 200;
  return limits;
}

void BM_RiskGateFilterGrid(benchmark::State& state) {
  mmh::RiskGate gate(all_limits());
  std::vector<mmh_desired_order> grid;
  for (int i = 1; i <= 4; ++i) {
    grid.push_back({MMH_SIDE_BUY, MMH_ORDER_TYPE_LIMIT, 250000 - 300 * i, 80});
    grid.push_back({MMH_SIDE_SELL, MMH_ORDER_TYPE_LIMIT, 250000 + 300 * i, 80});
  }
  std::vector<mmh_desired_order> desired;
  desired.reserve(grid.size());
  for (auto _ : state) {
    desired = grid;
    gate.filter(desired, mmh::GateInputs{2500 * E8, E8 / 100, E8 / 1000, 10 * E8, 100000 * E8});
    benchmark::DoNotOptimize(desired.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(grid.size()));
  state.counters["ns_per_order"] = benchmark::Counter(
      static_cast<double>(state.iterations() * static_cast<int64_t>(grid.size())),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_RiskGateFilterGrid);

void BM_RiskGateMark(benchmark::State& state) {
  mmh::RiskGate gate(all_limits());
  std::string why;
  int64_t ts = 20000LL * 86'400'000'000'000;
  for (auto _ : state) {
    ts += 60'000'000'000;
    benchmark::DoNotOptimize(gate.on_mark(ts, 10000 * E8, why));
  }
}
BENCHMARK(BM_RiskGateMark);

}  // namespace
