// Any bytes as a market data file (plain or gzip), through the replay connector's decoder and
// every CSV parser: each returns or throws mmh::sdk::Error naming the file; nothing else may
// happen (no crash, no hang, no unbounded allocation: the limits below are small on purpose).
// Candle text also goes through CandleLineParser, which must give parse_candle_csv's candles,
// gaps or error exactly (the replay builds long files' caches with it).
#include "csv_series.hpp"
#include "file_bytes.hpp"

#include <mmhost/sdk/plugin.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace mmh::replay;

// A parse's candles and gaps as bytes, or its error.
std::string outcome_of(const CandleSeries& s) {
  std::string out(reinterpret_cast<const char*>(&s.gaps), sizeof(s.gaps));
  out.append(reinterpret_cast<const char*>(s.candles.data()),
             s.candles.size() * sizeof(mmh_candle));
  return out;
}

// The text cut into lines as the replay's file reader cuts them, through CandleLineParser.
std::string line_parser_outcome(const std::string& text) {
  std::vector<std::string_view> lines;
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at);
    std::string_view line(text.data() + at, (nl == std::string::npos ? text.size() : nl) - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  try {
    CandleLineParser parser("fuzz.csv", 0);
    mmh_candle c{};
    for (size_t i = 0; i < lines.size(); ++i) parser.line(lines[i], i + 1, c);
    parser.start_second_pass(lines.size());
    CandleSeries s;
    for (size_t i = 0; i < lines.size(); ++i)
      if (parser.line(lines[i], i + 1, c)) s.candles.push_back(c);
    s.gaps = parser.gaps();
    return outcome_of(s);
  } catch (const mmh::sdk::Error& e) {
    return std::string("error: ") + e.what();
  }
}

void check_candles(const std::string& text) {
  std::string whole;
  try {
    whole = outcome_of(parse_candle_csv(text, "fuzz.csv"));
  } catch (const mmh::sdk::Error& e) {
    whole = std::string("error: ") + e.what();
  }
  if (line_parser_outcome(text) != whole) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
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
        check_candles(text);
        break;
      case SeriesKind::trades:
        parse_trade_csv(text, "fuzz.csv");
        break;
      case SeriesKind::depth:
        parse_depth_csv(text, "fuzz.csv").fix_pointers();
        break;
      case SeriesKind::unknown:
        check_candles(text);
        break;
    }
  } catch (const mmh::sdk::Error&) {
  }
  return 0;
}
