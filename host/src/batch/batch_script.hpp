// The Lua side of `mmhost batch`: a batch script runs in the strategies' sandbox with the
// batch-only API added to `mmhost` (docs/batch.md is the reference):
//   mmhost.range(from, to, step)                      values for a grid dimension
//   mmhost.data.load{file=, start=, ["end"]=}         candles, loaded once, shared by all runs
//   mmhost.batch.grid{...} / .random{...}             parameter sets
//   mmhost.batch.uniform/integer/choice               dimensions of a search space
//   mmhost.batch.run{strategy=, data=, sets=, ...}    backtests on the worker pool -> results
//   mmhost.batch.nsga2{...}                           multi-objective evolutionary search
//   mmhost.batch.windows{data=, train=, test=, step=} walk-forward windows
//   mmhost.batch.rank / filter / pareto / best / print / save_csv
// Errors in the script or in its calls name the script's file:line.
#pragma once

#include <string>

namespace mmh {
class HostContext;
}

namespace mmh::batch {

class BatchRunner;
class ResultStore;

struct BatchScriptResult {
  bool interrupted = false;  // Ctrl-C / SIGTERM stopped a run() call
};

// Runs the script; throws ScriptError (file:line) or RunError.
BatchScriptResult run_batch_script(const std::string& path, HostContext& host, ResultStore& store,
                                   BatchRunner& runner, const std::string& out_dir);

}  // namespace mmh::batch
