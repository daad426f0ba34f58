// Cost of one call across the plugin ABI: DataInstance::describe() calls through the loaded
// replay plugin's vtable into the SDK trampoline (exception guard, 72-byte struct copy), measured
// against a plain non-inlined in-process call of the same shape.
#include "bench_data.hpp"
#include "loader/data_instance.hpp"
#include "loader/host_services.hpp"
#include "loader/plugin_loader.hpp"

#include <benchmark/benchmark.h>

static_assert(sizeof(mmh_source_info) == 72, "update the comment above");

namespace {
__attribute__((noinline)) mmh_status local_describe(void*, mmh_source_info* info, mmh_error*) {
  info->record_count += 1;
  return MMH_OK;
}
}  // namespace

static void BM_AbiCallDescribe(benchmark::State& state) {
  mmh::HostServices services;
  mmh::PluginRegistry registry(services);
  const mmh::LoadedPlugin* replay = &mmh::bench::replay_plugin(registry);
  mmh::DataInstance source(*replay, {{"file", mmh::bench::eth_1m_csv()}, {"cache", "off"}});
  for (auto _ : state) benchmark::DoNotOptimize(source.describe());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AbiCallDescribe);

static void BM_LocalCallBaseline(benchmark::State& state) {
  mmh_source_info info{};
  mmh_error err{};
  auto* fn = &local_describe;
  benchmark::DoNotOptimize(fn);
  for (auto _ : state) {
    info.size = sizeof(info);
    benchmark::DoNotOptimize(fn(nullptr, &info, &err));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LocalCallBaseline);
