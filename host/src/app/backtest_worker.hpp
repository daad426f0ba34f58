// `mmhost backtest-worker` (internal): a process a serve worker slot keeps between its backtests,
// so a sweep's runs do not each pay for a process start, plugin loading and reading the candle
// file. It reads one job per line on stdin, {"args": [...], "log": PATH, "progress": PATH} where
// args are `mmhost backtest`'s, answers "+" on `reply_fd` as it takes the line, runs it as
// `mmhost backtest` would with stdout and stderr appended to the log, and answers the exit code
// as a line. Candle files are kept in memory between jobs (the last two, checked by size and
// modification time). Ends at the end of stdin. A crash fails the job that was running; the slot
// starts a new worker (and gives it a job the dead one never took).
#pragma once

namespace mmh {

class HostContext;

int run_backtest_worker(HostContext& host, int reply_fd);

}  // namespace mmh
