// A pool of forked worker processes for batch backtests. Each worker is a fork of the batch
// process taken after the data was loaded, so every backtest reads the same candles
// (copy-on-write pages that are never written: shared, no copy) and runs single-threaded in its
// own address space: a crash or runaway in one backtest fails that run, not the batch.
// Jobs go out one at a time to whichever worker is free; results come back over pipes.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace mmh::batch {

struct JobOutcome {
  bool ok = false;
  std::string text;  // the job's result, or why it failed
  double wall_ms = 0;
};

// Runs jobs 0..count-1 on `workers` processes. `run(i)` executes in a worker (an exception is
// the job's failure); `done(i, outcome)` runs in this process as each job ends, in completion
// order. SIGINT/SIGTERM stop the pool: workers are killed, unfinished jobs get no `done`, and
// the result is false. Throws std::runtime_error when no worker can be started.
bool run_pool(size_t count, unsigned workers, const std::function<std::string(size_t)>& run,
              const std::function<void(size_t, const JobOutcome&)>& done);

}  // namespace mmh::batch
