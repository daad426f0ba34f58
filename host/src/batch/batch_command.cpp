#include "batch/batch_command.hpp"

#include "app/format.hpp"
#include "app/run_command.hpp"
#include "batch/batch_report.hpp"
#include "batch/batch_runner.hpp"
#include "batch/batch_script.hpp"
#include "batch/result_store.hpp"
#include "lua/lua_state.hpp"

#include <mmhost/sdk/regular_file.hpp>

#include <filesystem>
#include <sstream>
#include <thread>

namespace mmh::batch {

namespace {

namespace fs = std::filesystem;

std::vector<Objective> parse_objectives(const std::string& text) {
  std::vector<Objective> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(parse_objective(item));
  if (out.size() != 2)
    throw std::invalid_argument(
        "--objectives takes two metrics, e.g. net_pnl:max,max_drawdown_pct:min");
  return out;
}

// Writes results.csv and report.html of a results database; returns the rows.
size_t write_outputs(ResultStore& store, const fs::path& dir,
                     const std::vector<Objective>& objectives, const std::string& title) {
  const std::vector<RunRecord> rows = store.all();
  auto write = [&](const fs::path& file, const std::string& text) {
    try {
      sdk::TempOutput out(file.string());  // whole or not at all, over a regular file only
      out.write(text.data(), text.size());
      out.commit();
    } catch (const sdk::FileError& e) {
      throw RunError(e.what());
    }
  };
  std::ostringstream csv;
  write_csv(rows, csv);
  write(dir / "results.csv", csv.str());
  write(dir / "report.html", batch_report_html(rows, objectives, title));
  return rows.size();
}

}  // namespace

int run_batch(HostContext& host, const BatchOptions& o, std::ostream& out, std::ostream& err) {
  try {
    const std::vector<Objective> objectives = parse_objectives(o.objectives);
    if (!o.report_dir.empty()) {
      const fs::path db = fs::path(o.report_dir) / "results.sqlite";
      if (!fs::exists(db))
        throw RunError(db.string() + ": no such file (run `mmhost batch SCRIPT --out " +
                       o.report_dir + "` first)");
      ResultStore store(db.string());
      const size_t rows = write_outputs(store, o.report_dir, objectives, o.report_dir);
      out << "report     " << (fs::path(o.report_dir) / "report.html").string() << " ("
          << with_commas(rows) << " runs), results.csv\n";
      return 0;
    }
    if (o.script.empty())
      throw RunError("give a batch script (scripts/sweep_grid.lua) or --report DIR");
    if (!fs::exists(o.script)) throw RunError(o.script + ": no such file");
    const fs::path dir =
        o.out_dir.empty() ? fs::path("batch") / fs::path(o.script).stem() : fs::path(o.out_dir);
    fs::create_directories(dir);
    ResultStore store((dir / "results.sqlite").string());
    const unsigned jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    BatchRunner runner(host, store, o.script, jobs, o.progress);
    const BatchScriptResult result = run_batch_script(o.script, host, store, runner, dir.string());
    const BatchStats& s = runner.totals();
    const size_t rows = write_outputs(store, dir, objectives, o.script);
    out << "batch      " << with_commas(s.computed + s.cached)
        << " runs: " << with_commas(s.computed) << " computed (" << with_commas(s.failed)
        << " failed), " << with_commas(s.cached) << " from the database; " << jobs << " worker"
        << (jobs == 1 ? "" : "s") << ", " << fixed(s.wall_s, 2) << " s in backtests\n";
    out << "results    " << (dir / "results.sqlite").string() << " (" << with_commas(rows)
        << " runs), results.csv, report.html\n";
    if (result.interrupted) {
      err << "mmhost batch: interrupted; the finished runs are kept in "
          << (dir / "results.sqlite").string()
          << ": run the same command again to compute only the missing ones\n";
      return 130;
    }
    return 0;
  } catch (const ScriptError& e) {
    err << "mmhost batch: " << e.what() << "\n";
  } catch (const RunError& e) {
    err << "mmhost batch: " << e.what() << "\n";
  } catch (const StoreError& e) {
    err << "mmhost batch: " << e.what() << "\n";
  } catch (const std::invalid_argument& e) {
    err << "mmhost batch: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace mmh::batch
