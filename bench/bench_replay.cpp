// Replay through the engine with a no-op consumer, from the memory-mapped binary cache:
// in-process (engine only) and through the replay plugin across the ABI.
#include "bench_data.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "loader/data_instance.hpp"
#include "loader/host_services.hpp"
#include "loader/plugin_loader.hpp"
#include "series_loader.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>

namespace {

// Touches every record so the replay is not optimised away; otherwise does nothing.
class NoOpConsumer final : public mmh::BatchHandler {
 public:
  void on_batch(const mmh_batch& batch) override {
    const char* p = static_cast<const char*>(batch.records);
    for (size_t i = 0; i < batch.count; ++i, p += batch.record_size)
      checksum_ += reinterpret_cast<const mmh_candle*>(p)->close_e8;
  }
  int64_t checksum_ = 0;
};

std::string bench_cache_dir() {
  return (std::filesystem::temp_directory_path() / "mmhost-bench-cache").string();
}

}  // namespace

static void BM_ReplayEngineFromCache(benchmark::State& state) {
  mmh::replay::LoadOptions options;
  options.cache_dir = bench_cache_dir();
  mmh::replay::load_series(mmh::bench::eth_1m_csv(), options);  // build the cache once
  auto series = mmh::replay::load_series(mmh::bench::eth_1m_csv(), options);
  if (!series->from_cache()) state.SkipWithError("binary cache was not used");
  size_t events = 0;
  for (auto _ : state) {
    mmh::SimulatedClock clock;
    mmh::Engine engine(clock);
    NoOpConsumer consumer;
    engine.subscribe(MMH_EVENT_CANDLE, &consumer);
    bool sent = false;
    engine.add_source("replay", [&](mmh_batch& out) {
      if (sent) return false;
      sent = true;
      out.kind = series->kind();
      out.record_size = series->record_size();
      out.count = series->count();
      out.records = series->records();
      return true;
    });
    events = engine.run_historical(clock).total_events();
    benchmark::DoNotOptimize(consumer.checksum_);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events));
  state.counters["candles"] = static_cast<double>(events);
}
BENCHMARK(BM_ReplayEngineFromCache)->Unit(benchmark::kMicrosecond);

// Includes plugin instance creation (opening and CRC-checking the cache) every iteration.
static void BM_ReplayPluginOpenAndRun(benchmark::State& state) {
  mmh::HostServices services;
  services.set_config("cache_dir", bench_cache_dir());
  mmh::PluginRegistry registry(services);
  const mmh::LoadedPlugin* replay = &mmh::bench::replay_plugin(registry);
  const std::map<std::string, std::string> settings = {{"file", mmh::bench::eth_1m_csv()},
                                                       {"interval", "1m"}};
  mmh::DataInstance warm_up(*replay, settings);  // builds this key's cache entry outside the timing
  size_t events = 0;
  for (auto _ : state) {
    mmh::DataInstance source(*replay, settings);
    mmh::SimulatedClock clock;
    mmh::Engine engine(clock);
    NoOpConsumer consumer;
    engine.subscribe(MMH_EVENT_CANDLE, &consumer);
    engine.add_source("replay", [&](mmh_batch& out) { return source.read_batch(out); });
    events = engine.run_historical(clock).total_events();
    benchmark::DoNotOptimize(consumer.checksum_);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events));
}
BENCHMARK(BM_ReplayPluginOpenAndRun)->Unit(benchmark::kMillisecond);
