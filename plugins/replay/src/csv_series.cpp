#include "csv_series.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/plugin.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

namespace mmh::replay {
namespace {

using sdk::kNsPerMs;
constexpr const char* kMaxPriceText = "1000000000 (not a plausible price)";

// Walks the text line by line, skipping leading '#' comments, keeping the 1-based line number.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    const char* begin = text_.data() + pos_;
    const void* nl = std::memchr(begin, '\n', text_.size() - pos_);
    size_t len =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - begin) : text_.size() - pos_;
    pos_ += len + (nl ? 1 : 0);
    if (len > 0 && begin[len - 1] == '\r') --len;
    line = std::string_view(begin, len);
    ++line_number_;
    return true;
  }
  // True when only whitespace remains (a trailing blank line is allowed, nothing else).
  bool only_blank_left() const {
    for (size_t i = pos_; i < text_.size(); ++i)
      if (text_[i] != '\n' && text_[i] != '\r' && text_[i] != ' ') return false;
    return true;
  }
  size_t line_number() const { return line_number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_number_ = 0;
};

[[noreturn]] void fail(const std::string& source, size_t line, const std::string& what) {
  throw sdk::Error(MMH_ERR_DATA, source + ":" + std::to_string(line) + ": " + what);
}

std::string quoted(std::string_view s) {
  constexpr size_t kMax = 60;
  std::string out = "'";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  return out + "'";
}

// Reads the header (skipping comments); returns false for an empty text.
bool read_header(LineReader& reader, std::string_view& header) {
  while (reader.next(header)) {
    if (!header.empty() && header.front() == '#') continue;
    return true;
  }
  return false;
}

// Splits a line into exactly N fields at commas; returns the number of fields found.
template <size_t N>
size_t split_fields(std::string_view line, std::string_view (&fields)[N]) {
  size_t count = 0;
  const char* p = line.data();
  const char* end = p + line.size();
  for (;;) {
    const void* comma = std::memchr(p, ',', static_cast<size_t>(end - p));
    const char* stop = comma ? static_cast<const char*>(comma) : end;
    if (count < N) fields[count] = std::string_view(p, static_cast<size_t>(stop - p));
    ++count;
    if (!comma) break;
    p = stop + 1;
  }
  return count;
}

int64_t parse_ts_ms(std::string_view field, const std::string& source, size_t line) {
  int64_t ts_ms = 0;
  const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), ts_ms);
  if (ec != std::errc() || ptr != field.data() + field.size() || field.empty())
    fail(source, line,
         "column 'ts_ms': expected an integer (epoch milliseconds), got " + quoted(field));
  if (ts_ms <= 0 || ts_ms > INT64_MAX / kNsPerMs)
    fail(source, line,
         "column 'ts_ms': " + std::to_string(ts_ms) + " is not a plausible epoch time in ms");
  return ts_ms;
}

int64_t parse_value(std::string_view field, const char* column, const std::string& source,
                    size_t line) {
  int64_t v = 0;
  const sdk::ParseDecimal r = sdk::parse_e8(field, v);
  if (r != sdk::ParseDecimal::ok)
    fail(source, line,
         std::string("column '") + column + "': " + sdk::describe(r) + " (" + quoted(field) + ")");
  return v;
}

void check_header(std::string_view header, std::string_view expected, const std::string& source,
                  size_t line) {
  if (header != expected)
    fail(source, line,
         "bad header: expected '" + std::string(expected) + "', got another line of " +
             std::to_string(std::count(header.begin(), header.end(), ',') + 1) +
             " columns (not shown: nothing of a file that is not market data is echoed)");
}

}  // namespace

std::vector<std::string_view> csv_lines(std::string_view text) {
  LineReader reader(text);
  std::vector<std::string_view> lines;
  for (std::string_view line; reader.next(line);) lines.push_back(line);
  return lines;
}

SeriesKind detect_kind(std::string_view text) {
  LineReader reader(text);
  std::string_view header;
  if (!read_header(reader, header)) return SeriesKind::unknown;
  if (header == kCandleHeader) return SeriesKind::candles;
  if (header == kTradeHeader) return SeriesKind::trades;
  if (header == kDepthHeader) return SeriesKind::depth;
  return SeriesKind::unknown;
}

namespace {

// One candle row's own rules (not its time against the others'); the candle without its interval.
mmh_candle parse_candle_row(std::string_view line, const std::string& source, size_t n) {
  std::string_view f[6];
  const size_t columns = split_fields(line, f);
  if (columns != 6)
    fail(source, n,
         "expected 6 columns (" + std::string(kCandleHeader) + "), got " + std::to_string(columns));
  const int64_t ts_ms = parse_ts_ms(f[0], source, n);
  mmh_candle c{};
  c.open_ts_ns = ts_ms * kNsPerMs;
  c.open_e8 = parse_value(f[1], "open", source, n);
  c.high_e8 = parse_value(f[2], "high", source, n);
  c.low_e8 = parse_value(f[3], "low", source, n);
  c.close_e8 = parse_value(f[4], "close", source, n);
  c.volume_e8 = parse_value(f[5], "volume", source, n);
  if (c.low_e8 <= 0) fail(source, n, "prices must be positive, low is " + std::string(f[3]));
  if (c.high_e8 > kMaxPriceE8)
    fail(source, n, "high " + std::string(f[2]) + " is above " + kMaxPriceText);
  if (c.volume_e8 < 0) fail(source, n, "volume must not be negative, got " + std::string(f[5]));
  if (c.high_e8 < c.low_e8)
    fail(source, n, "high " + std::string(f[2]) + " is below low " + std::string(f[3]));
  if (c.open_e8 < c.low_e8 || c.open_e8 > c.high_e8)
    fail(source, n,
         "open " + std::string(f[1]) + " is outside [low " + std::string(f[3]) + ", high " +
             std::string(f[2]) + "]");
  if (c.close_e8 < c.low_e8 || c.close_e8 > c.high_e8)
    fail(source, n,
         "close " + std::string(f[4]) + " is outside [low " + std::string(f[3]) + ", high " +
             std::string(f[2]) + "]");
  return c;
}

// A row's time after the previous row's (0: none yet); the smallest step so far kept.
void check_after(int64_t ts_ms, int64_t previous_ts_ms, int64_t& min_step_ms,
                 const std::string& source, size_t n) {
  if (previous_ts_ms == 0) return;
  if (ts_ms <= previous_ts_ms)
    fail(source, n,
         "timestamp " + std::to_string(ts_ms) + " is not after the previous row's " +
             std::to_string(previous_ts_ms) + " (timestamps must strictly increase)");
  const int64_t step = ts_ms - previous_ts_ms;
  if (min_step_ms == 0 || step < min_step_ms) min_step_ms = step;
}

// The interval of the series: the declared one, else the smallest step.
int64_t series_interval(int64_t expected_interval_ns, int64_t min_step_ms,
                        const std::string& source, size_t first_row_line) {
  if (expected_interval_ns != 0) return expected_interval_ns;
  if (min_step_ms == 0)
    fail(source, first_row_line, "cannot infer the bar interval from a single candle; declare it");
  return min_step_ms * kNsPerMs;
}

// Alignment: every bar opens on a multiple of the interval; a longer step is a gap.
void check_on_interval(const mmh_candle& c, int64_t previous_open_ns, int64_t interval_ns,
                       const std::string& source, size_t n) {
  if (c.open_ts_ns % interval_ns != 0)
    fail(source, n,
         "timestamp " + std::to_string(c.open_ts_ns / kNsPerMs) + " is not aligned to the " +
             sdk::format_interval(interval_ns) + " interval");
  if (previous_open_ns == 0) return;
  const int64_t step = c.open_ts_ns - previous_open_ns;
  if (step % interval_ns != 0)
    fail(source, n,
         "step of " + std::to_string(step / kNsPerMs) +
             " ms from the previous bar is not a multiple of the " +
             sdk::format_interval(interval_ns) + " interval");
}

void add_step(GapStats& gaps, int64_t step_ns) {
  if (step_ns <= gaps.interval_ns) return;
  ++gaps.gap_count;
  gaps.missing_bars += static_cast<uint64_t>(step_ns / gaps.interval_ns - 1);
  gaps.largest_gap_ns = std::max(gaps.largest_gap_ns, step_ns - gaps.interval_ns);
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \r") == std::string_view::npos;
}

// One trade row, its time not before the previous row's (kept in `previous_ts_ms`).
mmh_trade parse_trade_row(std::string_view line, const std::string& source, size_t n,
                          int64_t& previous_ts_ms) {
  std::string_view f[4];
  const size_t columns = split_fields(line, f);
  if (columns != 4)
    fail(source, n,
         "expected 4 columns (" + std::string(kTradeHeader) + "), got " + std::to_string(columns));
  const int64_t ts_ms = parse_ts_ms(f[0], source, n);
  if (ts_ms < previous_ts_ms)
    fail(source, n,
         "timestamp " + std::to_string(ts_ms) + " goes back from the previous row's " +
             std::to_string(previous_ts_ms));
  previous_ts_ms = ts_ms;
  mmh_trade t{};
  t.ts_ns = ts_ms * kNsPerMs;
  t.price_e8 = parse_value(f[1], "price", source, n);
  t.qty_e8 = parse_value(f[2], "qty", source, n);
  if (t.price_e8 <= 0) fail(source, n, "price must be positive, got " + std::string(f[1]));
  if (t.price_e8 > kMaxPriceE8)
    fail(source, n, "price " + std::string(f[1]) + " is above " + kMaxPriceText);
  if (t.qty_e8 <= 0) fail(source, n, "qty must be positive, got " + std::string(f[2]));
  if (f[3] == "buy" || f[3] == "Buy") {
    t.taker_side = MMH_SIDE_BUY;
  } else if (f[3] == "sell" || f[3] == "Sell") {
    t.taker_side = MMH_SIDE_SELL;
  } else {
    fail(source, n, "column 'side': expected buy or sell, got " + quoted(f[3]));
  }
  return t;
}

[[noreturn]] void fail_no_header(const std::string& source, std::string_view header) {
  fail(source, 1, "empty file: expected the header '" + std::string(header) + "'");
}

}  // namespace

CandleSeries parse_candle_csv(std::string_view text, const std::string& source,
                              int64_t expected_interval_ns) {
  LineReader reader(text);
  std::string_view line;
  if (!read_header(reader, line)) fail_no_header(source, kCandleHeader);
  check_header(line, kCandleHeader, source, reader.line_number());

  CandleSeries series;
  // ~45 bytes per row in the shared files; reserving avoids regrowth on the hot parse path.
  series.candles.reserve(text.size() / 40 + 1);
  std::vector<uint32_t> line_of_row;  // only for error messages in the second pass
  line_of_row.reserve(series.candles.capacity());
  int64_t previous_ts_ms = 0;
  int64_t min_step_ms = 0;
  while (reader.next(line)) {
    const size_t n = reader.line_number();
    if (line.empty()) {
      if (reader.only_blank_left()) break;
      fail(source, n, "empty line inside the data");
    }
    const mmh_candle c = parse_candle_row(line, source, n);
    const int64_t ts_ms = c.open_ts_ns / kNsPerMs;
    check_after(ts_ms, previous_ts_ms, min_step_ms, source, n);
    previous_ts_ms = ts_ms;
    series.candles.push_back(c);
    line_of_row.push_back(static_cast<uint32_t>(n));
  }

  if (series.candles.empty()) fail(source, reader.line_number() + 1, "no candles after the header");
  const int64_t interval_ns =
      series_interval(expected_interval_ns, min_step_ms, source, line_of_row.front());
  for (size_t i = 0; i < series.candles.size(); ++i) {
    mmh_candle& c = series.candles[i];
    c.interval_ns = interval_ns;
    check_on_interval(c, i > 0 ? series.candles[i - 1].open_ts_ns : 0, interval_ns, source,
                      line_of_row[i]);
  }
  series.gaps = candle_gaps(series.candles.data(), series.candles.size(), interval_ns);
  return series;
}

CsvLineGate::CsvLineGate(std::string source_name, std::string_view header)
    : source_(std::move(source_name)), header_(header) {}

bool CsvLineGate::admit(std::string_view line, size_t n) {
  if (!header_seen_) {
    if (!line.empty() && line.front() == '#') return false;
    check_header(line, header_, source_, n);
    header_seen_ = true;
    return false;
  }
  if (blank_line_ != 0) {
    if (is_blank(line)) return false;
    fail(source_, blank_line_, "empty line inside the data");
  }
  if (line.empty()) {
    blank_line_ = n;
    return false;
  }
  return true;
}

void CsvLineGate::finish(size_t lines, size_t rows, const char* what) {
  if (!header_seen_) fail_no_header(source_, header_);
  // Where the whole-text parser stops reading: the empty line that ends the data, or the last.
  if (rows == 0)
    fail(source_, (blank_line_ != 0 ? blank_line_ : lines) + 1,
         std::string("no ") + what + " after the header");
  header_seen_ = false;
  blank_line_ = 0;
}

CandleLineParser::CandleLineParser(std::string source_name, int64_t expected_interval_ns)
    : gate_(std::move(source_name), kCandleHeader), expected_interval_ns_(expected_interval_ns) {}

bool CandleLineParser::line(std::string_view line, size_t n, mmh_candle& c) {
  if (!gate_.admit(line, n)) return false;
  const std::string& source = gate_.source();
  c = parse_candle_row(line, source, n);
  const int64_t ts_ms = c.open_ts_ns / kNsPerMs;
  // Checked again in the second pass: a source changed since fails here or by its hash.
  check_after(ts_ms, previous_ts_ms_, min_step_ms_, source, n);
  previous_ts_ms_ = ts_ms;
  if (!second_pass_) {
    if (rows_++ == 0) first_row_line_ = n;
    return true;
  }
  c.interval_ns = gaps_.interval_ns;
  check_on_interval(c, previous_open_ns_, gaps_.interval_ns, source, n);
  if (previous_open_ns_ != 0) add_step(gaps_, c.open_ts_ns - previous_open_ns_);
  previous_open_ns_ = c.open_ts_ns;
  return true;
}

void CandleLineParser::start_second_pass(size_t lines) {
  gate_.finish(lines, rows_, "candles");
  gaps_ = GapStats{};
  gaps_.interval_ns =
      series_interval(expected_interval_ns_, min_step_ms_, gate_.source(), first_row_line_);
  second_pass_ = true;
  previous_ts_ms_ = 0;
  min_step_ms_ = 0;
  previous_open_ns_ = 0;
}

TradeLineParser::TradeLineParser(std::string source_name)
    : gate_(std::move(source_name), kTradeHeader) {}

bool TradeLineParser::line(std::string_view line, size_t n, mmh_trade& t) {
  if (!gate_.admit(line, n)) return false;
  t = parse_trade_row(line, gate_.source(), n, previous_ts_ms_);
  if (!second_pass_) ++rows_;
  return true;
}

void TradeLineParser::start_second_pass(size_t lines) {
  gate_.finish(lines, rows_, "trades");
  second_pass_ = true;
  previous_ts_ms_ = 0;
}

TradeSeries parse_trade_csv(std::string_view text, const std::string& source) {
  // The line parser's first pass already gives every trade (a tape needs no interval).
  TradeLineParser parser(source);
  TradeSeries series;
  series.trades.reserve(text.size() / 36 + 1);
  LineReader reader(text);
  mmh_trade t{};
  for (std::string_view line; reader.next(line);)
    if (parser.line(line, reader.line_number(), t)) series.trades.push_back(t);
  parser.start_second_pass(reader.line_number());  // no header, no rows: its error
  return series;
}

}  // namespace mmh::replay

namespace mmh::replay {
namespace {

uint64_t parse_u64(std::string_view field, const char* column, const std::string& source,
                   size_t line) {
  uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (ec != std::errc() || ptr != field.data() + field.size() || field.empty())
    fail(source, line,
         std::string("column '") + column + "': expected a non-negative integer, got " +
             quoted(field));
  return v;
}

}  // namespace

void BookSeries::fix_pointers() {
  for (size_t i = 0; i < updates.size(); ++i) {
    mmh_book_update& u = updates[i];
    u.bids = levels.data() + first_level_[i];
    u.asks = u.bids + u.bid_count;
  }
}

void BookSeries::clear() {
  updates.clear();
  kinds.clear();
  levels.clear();
  first_level_.clear();
}

DepthLineParser::DepthLineParser(std::string source_name)
    : gate_(std::move(source_name), kDepthHeader) {}

void DepthLineParser::close_message() {
  Message& msg = msg_;
  if (!msg.open) return;
  const std::string& source = gate_.source();
  msg.open = false;
  if (msg.snapshot) {
    have_snapshot_ = true;
    snapshot_id_ = msg.last_id;
    last_applied_id_ = 0;
  } else {
    if (!have_snapshot_) fail(source, msg.line, "a delta before any snapshot (kind S rows)");
    if (msg.last_id <= snapshot_id_) return;  // older than the snapshot: already in it
    if (last_applied_id_ == 0) {
      if (msg.first_id > snapshot_id_ + 1)
        fail(source, msg.line,
             "the first delta after the snapshot starts at update id " +
                 std::to_string(msg.first_id) + ", past the snapshot's " +
                 std::to_string(snapshot_id_) + " + 1: updates are missing");
    } else if (msg.first_id != last_applied_id_ + 1) {
      fail(source, msg.line,
           "update ids jump from " + std::to_string(last_applied_id_) + " to " +
               std::to_string(msg.first_id) +
               ": a gap in the stream (the book would be wrong after it)");
    }
    last_applied_id_ = msg.last_id;
  }
  mmh_book_update u{};
  u.update_id = msg.last_id;
  u.bid_count = static_cast<uint32_t>(msg.bids.size());
  u.ask_count = static_cast<uint32_t>(msg.asks.size());
  if (msg.snapshot) {
    u.ts_ns = msg.local_ns;
    pending_snapshot_ = held_.updates.size();
  } else {
    u.ts_ns = msg.exch_ms * kNsPerMs;
    if (pending_snapshot_ != SIZE_MAX) {
      mmh_book_update& snap = held_.updates[pending_snapshot_];
      snap.ts_ns = std::min(u.ts_ns, snap.ts_ns + (u.ts_ns - msg.local_ns));
      pending_snapshot_ = SIZE_MAX;
    }
  }
  held_.first_level_.push_back(held_.levels.size());
  held_.levels.insert(held_.levels.end(), msg.bids.begin(), msg.bids.end());
  held_.levels.insert(held_.levels.end(), msg.asks.begin(), msg.asks.end());
  held_.updates.push_back(u);
  held_.kinds.push_back(msg.snapshot ? MMH_EVENT_BOOK_SNAPSHOT : MMH_EVENT_BOOK_DELTA);
}

void DepthLineParser::line(std::string_view line, size_t n) {
  if (!gate_.admit(line, n)) return;
  const std::string& source = gate_.source();
  ++rows_;
  std::string_view f[8];
  const size_t columns = split_fields(line, f);
  if (columns != 8)
    fail(source, n,
         "expected 8 columns (" + std::string(kDepthHeader) + "), got " + std::to_string(columns));
  const auto local_ns = static_cast<int64_t>(parse_u64(f[0], "local_ts_ns", source, n));
  const auto exch_ms = static_cast<int64_t>(parse_u64(f[1], "exch_ts_ms", source, n));
  if (f[2] != "S" && f[2] != "D")
    fail(source, n, "column 'kind': expected S (snapshot) or D (delta), got " + quoted(f[2]));
  if (f[3] != "b" && f[3] != "a")
    fail(source, n, "column 'side': expected b (bid) or a (ask), got " + quoted(f[3]));
  const bool snapshot = f[2] == "S";
  if (!snapshot && (exch_ms <= 0 || exch_ms > INT64_MAX / kNsPerMs))
    fail(source, n, "column 'exch_ts_ms': a delta needs its exchange time in epoch ms");
  mmh_book_level level{parse_value(f[4], "price", source, n), parse_value(f[5], "qty", source, n)};
  if (level.price_e8 <= 0) fail(source, n, "price must be positive, got " + std::string(f[4]));
  if (level.price_e8 > kMaxPriceE8)
    fail(source, n, "price " + std::string(f[4]) + " is above " + kMaxPriceText);
  if (level.qty_e8 < 0) fail(source, n, "qty must not be negative, got " + std::string(f[5]));
  const uint64_t first_id = parse_u64(f[6], "first_update_id", source, n);
  const uint64_t last_id = parse_u64(f[7], "last_update_id", source, n);
  if (first_id > last_id)
    fail(source, n,
         "first_update_id " + std::to_string(first_id) + " > last_update_id " +
             std::to_string(last_id));
  Message& msg = msg_;
  if (!msg.open || msg.snapshot != snapshot || msg.last_id != last_id || msg.first_id != first_id) {
    close_message();
    msg.open = true;
    msg.snapshot = snapshot;
    msg.local_ns = local_ns;
    msg.exch_ms = exch_ms;
    msg.first_id = first_id;
    msg.last_id = last_id;
    msg.line = n;
    msg.bids.clear();
    msg.asks.clear();
  }
  (f[3] == "b" ? msg.bids : msg.asks).push_back(level);
}

void DepthLineParser::finish(size_t lines) {
  close_message();
  gate_.finish(lines, rows_, "book rows");
  pending_snapshot_ = SIZE_MAX;  // no delta came after it: its local time stands
}

size_t DepthLineParser::ready() const {
  return pending_snapshot_ == SIZE_MAX ? held_.updates.size() : pending_snapshot_;
}

void DepthLineParser::take(BookSeries& out, size_t max_count) {
  const size_t n = std::min(ready(), max_count);
  if (n == 0) return;
  // One clock that never goes back: the merge with other streams relies on it.
  for (size_t i = 0; i < n; ++i) {
    int64_t& ts = held_.updates[i].ts_ns;
    ts = std::max(ts, last_ts_ns_);
    last_ts_ns_ = ts;
  }
  if (out.updates.empty() && n == held_.updates.size()) {
    std::swap(out, held_);  // the whole text at once: nothing to copy
    held_.clear();
  } else {
    const size_t level_end = n < held_.updates.size() ? held_.first_level_[n] : held_.levels.size();
    for (size_t i = 0; i < n; ++i)
      out.first_level_.push_back(out.levels.size() + held_.first_level_[i]);
    // The first `count` of `from` to the end of `to`.
    auto move_front = [](auto& from, size_t count, auto& to) {
      const auto end = from.begin() + static_cast<std::ptrdiff_t>(count);
      to.insert(to.end(), from.begin(), end);
      from.erase(from.begin(), end);
    };
    move_front(held_.levels, level_end, out.levels);
    move_front(held_.updates, n, out.updates);
    move_front(held_.kinds, n, out.kinds);
    held_.first_level_.erase(held_.first_level_.begin(),
                             held_.first_level_.begin() + static_cast<std::ptrdiff_t>(n));
    for (size_t& first : held_.first_level_) first -= level_end;
    if (pending_snapshot_ != SIZE_MAX) pending_snapshot_ -= n;
  }
  out.fix_pointers();
}

BookSeries parse_depth_csv(std::string_view text, const std::string& source) {
  DepthLineParser parser(source);
  LineReader reader(text);
  for (std::string_view line; reader.next(line);) parser.line(line, reader.line_number());
  parser.finish(reader.line_number());
  BookSeries series;
  parser.take(series);
  return series;
}

}  // namespace mmh::replay

namespace mmh::replay {

const char* candle_problem(const mmh_candle& c, const mmh_candle* previous, int64_t interval_ns) {
  if (interval_ns <= 0 || interval_ns % kNsPerMs != 0) return "bad interval";
  if (c.interval_ns != interval_ns) return "interval differs from the series'";
  if (c.open_ts_ns <= 0 || c.open_ts_ns % interval_ns != 0) return "time not on the interval";
  if (previous != nullptr && c.open_ts_ns <= previous->open_ts_ns) return "time does not increase";
  if (c.low_e8 <= 0 || c.high_e8 > kMaxPriceE8 || c.high_e8 < c.low_e8) return "bad low/high";
  if (c.open_e8 < c.low_e8 || c.open_e8 > c.high_e8) return "open outside low/high";
  if (c.close_e8 < c.low_e8 || c.close_e8 > c.high_e8) return "close outside low/high";
  if (c.volume_e8 < 0) return "negative volume";
  if (c.flags != 0) return "flags set";
  return nullptr;
}

const char* trade_problem(const mmh_trade& t, const mmh_trade* previous) {
  if (t.ts_ns <= 0 || t.ts_ns % kNsPerMs != 0) return "bad time";
  if (previous != nullptr && t.ts_ns < previous->ts_ns) return "time goes back";
  if (t.price_e8 <= 0 || t.price_e8 > kMaxPriceE8) return "bad price";
  if (t.qty_e8 <= 0) return "bad quantity";
  if (t.taker_side != MMH_SIDE_BUY && t.taker_side != MMH_SIDE_SELL) return "bad side";
  if (t.trade_id != 0) return "trade id set";
  return nullptr;
}

GapStats candle_gaps(const mmh_candle* candles, size_t count, int64_t interval_ns) {
  GapStats gaps;
  gaps.interval_ns = interval_ns;
  for (size_t i = 1; i < count; ++i)
    add_step(gaps, candles[i].open_ts_ns - candles[i - 1].open_ts_ns);
  return gaps;
}

}  // namespace mmh::replay
