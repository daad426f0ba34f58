// The run store of `mmhost serve` / `mmhost worker`: every submitted run (a job and, once run,
// its result), keyed by the hash of its inputs so a second submission of the same job finds the
// first. Workers claim queued runs, heartbeat while they run them and finish them; a run whose
// worker stopped heartbeating is taken over (after kMaxAttempts it fails). SQLite here
// (sqlite_run_store.hpp); PostgreSQL for the scale-out.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mmh::store {

enum class RunStatus { queued, running, done, failed, cancelled };
const char* status_name(RunStatus s);
std::optional<RunStatus> parse_status(const std::string& text);
inline bool finished(RunStatus s) {
  return s == RunStatus::done || s == RunStatus::failed || s == RunStatus::cancelled;
}

struct RunRow {
  std::string id;         // the input hash (hex): the same job, the same id
  std::string parent_id;  // a sweep's parent run ("" for none)
  std::string name;
  std::string kind;  // backtest, backtest_mm_mtf, batch, fetch, sweep
  RunStatus status = RunStatus::queued;
  std::string spec_json;  // the request as accepted (normalized)
  std::string argv_json;  // the mmhost command line the worker runs (JSON array)
  int64_t attempts = 0;
  std::string worker;
  int64_t heartbeat_ms = 0;
  bool cancel_requested = false;
  std::string error;
  double progress = 0;  // 0..1
  int64_t created_ms = 0, started_ms = 0, finished_ms = 0;
  std::string summary_json;  // summary.json when done ("" before)
};

struct RunFilter {
  std::optional<RunStatus> status;
  std::string kind;       // "" = any
  std::string name;       // substring, "" = any
  std::string parent_id;  // "" = any; "-" = top-level runs only
  int64_t limit = 50;
  int64_t offset = 0;
};

class RunStore {
 public:
  static constexpr int64_t kMaxAttempts = 3;
  virtual ~RunStore() = default;
  // Adds the run if its id is new; returns the stored row and whether it was added. Only a
  // `queued` row is a job for the workers (a sweep's parent is submitted `running`: its
  // children are the jobs).
  virtual std::pair<RunRow, bool> submit(const RunRow& row) = 0;
  // Many at once, in one transaction (a sweep's children); returns how many were new.
  virtual int64_t submit_many(const std::vector<RunRow>& rows) = 0;
  // A run no worker holds (a sweep's parent) takes its state from its children.
  virtual void settle(const std::string& id, RunStatus status, const std::string& error,
                      double progress, const std::string& summary_json, int64_t now_ms) = 0;
  virtual std::optional<RunRow> get(const std::string& id) = 0;
  virtual std::vector<RunRow> list(const RunFilter& filter) = 0;
  virtual int64_t count(const RunFilter& filter) = 0;
  // The oldest queued run, now running on `worker` (attempts + 1); nullopt when none.
  virtual std::optional<RunRow> claim(const std::string& worker, int64_t now_ms) = 0;
  // The worker still runs it; false when the run is no longer this worker's (taken over).
  virtual bool heartbeat(const std::string& id, const std::string& worker, int64_t now_ms,
                         double progress) = 0;
  virtual void finish(const std::string& id, const std::string& worker, RunStatus status,
                      const std::string& error, const std::string& summary_json,
                      int64_t now_ms) = 0;
  // The worker gives the run back unfinished (it stops): queued again, the attempt not counted.
  virtual void release(const std::string& id, const std::string& worker) = 0;
  // Queued: cancelled at once. Running: flagged for its worker. False when already finished or
  // unknown.
  virtual bool cancel(const std::string& id, int64_t now_ms) = 0;
  // Runs whose worker went silent for `silent_ms`: queued again, or failed after kMaxAttempts
  // (runs no worker holds, a sweep's parent, are not jobs). Returns how many were taken back.
  virtual int64_t reclaim(int64_t now_ms, int64_t silent_ms) = 0;
  virtual std::string describe() const = 0;  // "sqlite /path/runs.sqlite"
  // Changes made through this object so far (not a heartbeat's): readers cache on it.
  uint64_t generation() const { return generation_; }

 protected:
  void changed() { ++generation_; }

 private:
  std::atomic<uint64_t> generation_{0};
};

}  // namespace mmh::store
