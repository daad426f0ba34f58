// Any bytes as a market data file (plain or gzip), through the replay connector's decoder and
// every CSV parser: each returns or throws mmh::sdk::Error naming the file; nothing else may
// happen (no crash, no hang, no unbounded allocation: the limits below are small on purpose).
// Candle and trade text also go through CandleLineParser and TradeLineParser, which must give
// the whole-text parser's records or error exactly (the replay builds long files' caches with
// them). Depth text also goes through DepthLineParser taken from in small slices as lines come,
// which must give parse_depth_csv's updates exactly (a long book stream is read so). Gzip bytes
// also go through GzipStream in small pieces, which must give decode_text's text or error exactly
// (long gzip files are decoded that way).
#include "csv_series.hpp"
#include "file_bytes.hpp"
#include "line_feed.hpp"

#include <mmhost/sdk/plugin.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace mmh::replay;

template <typename Record>
std::string bytes_of(const std::vector<Record>& records) {
  return std::string(reinterpret_cast<const char*>(records.data()),
                     records.size() * sizeof(Record));
}

// A line parser's records as bytes, or its error.
template <typename Record, typename Parser>
std::string line_parser_outcome(Parser& parser, const std::string& text) {
  try {
    return bytes_of(mmh::test::records_by_lines<Record>(parser, text));
  } catch (const mmh::sdk::Error& e) {
    return std::string("error: ") + e.what();
  }
}

std::string bytes_of(const GapStats& gaps) {
  return std::string(reinterpret_cast<const char*>(&gaps), sizeof(gaps));
}

void check_candles(const std::string& text) {
  std::string whole;
  try {
    const CandleSeries s = parse_candle_csv(text, "fuzz.csv");
    whole = bytes_of(s.candles) + bytes_of(s.gaps);
  } catch (const mmh::sdk::Error& e) {
    whole = std::string("error: ") + e.what();
  }
  CandleLineParser parser("fuzz.csv", 0);
  std::string by_lines = line_parser_outcome<mmh_candle>(parser, text);
  if (by_lines.rfind("error: ", 0) != 0) by_lines += bytes_of(parser.gaps());
  if (by_lines != whole) __builtin_trap();
}

void check_trades(const std::string& text) {
  std::string whole;
  try {
    whole = bytes_of(parse_trade_csv(text, "fuzz.csv").trades);
  } catch (const mmh::sdk::Error& e) {
    whole = std::string("error: ") + e.what();
  }
  TradeLineParser parser("fuzz.csv");
  if (line_parser_outcome<mmh_trade>(parser, text) != whole) __builtin_trap();
}

// A book's updates as bytes: each one's kind, fields (pointers aside) and levels.
void append_book(std::string& out, const BookSeries& book) {
  for (size_t i = 0; i < book.updates.size(); ++i) {
    mmh_book_update u = book.updates[i];
    const size_t levels = u.bid_count + u.ask_count;
    out.append(reinterpret_cast<const char*>(&book.kinds[i]), sizeof(book.kinds[i]));
    out.append(reinterpret_cast<const char*>(u.bids), levels * sizeof(mmh_book_level));
    u.bids = u.asks = nullptr;
    out.append(reinterpret_cast<const char*>(&u), sizeof(u));
  }
}

void check_depth(const std::string& text) {
  std::string whole;
  try {
    append_book(whole, parse_depth_csv(text, "fuzz.csv"));
  } catch (const mmh::sdk::Error& e) {
    whole = std::string("error: ") + e.what();
  }
  std::string sliced;
  try {
    DepthLineParser parser("fuzz.csv");
    BookSeries piece;
    size_t n = 0;
    for (const std::string_view line : csv_lines(text)) {
      parser.line(line, ++n);
      piece.clear();
      parser.take(piece, 1 + n % 3);
      append_book(sliced, piece);
    }
    parser.finish(n);
    piece.clear();
    parser.take(piece);
    append_book(sliced, piece);
  } catch (const mmh::sdk::Error& e) {
    sliced = std::string("error: ") + e.what();
  }
  if (sliced != whole) __builtin_trap();
}

// decode_text's text or "error: " and its error, through a GzipStream fed 1 to 64 bytes at a time.
std::string decoded_in_pieces(const std::string& raw, const ReadLimits& limits) {
  std::string text;
  try {
    GzipStream gz("fuzz.csv", raw.size(), limits, 1000);
    auto take = [&](std::string_view piece) { text.append(piece); };
    std::string left;
    for (size_t at = 0, piece = 1; at < raw.size(); at += piece, piece = piece % 64 + 1) {
      left.append(raw, at, piece);
      left.erase(0, gz.feed(left, false, take));
    }
    gz.feed(left, true, take);
  } catch (const mmh::sdk::Error& e) {
    return std::string("error: ") + e.what();
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ReadLimits limits;
  limits.max_text_bytes = 8 << 20;
  limits.ratio_free_bytes = 1 << 20;
  const std::string raw(reinterpret_cast<const char*>(data), size);
  std::string text;
  bool decodes = true;
  try {
    text = decode_text(raw, "fuzz.csv", limits);
  } catch (const mmh::sdk::Error& e) {
    text = std::string("error: ") + e.what();
    decodes = false;
  }
  if (is_gzip(raw) && decoded_in_pieces(raw, limits) != text) __builtin_trap();
  if (!decodes) return 0;
  try {
    switch (detect_kind(text)) {
      case SeriesKind::candles:
        check_candles(text);
        break;
      case SeriesKind::trades:
        check_trades(text);
        break;
      case SeriesKind::depth:
        check_depth(text);
        break;
      case SeriesKind::unknown:
        check_candles(text);
        break;
    }
  } catch (const mmh::sdk::Error&) {
  }
  return 0;
}
