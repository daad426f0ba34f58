// The batch results database: one SQLite file in the batch's output directory, one row per
// backtest keyed by the hash of its inputs (strategy script, data, window, parameters, options,
// mmhost and plugin versions). A row is written (and committed) as soon as its run ends, so an
// interrupted batch keeps everything it finished, and a rerun finds those rows instead of
// recomputing them. WAL mode: a report can read while a batch writes.
#pragma once

#include "store/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::batch {

using StoreError = store::SqliteError;

struct RunRecord {
  std::string key;           // SHA-256 of the inputs (hex)
  std::string batch_script;  // the script that asked for it
  std::string strategy;      // strategy script path
  std::string label;         // the script's label for the group of runs ("train", "test", ...)
  std::string params_json;   // {"grid.step_atr":"0.3", ...}
  std::string window_start;  // ISO UTC, "" = the data's start
  std::string window_end;
  std::string options_json;  // fill model, fees, ...
  std::string status;        // "ok" or "failed"
  std::string error;         // why it failed
  std::string summary_json;  // the run's summary.json ("" when failed)
  std::string event_hash;
  std::string script_hash;
  std::string data_hash;
  double wall_ms = 0;
  int64_t seq = 0;  // the run's place in the batch (run() call, then job): rows are listed in it
  // From the summary, for SQL queries without JSON functions.
  std::optional<double> net_pnl, return_pct, max_drawdown_pct, sharpe_daily;
  std::optional<int64_t> fills;
};

// A summary's exact decimal text ("-12.5", "3") as a number; nullopt for anything else.
std::optional<double> decimal_number(std::string_view text);

class ResultStore {
 public:
  // Opens or creates the database; throws StoreError naming the file.
  explicit ResultStore(const std::string& path);
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  std::optional<RunRecord> find(const std::string& key);
  // Writes the row of record.key (a new row, or the same row updated), after filling the
  // record's metric columns and event hash from its summary.
  void put(RunRecord& record);
  // Every row, in batch order (seq), whatever order the workers finished them in.
  std::vector<RunRecord> all();
  size_t count();
  const std::string& path() const { return db_.path(); }

 private:
  store::SqliteDb db_;
};

// The rows as CSV: key columns, then each parameter and the main metrics as columns.
void write_csv(const std::vector<RunRecord>& rows, std::ostream& out);

}  // namespace mmh::batch
