// The journal of a wall-clock run (paced replay, paper, live): every input as it was received
// (market data, order updates, fills, balances) with the exchange's and the local time, every
// order intent and every decision. Append-only binary files in RUN_DIR/journal/, one per UTC
// day (YYYY-MM-DD.mmj), each with a versioned header; every record carries a CRC-32, so a torn
// tail after a crash is found and cut, never misread. Order intents reach the disk (fdatasync)
// before the request is sent. Format: docs/journal.md, ADR 0026.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mmh {

class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Record kinds: the ABI's event kinds (MMH_EVENT_*), and the journal's own.
inline constexpr uint16_t kJournalNote = 100;  // a line of text: run start, resume, risk state
// The ledger's start mark: i64 ts_ns, i64 mid_e8 (a restart keeps the run's start).
inline constexpr uint16_t kJournalLedgerStart = 101;

inline constexpr uint32_t kJournalVersion = 1;

// One record as read back. `payload` borrows the reader's buffer for the callback.
struct JournalRecord {
  uint16_t kind = 0;
  int64_t local_ns = 0;     // when the host took it
  int64_t exchange_ns = 0;  // the event's own time (0: none)
  std::string_view payload;
  uint64_t offset = 0;  // in its file
};

class JournalWriter {
 public:
  // Appends to RUN_DIR/journal/ (made with the first record); the file of the first record's
  // day is cut back to its last whole record first (a crash may have torn it).
  explicit JournalWriter(std::filesystem::path run_dir);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  void append(uint16_t kind, int64_t local_ns, int64_t exchange_ns, const void* payload,
              size_t size);
  // Every record of a batch (a book update with its levels inline).
  void append_batch(const mmh_batch& batch, int64_t local_ns);
  void note(int64_t local_ns, std::string_view text);

  // Hands what was appended to the kernel (write); cheap, at the end of each input.
  void flush();
  // ... and to the disk (fdatasync): before an order request leaves.
  void sync();

  // Bytes of a torn tail cut when a file was opened (0: none).
  uint64_t bytes_cut() const { return bytes_cut_; }
  uint64_t records() const { return records_; }

 private:
  void open_day(int64_t day);

  std::filesystem::path dir_;
  int fd_ = -1;
  int64_t day_ = INT64_MIN;
  std::vector<char> buffer_;
  uint64_t bytes_cut_ = 0;
  uint64_t records_ = 0;
};

// What a journal file holds: its records, and where it stops being whole.
struct JournalFileScan {
  std::filesystem::path file;
  uint32_t version = 0;
  uint64_t records = 0;
  uint64_t good_bytes = 0;   // the whole records end here
  uint64_t file_bytes = 0;   // > good_bytes: a torn or corrupt tail
  std::string tail_problem;  // why the rest is not read (empty: none)
};

// Reads one file's records in order, stopping at the first that is not whole (short, bad CRC,
// impossible size). Throws JournalError when the file is not a journal at all.
JournalFileScan read_journal_file(const std::filesystem::path& file,
                                  const std::function<void(const JournalRecord&)>& on_record);
// The journal files of a run directory, oldest first.
std::vector<std::filesystem::path> journal_files(const std::filesystem::path& run_dir);

// A record as one JSON object (kind, times, and the ABI record's fields).
std::string journal_record_json(const JournalRecord& record);

}  // namespace mmh
