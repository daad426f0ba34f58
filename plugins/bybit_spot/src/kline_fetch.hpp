// `mmhost fetch`: history from /v5/market/kline into a replay candle CSV (PROTOCOL.md §4.1).
// The range is walked in aligned windows of at most `limit` candles (never relying on which end
// Bybit keeps when a window holds more), each page reversed to ascending, de-duplicated by start
// time, the still-open candle dropped. An existing cache is extended: only windows with missing
// bars are requested. The file is replaced atomically (temporary file + fsync + rename) every
// few seconds and at the end, so an interrupted fetch leaves a valid cache that the next run
// resumes from.
#pragma once

#include "rest_client.hpp"
#include "rest_response.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::bybit {

// "1" -> 60000 ... "720", "D", "W". Throws std::invalid_argument listing the valid codes ("M"
// has calendar-month bars, which the fixed-step cache format cannot hold).
int64_t kline_interval_ms(std::string_view code);

// The code of an interval given in ns: 60e9 -> "1", 3600e9 -> "60", 86400e9 -> "D". Throws
// std::invalid_argument naming the intervals Bybit has.
std::string kline_code_for(int64_t interval_ns);

// Inclusive bounds of one request: start_ms and end_ms are bar open times.
struct KlineWindow {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  size_t bars() const;
  int64_t interval_ms = 0;
};

// The windows that cover every bar opening in [start_ms, end_ms) that `have` lacks, each at most
// `limit` bars, in ascending order.
std::vector<KlineWindow> plan_kline_windows(int64_t start_ms, int64_t end_ms, int64_t interval_ms,
                                            int limit, const std::map<int64_t, KlineRow>& have);

struct KlineGap {
  int64_t first_missing_ms = 0;
  int64_t bars = 0;
};
// Runs of bars missing in [start_ms, end_ms).
std::vector<KlineGap> find_kline_gaps(const std::map<int64_t, KlineRow>& rows, int64_t start_ms,
                                      int64_t end_ms, int64_t interval_ms);

// Reads an existing cache (the replay candle format); a missing file is an empty cache. Throws
// std::runtime_error naming file:line for a malformed one, or a bar off the interval's grid.
std::map<int64_t, KlineRow> read_candle_cache(const std::string& path, int64_t interval_ms);
// Writes every row, ascending, atomically.
void write_candle_cache(const std::string& path, const std::map<int64_t, KlineRow>& rows,
                        const std::string& comment);

struct FetchRequest {
  std::string symbol;
  std::string interval;  // Bybit code: 1 3 5 15 30 60 120 240 360 720 D W
  int64_t start_ms = 0;  // first bar open (inclusive)
  int64_t end_ms = 0;    // exclusive
  std::string cache_path;
  int limit = 1000;     // candles per request, 1..1000
  std::string comment;  // first line of the file, after '# '
  int64_t save_every_ms = 2000;
};

struct FetchProgress {
  size_t windows_done = 0;
  size_t windows_total = 0;
  size_t rows_new = 0;
  int64_t last_start_ms = 0;  // newest bar open received so far
};

struct FetchResult {
  size_t rows_before = 0;  // in the cache when the fetch began
  size_t rows_new = 0;     // bars added
  size_t rows_total = 0;   // in the cache now
  size_t windows = 0;      // windows requested (one request each, retries aside)
  size_t unfinished_dropped = 0;
  bool interrupted = false;    // stopped by the caller's flag; the cache holds what arrived
  std::vector<KlineGap> gaps;  // in the requested range, after the fetch
};

// Runs the fetch. Throws BybitError / std::runtime_error after saving what arrived.
boost::asio::awaitable<FetchResult> fetch_klines(RestClient& rest, const FetchRequest& request,
                                                 std::function<void(const FetchProgress&)> progress,
                                                 const std::atomic<bool>* stop);

}  // namespace mmh::bybit
