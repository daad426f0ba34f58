// Synthetic 1m candles for the offline main command: seeded, labelled as synthetic in the file,
// with trending and ranging regimes so the structure/BOS core has something to find.
// Not market data; real data comes from `mmhost fetch` or ../shared/data.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace mmh {

struct SampleSpec {
  uint64_t seed = 42;
  int days = 30;
  int64_t start_ms = 1735689600000;  // 2025-01-01T00:00:00Z
  double start_price = 2500.0;
  std::string symbol = "ETHUSDT";
};

// Writes the CSV (comment line, header, rows); returns the number of candles.
uint64_t write_sample_candles(const SampleSpec& spec, std::ostream& out);

}  // namespace mmh
