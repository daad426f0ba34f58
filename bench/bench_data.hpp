// Inputs shared by the benchmarks: the real 90-day 1m ETHUSDT file from ../shared/data.
#pragma once

#include "loader/host_services.hpp"
#include "loader/plugin_loader.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace mmh::bench {

using mmh::LoadedPlugin;
using mmh::PluginRegistry;

inline std::string eth_1m_csv() {
  const std::string path = std::string(MMHOST_BENCH_SHARED_DATA_DIR) +
                           "/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv";
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
    return path;
  }
  std::fprintf(stderr, "benchmark input missing: %s\n", path.c_str());
  std::exit(2);
}

// The in-tree replay plugin from the build's plugin dir; exits when it is missing.
inline const LoadedPlugin& replay_plugin(PluginRegistry& registry) {
  registry.discover({MMHOST_BENCH_HOST_PLUGIN_DIR});
  const LoadedPlugin* replay = registry.find("replay", MMH_KIND_DATA);
  if (replay == nullptr) {
    std::fprintf(stderr, "replay plugin not found in %s\n", MMHOST_BENCH_HOST_PLUGIN_DIR);
    std::exit(2);
  }
  return *replay;
}

}  // namespace mmh::bench
