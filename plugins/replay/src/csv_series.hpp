// Parsing and validation of the replay CSV formats (the format of ../shared/data and of the
// `mmhost fetch` cache):
//   candles: ts_ms,open,high,low,close,volume   (ts_ms = bar open time, UTC epoch ms)
//   trades:  ts_ms,price,qty,side               (side = taker side, buy|sell)
//   depth:   local_ts_ns,exch_ts_ms,kind,side,price,qty,first_update_id,last_update_id
//            (L2 book: kind S = snapshot row, D = delta row; side b|a; qty is the level's new
//            absolute size, 0 removes it; rows of one message share kind and update ids)
// Leading lines starting with '#' are comments (used to label generated data). Every error names
// source:line and what was wrong; nothing partial is returned.
#pragma once

#include <mmhost/plugin.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::replay {

inline constexpr std::string_view kCandleHeader = "ts_ms,open,high,low,close,volume";
inline constexpr std::string_view kTradeHeader = "ts_ms,price,qty,side";
inline constexpr std::string_view kDepthHeader =
    "local_ts_ns,exch_ts_ms,kind,side,price,qty,first_update_id,last_update_id";

enum class SeriesKind { unknown, candles, trades, depth };

// Which format a file holds, by its header (after comment lines).
SeriesKind detect_kind(std::string_view text);

struct GapStats {
  int64_t interval_ns = 0;    // candles: inferred or declared bar interval
  uint64_t gap_count = 0;     // runs of missing bars
  uint64_t missing_bars = 0;  // bars missing across all gaps
  int64_t largest_gap_ns = 0;
};

struct CandleSeries {
  std::vector<mmh_candle> candles;
  GapStats gaps;
};

struct TradeSeries {
  std::vector<mmh_trade> trades;
};

// expected_interval_ns = 0 infers the interval as the smallest step between bars.
CandleSeries parse_candle_csv(std::string_view text, const std::string& source_name,
                              int64_t expected_interval_ns = 0);

// A text's lines as the whole-text parsers read them (at '\n', one trailing '\r' off, none after
// a final '\n'): the cut a file reader feeding the line parsers below must make.
std::vector<std::string_view> csv_lines(std::string_view text);

// The line rules every CSV shares, for parsers fed a file's lines as they come: comment lines
// before the header, the header itself, and an empty line that ends the data only when nothing
// but blank lines follows it (the whole-text parsers' rules, with their errors).
class CsvLineGate {
 public:
  CsvLineGate(std::string source_name, std::string_view header);
  // True when the line is a data row.
  bool admit(std::string_view line, size_t line_number);
  // After the last line (numbered `lines`) with `rows` data rows: throws as the whole-text parser
  // would for no header or no rows ("no <what> after the header"). Then ready to start again.
  void finish(size_t lines, size_t rows, const char* what);
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::string_view header_;
  bool header_seen_ = false;
  size_t blank_line_ = 0;  // an empty line seen: only blank ones may follow it
};

// parse_candle_csv as the file's lines come, for a file too long to hold: two passes, each fed
// every line in order (its '\n' and one trailing '\r' removed, numbered from 1). The first checks
// each row on its own and the order of their times, and infers the interval; the second
// (start_second_pass) also checks every row against the interval, stamps it and counts gaps. The
// same errors, in the same order, as parse_candle_csv.
class CandleLineParser {
 public:
  CandleLineParser(std::string source_name, int64_t expected_interval_ns);
  // Returns true with `out` filled when the line is a candle row.
  bool line(std::string_view line, size_t line_number, mmh_candle& out);
  // After the first pass's last line (numbered `lines`): throws for no header or no rows, fixes
  // the interval. Then the lines again from the first.
  void start_second_pass(size_t lines);
  const GapStats& gaps() const { return gaps_; }  // after the second pass
  size_t rows() const { return rows_; }

 private:
  CsvLineGate gate_;
  int64_t expected_interval_ns_;
  bool second_pass_ = false;
  size_t rows_ = 0;
  size_t first_row_line_ = 0;
  int64_t previous_ts_ms_ = 0;
  int64_t min_step_ms_ = 0;
  int64_t previous_open_ns_ = 0;
  GapStats gaps_;
};

TradeSeries parse_trade_csv(std::string_view text, const std::string& source_name);

// parse_trade_csv as the file's lines come, in the shape of CandleLineParser (two passes: the
// first finds every error, the second gives the trades; a trade tape needs no interval).
// parse_trade_csv is its first pass fed a whole text, so the two cannot differ.
class TradeLineParser {
 public:
  explicit TradeLineParser(std::string source_name);
  bool line(std::string_view line, size_t line_number, mmh_trade& out);
  void start_second_pass(size_t lines);
  size_t rows() const { return rows_; }

 private:
  CsvLineGate gate_;
  bool second_pass_ = false;
  size_t rows_ = 0;
  int64_t previous_ts_ms_ = 0;
};

// An L2 book stream: one mmh_book_update per exchange message, its levels in `levels` (bids then
// asks). Times: a delta is stamped with its exchange time (ms); a snapshot carries none, so it
// gets its local receive time moved by the exchange-local clock offset of the first delta, which
// puts book and trade tape (exchange times) on one clock. Times never go back (a later message
// is stamped no earlier than the one before it). Deltas must chain (first_update_id = previous
// last_update_id + 1, Binance spot's rule); deltas older than the snapshot are dropped.
struct BookSeries {
  std::vector<mmh_book_update> updates;  // bids/asks pointers set by fix_pointers()
  std::vector<uint32_t> kinds;           // MMH_EVENT_BOOK_SNAPSHOT or MMH_EVENT_BOOK_DELTA
  std::vector<mmh_book_level> levels;
  // Points every update at its levels (after `levels` stopped growing or was moved).
  void fix_pointers();
  void clear();

 private:
  friend class DepthLineParser;
  std::vector<size_t> first_level_;  // index of each update's first bid in `levels`
};

BookSeries parse_depth_csv(std::string_view text, const std::string& source_name);

// parse_depth_csv as the file's lines come (each once, in order, numbered from 1), for a stream
// too long to hold: a message comes out when the next one starts, and is final once no snapshot
// before it waits for the first delta's time. parse_depth_csv is this fed a whole text: the same
// updates and the same errors, in the same order.
class DepthLineParser {
 public:
  explicit DepthLineParser(std::string source_name);
  void line(std::string_view line, size_t line_number);
  // After the last line (numbered `lines`): closes the last message, every update is final;
  // throws as parse_depth_csv would for no header or no rows.
  void finish(size_t lines);
  // Updates final and not yet taken.
  size_t ready() const;
  // Appends the final updates, at most `max_count`, to `out` (times made monotonic, pointers
  // fixed) and forgets them.
  void take(BookSeries& out, size_t max_count = SIZE_MAX);

 private:
  void close_message();

  struct Message {
    bool open = false;
    bool snapshot = false;
    int64_t local_ns = 0;
    int64_t exch_ms = 0;
    uint64_t first_id = 0;
    uint64_t last_id = 0;
    size_t line = 0;
    std::vector<mmh_book_level> bids, asks;
  };
  CsvLineGate gate_;
  Message msg_;
  size_t rows_ = 0;
  bool have_snapshot_ = false;
  uint64_t snapshot_id_ = 0;
  uint64_t last_applied_id_ = 0;        // 0: no delta applied since the snapshot
  size_t pending_snapshot_ = SIZE_MAX;  // in held_: a snapshot waiting for a delta's clock offset
  BookSeries held_;                     // closed messages not yet taken
  int64_t last_ts_ns_ = INT64_MIN;      // of the last update taken: times never go back
};

// Prices above this (10^9 in units of 1e-8) are refused as implausible: sums and notionals of
// such prices would overflow the host's 64-bit fixed point.
inline constexpr int64_t kMaxPriceE8 = int64_t{1'000'000'000} * MMH_E8;

// Why a record could not have come from the parsers above (nullptr when it could); `previous`
// is the record before it, nullptr for the first. The binary cache checks every record it maps.
const char* candle_problem(const mmh_candle& c, const mmh_candle* previous, int64_t interval_ns);
const char* trade_problem(const mmh_trade& t, const mmh_trade* previous);
// Gaps of a candle series (runs of missing bars), as parse_candle_csv counts them.
GapStats candle_gaps(const mmh_candle* candles, size_t count, int64_t interval_ns);

}  // namespace mmh::replay
