// Runs a set of backtests for a batch script: each job's inputs are hashed into its key; jobs
// already in the results database are taken from there, the rest run on the worker pool over
// candles loaded once, and every result is written to the database as it arrives. Results come
// back in job order whatever the number of workers: each backtest is single-threaded and
// deterministic, so `--jobs` changes the wall time, never a result.
#pragma once

#include "app/backtest_command.hpp"
#include "batch/result_store.hpp"
#include "batch/search_space.hpp"

#include <mmhost/plugin.h>

#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mmh {
class HostContext;
}

namespace mmh::batch {

// Candles of one file, loaded once and shared read-only by every backtest of the batch.
struct CandleSet {
  std::string file;
  int64_t interval_ns = 0;  // the file's bar interval (the LTF)
  std::vector<mmh_candle> bars;
  std::string hash;  // SHA-256 of the bars' values and the instrument (hex): the data's key
  std::optional<mmh_instrument> instrument;  // from the file's sidecar, if it has one
};

// Reads `file` (candle CSV or its binary cache) through the replay plugin; keeps bars that open
// in [start_ns, end_ns). Throws RunError.
std::shared_ptr<const CandleSet> load_candles(HostContext& host, const std::string& file,
                                              int64_t start_ns = INT64_MIN,
                                              int64_t end_ns = INT64_MAX);

struct BatchJob {
  std::string strategy;  // strategy script path
  std::shared_ptr<const CandleSet> data;
  ParamSet params;
  std::string label;
  int64_t start_ns = INT64_MIN;  // bars opening in [start_ns, end_ns)
  int64_t end_ns = INT64_MAX;
  BacktestOptions options;  // fill model, fees, latency, slippage, seed, htf_interval
};

struct BatchStats {
  size_t computed = 0;
  size_t cached = 0;
  size_t failed = 0;
  double wall_s = 0;
};

class BatchRunner {
 public:
  BatchRunner(HostContext& host, ResultStore& store, std::string batch_script, unsigned workers,
              bool progress);

  // One record per job, in job order. `interrupted` is set when SIGINT/SIGTERM stopped the
  // pool: the records of unfinished jobs are then missing (status empty).
  // `cached[i]` (when given) says whether job i came from the database.
  std::vector<RunRecord> run(const std::vector<BatchJob>& jobs, bool& interrupted,
                             std::vector<bool>* cached = nullptr);
  const BatchStats& totals() const { return totals_; }
  unsigned workers() const { return workers_; }

 private:
  std::string key_of(const BatchJob& job, RunRecord& record);
  // What every run of a strategy depends on besides its data, window and options: the SHA-256
  // of its sources as loaded, and the builds it runs on (mmhost and the data, core and venue
  // plugin files, by SHA-256: a rebuild keeps its version string).
  struct StrategyInputs {
    std::string script_hash;
    std::string builds;  // {"bos_mm":{"version":"1.0.0","sha256":"..."}, ..., "mmhost":{...}}
  };
  const StrategyInputs& strategy_inputs(const std::string& path);

  HostContext& host_;
  ResultStore& store_;
  std::string batch_script_;
  unsigned workers_;
  bool progress_;
  std::map<std::string, StrategyInputs> strategy_inputs_;  // by strategy path
  std::map<std::string, std::string> file_sha256_;         // by file path: each hashed once
  int64_t calls_ = 0;  // run() calls so far: the first part of each row's seq
  BatchStats totals_;
};

}  // namespace mmh::batch
