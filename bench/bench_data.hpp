// Inputs shared by the benchmarks: the real 90-day 1m ETHUSDT file from ../shared/data.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace mmh::bench {

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

}  // namespace mmh::bench
