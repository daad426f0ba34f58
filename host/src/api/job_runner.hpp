// The workers of `mmhost serve` (in-process pool) and `mmhost worker`: each slot claims the
// oldest queued run from the store, runs it as a child `mmhost` process in the run's directory
// (STORE/runs/<id>, its output in log.txt; backtests in a worker process the slot keeps),
// heartbeats while it runs, stops it within a second
// when a cancel is asked, and writes the outcome back. A run whose worker went silent is taken
// back by any runner (RunStore::reclaim) and finishes once: the store only takes the outcome of
// the worker holding the run.
#pragma once

#include "store/run_store.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace mmh::api {

struct RunnerOptions {
  std::filesystem::path store_dir;   // runs/<id>/ inside
  std::filesystem::path source_dir;  // the child's working directory
  std::string mmhost;                // the binary to run
  std::string worker_id;             // unique per process
  int slots = 2;
  int64_t heartbeat_ms = 1000;
  int64_t silent_ms = 15000;  // a run without heartbeat this long is taken back
  // Backtests run in a `mmhost backtest-worker` each slot keeps (no process start, plugin load or
  // candle read per run: a sweep's many short runs); false: a process per run.
  bool warm_backtests = true;
};

class JobRunner {
 public:
  JobRunner(store::RunStore& store, RunnerOptions options);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void start();
  // Stops taking runs; running children are stopped (SIGTERM, then SIGKILL) and their runs
  // queued again for the next start.
  void stop();
  int slots() const { return options_.slots; }
  int busy() const { return busy_; }

 private:
  struct Warm;
  void slot_loop(int slot);
  void run_one(const store::RunRow& row, Warm& warm);
  bool start_warm(Warm& warm, const std::filesystem::path& log);

  store::RunStore& store_;
  RunnerOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> busy_{0};
  std::vector<std::thread> threads_;
};

// The directory of run `id` in a store.
std::filesystem::path run_dir(const std::filesystem::path& store_dir, const std::string& id);

}  // namespace mmh::api
