// CSV candle parse throughput on the real 90-day 1m file (7 MB, 130,708 rows), from memory.
#include "bench_data.hpp"
#include "csv_series.hpp"
#include "file_bytes.hpp"

#include <benchmark/benchmark.h>

static void BM_CandleCsvParse(benchmark::State& state) {
  const std::string path = mmh::bench::eth_1m_csv();
  const std::string bytes = mmh::replay::read_file_bytes(path);
  size_t candles = 0;
  for (auto _ : state) {
    auto series = mmh::replay::parse_candle_csv(bytes, path);
    candles = series.candles.size();
    benchmark::DoNotOptimize(series.candles.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(candles));
  state.counters["candles"] = static_cast<double>(candles);
}
BENCHMARK(BM_CandleCsvParse)->Unit(benchmark::kMillisecond);
