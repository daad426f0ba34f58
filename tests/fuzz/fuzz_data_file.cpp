// Any bytes as a market data file (plain or gzip), through the replay connector's decoder and
// every CSV parser: each returns or throws mmh::sdk::Error naming the file; nothing else may
// happen (no crash, no hang, no unbounded allocation: the limits below are small on purpose).
#include "csv_series.hpp"
#include "file_bytes.hpp"

#include <mmhost/sdk/plugin.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mmh::replay;
  ReadLimits limits;
  limits.max_text_bytes = 8 << 20;
  limits.ratio_free_bytes = 1 << 20;
  std::string text;
  try {
    text = decode_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv", limits);
  } catch (const mmh::sdk::Error&) {
    return 0;
  }
  try {
    switch (detect_kind(text)) {
      case SeriesKind::candles:
        parse_candle_csv(text, "fuzz.csv");
        break;
      case SeriesKind::trades:
        parse_trade_csv(text, "fuzz.csv");
        break;
      case SeriesKind::depth:
        parse_depth_csv(text, "fuzz.csv").fix_pointers();
        break;
      case SeriesKind::unknown:
        parse_candle_csv(text, "fuzz.csv");
        break;
    }
  } catch (const mmh::sdk::Error&) {
  }
  return 0;
}
