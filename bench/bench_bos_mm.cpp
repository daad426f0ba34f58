// bos_mm core throughput: the real Bybit ETHUSDT 5m file (63,545 bars) replayed through the whole
// pipeline (ATR, structure, BOS, pullback, policy, state machine, grid, events) in a loop.
#include "bench_data.hpp"
#include "core.hpp"
#include "csv_series.hpp"
#include "file_bytes.hpp"
#include "ideal_venue.hpp"

#include <benchmark/benchmark.h>

#include <vector>

namespace {

const std::vector<mmh_candle>& eth_5m() {
  static const std::vector<mmh_candle> bars = [] {
    const std::string path = std::string(MMHOST_BENCH_SHARED_DATA_DIR) +
                             "/candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv";
    return mmh::replay::parse_candle_csv(mmh::replay::read_file_bytes(path), path).candles;
  }();
  return bars;
}

// Reference: ATR and pivot structure alone (the loop the issue's ~70M/s figure describes).
void BM_AtrPivotLoop(benchmark::State& state) {
  const auto& bars = eth_5m();
  int64_t pivots = 0;
  for (auto _ : state) {
    mmh::bos::WilderAtr atr(14);
    mmh::bos::StructureTracker structure(mmh::bos::StructureParams{});
    mmh::bos::ConfirmedPivots found;
    for (const mmh_candle& bar : bars) {
      atr.add(bar);
      structure.on_bar(bar, atr.value_e8(), found);
      pivots += static_cast<int64_t>(found.count);
    }
  }
  benchmark::DoNotOptimize(pivots);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(bars.size()));
}
BENCHMARK(BM_AtrPivotLoop)->Unit(benchmark::kMillisecond);

// HTF bars only, no fills: structure, BOS, pullback, policy and the machine up to Rebalance.
void BM_CoreHtfOnly(benchmark::State& state) {
  const auto& bars = eth_5m();
  const mmh::bos::CoreParams params;
  int64_t events = 0;
  for (auto _ : state) {
    mmh::bos::Core core(params);
    for (const mmh_candle& bar : bars) {
      core.on_htf_bar(bar);
      events += static_cast<int64_t>(core.events().size());
      core.clear_events();
    }
    benchmark::DoNotOptimize(core.desired());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(bars.size()));
  state.counters["events/pass"] =
      static_cast<double>(events) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_CoreHtfOnly)->Unit(benchmark::kMillisecond);

// The golden-run loop: every bar as LTF and HTF, with the test's idealised fills, so every state
// (Rebalance, MM with its grid, Exit) is exercised and events are hashed.
void BM_CoreFullCycle(benchmark::State& state) {
  const auto& bars = eth_5m();
  const mmh::bos::CoreParams params;
  for (auto _ : state) {
    const auto run = mmh::bos::test::run_ideal(bars, params);
    benchmark::DoNotOptimize(run.hash);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(bars.size()));
}
BENCHMARK(BM_CoreFullCycle)->Unit(benchmark::kMillisecond);

}  // namespace
