// Writes a backtest's two large files on a thread of its own, so the run goes on simulating while
// its lines are rendered and written: events.jsonl from the event records the run hands over in
// chunks (app/event_line.hpp), equity.csv from one row of numbers per bar. Bounded: at most
// kQueuedChunks chunks wait, so memory does not grow with the run, and a run faster than its
// disk waits for it.
#pragma once

#include "app/format.hpp"
#include "ledger/amount.hpp"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mmh {

// One equity.csv line's numbers, taken at a bar's close: time, ts_ns, mid, base, quote, equity,
// drawdown_pct and base_share (four places), then the core's per-bar values as they were given.
struct EquityRow {
  int64_t ts_ns = 0;
  int64_t mid_e8 = 0;
  amount_e18 base_e18 = 0;
  amount_e18 quote_e18 = 0;
  amount_e18 equity_e18 = 0;
  double drawdown_pct = 0;
  double base_share = 0;
};

class RunFileWriter {
 public:
  static constexpr size_t kQueuedChunks = 8;
  static constexpr size_t kRowsPerChunk = 4096;

  // Creates (truncates) both files; throws std::runtime_error if one cannot be.
  RunFileWriter(const std::filesystem::path& events_path, const std::filesystem::path& equity_path);
  // Stops the thread; what was not written by close() is dropped (a failed run's files are).
  ~RunFileWriter();
  RunFileWriter(const RunFileWriter&) = delete;
  RunFileWriter& operator=(const RunFileWriter&) = delete;

  // Whole event records, in order: records[0, used), taken without a copy. `records` is swapped
  // with a buffer the writer is done with (its size is its room; what it holds is not the
  // caller's).
  void take_events(std::vector<char>& records, size_t used);
  // Text for equity.csv as it is (its header), after the rows added before it.
  void add_equity_text(std::string_view text);
  // One equity.csv line: the row and the core's values (each after a comma).
  void add_equity_row(const EquityRow& row, const std::vector<std::string>& values);
  // Renders and writes everything added, then ends the thread. Throws std::runtime_error when a
  // file could not be written (disk full) or a chunk was not records.
  void close();

 private:
  enum class Kind { events, equity_text, equity_rows };
  struct Chunk {
    Kind kind = Kind::events;
    std::string bytes;          // text, or the rows' values (",v1,v2" each, in row order)
    std::vector<char> records;  // events: whole records in [0, records_used)
    size_t records_used = 0;
    std::vector<EquityRow> rows;
    std::vector<uint32_t> values_end;  // per row: where its values end in `bytes`
  };
  void queue(Chunk&& chunk);
  Chunk spare_chunk(Kind kind);  // a written chunk to reuse, emptied (lock held)
  void queue_rows();             // the rows gathered so far, as one chunk
  void run();
  void render_rows(const Chunk& chunk, std::string& out);

  std::ofstream events_;
  std::ofstream equity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> queued_;  // oldest first
  std::vector<Chunk> spare_;  // written chunks, reused
  Chunk rows_;                // equity rows not queued yet (the run's thread only)
  bool closing_ = false;
  std::string error_;  // the thread's first failure
  // The writing thread's: holdings change only with fills, and equity, drawdown and base share
  // stand still while the run holds no base (most of an idle run's rows), so their texts are
  // kept until they change (exact decimals cost two 128-bit divisions each).
  KeptText<amount_e18, kE18MaxChars> base_text_, quote_text_, equity_text_;
  KeptText<uint64_t, kFixed4MaxChars> drawdown_text_, share_text_;  // "%.4f" of the bits
  std::thread thread_;
};

}  // namespace mmh
