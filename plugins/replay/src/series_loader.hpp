// Loads a replay series (candles, trades or an L2 book stream) from CSV, candles and trades
// through a binary cache in the host's cache directory (book streams hold pointers between
// records and are parsed each time). The cache is memory-mapped, versioned, named by the CSV's
// canonical path and declared interval, and checked against an XXH3-64 hash of the CSV's bytes,
// CRCs of header and payload, and every record against the parser's rules: a stale, corrupt or
// forged entry is rebuilt, never trusted.
#pragma once

#include "csv_series.hpp"
#include "file_bytes.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mmh::replay {

// 2: keyed by the source's content hash (was size + mtime); 3: path hash XXH3 (was FNV-1a);
// 4: payload and header checked by XXH3-64 (was CRC32: a quarter of the time to open an entry).
inline constexpr uint32_t kCacheFormatVersion = 4;

struct LoadOptions {
  std::string cache_dir;             // empty = no cache
  int64_t declared_interval_ns = 0;  // candles: 0 = infer
  ReadLimits limits;                 // how large a file, and its gzip text, may be
  // A CSV with this much text or more (plain or gzip) is never held whole: a candle or trade
  // file's cache entry is built as the file is read (two passes; in a temporary directory when
  // there is no cache dir or it cannot be written), and the run reads the entry; a book stream is
  // checked in one pass and read again as the run goes. Smaller ones are parsed whole.
  uint64_t stream_from_bytes = uint64_t{8} << 20;
};

// A read-only view of the loaded records; backed by a private memory map or by owned vectors.
class LoadedSeries {
 public:
  LoadedSeries() = default;
  LoadedSeries(const LoadedSeries&) = delete;
  LoadedSeries& operator=(const LoadedSeries&) = delete;
  ~LoadedSeries();

  // MMH_EVENT_CANDLE, MMH_EVENT_TRADE or, for a book stream, MMH_EVENT_BOOK_DELTA; a book
  // stream mixes snapshots and deltas: kind_of(i) tells each record's own kind.
  uint32_t kind() const { return kind_; }
  uint32_t kind_of(size_t i) const { return book_.kinds.empty() ? kind_ : book_.kinds[i]; }
  // All records at once; nullptr for a streamed book (read it with next_batch).
  const void* records() const { return records_; }
  size_t count() const { return count_; }
  // A long book stream is checked whole when loaded and read again as the run goes: its
  // records are never all in memory.
  bool streamed() const { return stream_ != nullptr; }
  int64_t first_ts_ns() const;  // of the first record, the last (0 when there is none)
  int64_t last_ts_ns() const;
  uint32_t record_size() const { return record_size_; }
  const GapStats& gaps() const { return gaps_; }
  // Read from a cache entry that stays for the next run (not a temporary one).
  bool from_cache() const { return map_ != nullptr && !temporary_entry_; }
  // Why the cache was not used ("" when it was, or when caching is off).
  const std::string& cache_note() const { return cache_note_; }
  const std::string& cache_path() const { return cache_path_; }

  // Every record's symbol id: rewritten in place in a parsed series, set as records are read
  // from a cache entry (records_at).
  void set_symbol_id(uint32_t symbol_id);

  // Records [first, first + count) with the symbol id set. A parsed series hands out its own; a
  // cache entry's are copied into `scratch` and the mapping's pages behind them are given back,
  // so reading a series through does not keep it in memory (its length does not matter).
  const void* records_at(size_t first, size_t count, std::vector<char>& scratch);

  // The next run of records of one kind in order, the symbol id set; false after the last. Runs
  // end at every multiple of kBatchRecords too, so a streamed book's batches are its whole
  // parse's. Valid until the next call (the host takes them in turn).
  static constexpr size_t kBatchRecords = 4096;
  bool next_batch(mmh_batch& out);

 private:
  struct BookStream;
  int64_t time_of(size_t i) const;

  friend std::unique_ptr<LoadedSeries> load_series(const std::string& path,
                                                   const LoadOptions& options);
  uint32_t kind_ = 0;
  void* records_ = nullptr;
  size_t count_ = 0;
  uint32_t record_size_ = 0;
  GapStats gaps_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  size_t dropped_until_ = 0;  // bytes of the mapping given back so far (whole pages)
  uint32_t symbol_id_ = 1;
  std::vector<mmh_candle> candles_;
  std::vector<mmh_trade> trades_;
  BookSeries book_;
  std::string cache_note_;
  std::string cache_path_;
  size_t next_ = 0;            // next_batch's place
  std::vector<char> scratch_;  // next_batch's copies of cached records
  std::unique_ptr<BookStream> stream_;
  bool temporary_entry_ = false;  // mapped from an entry whose name is already gone
};

// Throws mmh::sdk::Error (MMH_ERR_IO / MMH_ERR_DATA) with "file:line: what" for bad input.
std::unique_ptr<LoadedSeries> load_series(const std::string& path, const LoadOptions& options);

// Where the cache entry for a CSV lives (exposed for tests that corrupt it on purpose).
std::string cache_file_for(const std::string& canonical_csv_path, const LoadOptions& options);

}  // namespace mmh::replay
