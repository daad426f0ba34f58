// Hot reload latency: from writing the strategy file to the running core holding the new
// parameters (inotify wake-up, fresh sandboxed Lua state, validation, core reconfigure).
#include "bench_data.hpp"
#include "loader/core_instance.hpp"
#include "lua/script_watch.hpp"
#include "lua/strategy_spec.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace {

std::string strategy(int levels) {
  return "return mmhost.strategy{ core = 'bos_mm',\n"
         "  market = { symbol = 'ETHUSDT', ltf = '1m', htf = '5m' },\n"
         "  grid = { levels = " +
         std::to_string(levels) + ", step_atr = 0.35 },\n  policy = { recovery_bars = 6 },\n}\n";
}

void BM_ReloadLatency(benchmark::State& state) {
  char dir_template[] = "/tmp/mmhost-bench-reload-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string path = dir + "/s.lua";
  std::ofstream(path) << strategy(4);

  mmh::HostServices services;
  mmh::PluginRegistry registry(services);
  registry.discover({MMHOST_BENCH_HOST_PLUGIN_DIR});
  const mmh::LoadedPlugin* plugin = registry.find("bos_mm", MMH_KIND_CORE);
  if (plugin == nullptr) {
    state.SkipWithError("bos_mm plugin not found");
    return;
  }
  auto settings = [](const mmh::StrategySpec& spec) {
    std::map<std::string, std::string> s = {
        {"symbol", spec.symbol}, {"htf_interval", "5m"}, {"ltf_interval", "1m"}};
    for (const auto& [name, value] : spec.core_params) s["param." + name] = value;
    return s;
  };
  mmh::CoreInstance core(*plugin, settings(mmh::load_strategy_spec(path)));
  mmh::ScriptWatch watch({path});

  std::vector<double> latencies_us;
  int levels = 4;
  for (auto _ : state) {
    levels = levels == 4 ? 3 : 4;
    const auto start = std::chrono::steady_clock::now();
    std::ofstream(path) << strategy(levels);  // closed here: IN_CLOSE_WRITE
    while (!watch.poll()) {
    }
    const mmh::StrategySpec spec = mmh::load_strategy_spec(path);
    core.reconfigure(settings(spec));
    latencies_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  state.counters["median_us"] = latencies_us[latencies_us.size() / 2];
  state.counters["p99_us"] = latencies_us[latencies_us.size() * 99 / 100];
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ReloadLatency)->Unit(benchmark::kMicrosecond)->Iterations(2000);

}  // namespace
