// `mmhost batch` end to end on real 1m ETHUSDT candles: the same sweep with one and two workers
// gives identical rows; an interrupted sweep keeps what finished and a rerun computes only the
// rest; a failing backtest is recorded with its error while the sweep goes on; script errors
// name file:line; the report and CSV are written.
#include "batch/result_store.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <regex>

using namespace mmh::test;

namespace {

const char* kData = "candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv";

// A sweep over `sets` grid step values (and two level counts) on 12 days of 1m bars.
std::string sweep_script(const std::string& steps, const std::string& extra = "") {
  return "local data = mmhost.data.load{ file = \"" + shared_data(kData) +
         "\", start = \"2025-06-01\", [\"end\"] = \"2025-06-13\" }\n"
         "local results = mmhost.batch.run{\n"
         "  strategy = \"strategies/eth_bos_mm.lua\", data = data, htf = \"5m\", label = \"t\",\n"
         "  sets = mmhost.batch.grid{ [\"grid.step_atr\"] = " +
         steps +
         ", [\"grid.levels\"] = {2, 4} },\n"
         "}\n" +
         extra + "mmhost.batch.print(mmhost.batch.rank(results, \"net_pnl\"), nil, 3)\n";
}

size_t number_after(const std::string& text, const std::string& label) {
  const std::regex re("([0-9,]+) " + label);
  std::smatch m;
  if (!std::regex_search(text, m, re)) return SIZE_MAX;
  std::string digits = m[1];
  digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
  return std::stoul(digits);
}

}  // namespace

TEST_CASE("mmhost batch: one and two workers give identical rows, a rerun computes nothing") {
  TempDir dir;
  const std::string script = write_file(dir.file("sweep.lua"), sweep_script("{0.2, 0.35, 0.5}"));
  const CommandResult one =
      run_mmhost("batch " + script + " --jobs 1 --no-progress --out " + dir.file("one"));
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  CHECK(number_after(one.output, "computed") == 6);
  const CommandResult two =
      run_mmhost("batch " + script + " --jobs 2 --no-progress --out " + dir.file("two"));
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  const std::string csv_one = read_file(dir.file("one/results.csv"));
  CHECK(csv_one.find(",failed,") == std::string::npos);
  CHECK(std::count(csv_one.begin(), csv_one.end(), '\n') == 7);  // header + 6 runs
  CHECK(csv_one == read_file(dir.file("two/results.csv")));
  // The ranked table went to the output.
  CHECK(one.output.find("grid.step_atr") != std::string::npos);
  CHECK(one.output.find("net_pnl") != std::string::npos);
  // Every summary field comes back; the event hashes are the runs' own.
  mmh::batch::ResultStore a(dir.file("one/results.sqlite")), b(dir.file("two/results.sqlite"));
  const auto rows_a = a.all(), rows_b = b.all();
  REQUIRE(rows_a.size() == 6);
  REQUIRE(rows_b.size() == 6);
  for (size_t i = 0; i < 6; ++i) {
    CHECK(rows_a[i].key == rows_b[i].key);
    CHECK(rows_a[i].summary_json == rows_b[i].summary_json);
    CHECK(rows_a[i].event_hash.size() == 16);
    CHECK(rows_a[i].summary_json.find("\"stage1\"") != std::string::npos);
  }
  CHECK(rows_a[0].params_json != rows_a[3].params_json);
  CHECK(rows_a[0].event_hash != rows_a[3].event_hash);  // 2 levels against 4: other runs
  CHECK(read_file(dir.file("one/report.html")).find("batch-data") != std::string::npos);
  // Again: nothing is recomputed.
  const CommandResult again =
      run_mmhost("batch " + script + " --jobs 2 --no-progress --out " + dir.file("one"));
  CHECK(again.exit_code == 0);
  CHECK(number_after(again.output, "computed") == 0);
  CHECK(number_after(again.output, "from the database") == 6);
}

TEST_CASE("mmhost batch: an interrupted sweep keeps its runs, the rerun computes only the rest") {
  TempDir dir;
  // 10 runs over the whole 90 days, so a run takes a while on any machine.
  const std::string script = write_file(
      dir.file("long.lua"),
      "local data = mmhost.data.load{ file = \"" + shared_data(kData) +
          "\" }\n"
          "mmhost.batch.run{ strategy = \"strategies/eth_bos_mm.lua\", data = data, htf = \"5m\",\n"
          "  sets = mmhost.batch.grid{ [\"grid.step_atr\"] = mmhost.range(0.1, 0.5, 0.1),\n"
          "                            [\"grid.levels\"] = {2, 4} } }\n");
  // SIGINT, as Ctrl-C would, once the first run is in the database (sqlite3 reads it while the
  // sweep writes: WAL).
  const std::string out = dir.file("out");
  const CommandResult cut = run_command(
      "cd " + source_dir() + " && (env -u MMHOST_PLUGIN_PATH -u MMHOST_CONFIG " + mmhost_binary() +
      " batch " + script + " --jobs 1 --no-progress --out " + out +
      " & pid=$!; for i in $(seq 1200); do n=$(sqlite3 " + out +
      "/results.sqlite 'select count(*) from runs' 2>/dev/null); [ \"${n:-0}\" -gt 0 ] && "
      "break; sleep 0.05; done; kill -INT $pid; wait $pid)");
  INFO(cut.output);
  CHECK(cut.exit_code == 130);
  CHECK(cut.output.find("interrupted") != std::string::npos);
  size_t kept = 0;
  {
    mmh::batch::ResultStore store(dir.file("out/results.sqlite"));
    kept = store.count();
  }
  CHECK(kept > 0);
  CHECK(kept < 10);
  const CommandResult rest = run_mmhost("batch " + script + " --jobs 2 --no-progress --out " + out);
  INFO(rest.output);
  CHECK(rest.exit_code == 0);
  CHECK(number_after(rest.output, "computed") == 10 - kept);
  CHECK(number_after(rest.output, "from the database") == kept);
}

TEST_CASE("mmhost batch: a failing backtest is recorded, script errors name file:line") {
  TempDir dir;
  // grid.levels = 99 is refused by the core: that run fails, the others go on.
  const std::string script =
      write_file(dir.file("bad_set.lua"),
                 sweep_script("{0.3}").replace(sweep_script("{0.3}").find("{2, 4}"), 6, "{2, 99}"));
  const CommandResult r =
      run_mmhost("batch " + script + " --jobs 2 --no-progress --out " + dir.file("out"));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("(1 failed)") != std::string::npos);
  mmh::batch::ResultStore store(dir.file("out/results.sqlite"));
  size_t failed = 0;
  for (const auto& row : store.all())
    if (row.status == "failed") {
      ++failed;
      CHECK(row.error.find("grid.levels") != std::string::npos);
    }
  CHECK(failed == 1);

  const std::string syntax = write_file(dir.file("syntax.lua"), "local x = 1\nlocal = 2\n");
  const CommandResult s = run_mmhost("batch " + syntax + " --out " + dir.file("s"));
  CHECK(s.exit_code == 1);
  CHECK(s.output.find("syntax.lua:2:") != std::string::npos);

  const std::string key = write_file(
      dir.file("key.lua"), "local d = mmhost.data.load{ file = \"" + shared_data(kData) +
                               "\", start = \"2025-06-01\", [\"end\"] = \"2025-06-02\" }\n"
                               "\nmmhost.batch.run{ strategy = \"strategies/eth_bos_mm.lua\", "
                               "data = d, sets = {}, speed = 3 }\n");
  const CommandResult k = run_mmhost("batch " + key + " --out " + dir.file("k"));
  CHECK(k.exit_code == 1);
  CHECK(k.output.find("key.lua:3:") != std::string::npos);
  CHECK(k.output.find("unknown key 'speed'") != std::string::npos);

  const std::string missing =
      write_file(dir.file("missing.lua"), "mmhost.data.load{ file = \"nowhere.csv\" }\n");
  const CommandResult m = run_mmhost("batch " + missing + " --out " + dir.file("m"));
  CHECK(m.exit_code == 1);
  CHECK(m.output.find("missing.lua:1:") != std::string::npos);
  CHECK(m.output.find("nowhere.csv: no such file") != std::string::npos);
}

TEST_CASE("mmhost batch: NSGA-II, random sets and walk-forward windows repeat with 1 or 2 jobs") {
  TempDir dir;
  const std::string script = write_file(
      dir.file("search.lua"),
      "local data = mmhost.data.load{ file = \"" + shared_data(kData) +
          "\", start = \"2025-06-01\", [\"end\"] = \"2025-06-11\" }\n"
          "local space = { [\"grid.step_atr\"] = mmhost.batch.uniform(0.1, 1.0, 0.05),\n"
          "  [\"grid.levels\"] = mmhost.batch.integer(1, 6),\n"
          "  [\"grid.step_min_bps\"] = mmhost.batch.integer(8, 30) }\n"
          "local r = mmhost.batch.nsga2{ strategy = \"strategies/eth_bos_mm.lua\", data = data,\n"
          "  htf = \"5m\", space = space, objectives = {\"net_pnl:max\", "
          "\"max_drawdown_pct:min\"},\n"
          "  population = 6, generations = 2, seed = 5, constraints = { min_fills = 1 } }\n"
          "print(\"evaluated \" .. #r.results .. \" front \" .. #r.front)\n"
          "local sets = mmhost.batch.random{ space = space, n = 3, seed = 9 }\n"
          "mmhost.batch.run{ strategy = \"strategies/eth_bos_mm.lua\", data = data, sets = sets,\n"
          "  htf = \"5m\", label = \"random\" }\n"
          "local w = mmhost.batch.windows{ data = data, train = \"4d\", test = \"2d\" }\n"
          "print(\"windows \" .. #w .. \" first test \" .. w[1].test_start)\n");
  const CommandResult one =
      run_mmhost("batch " + script + " --jobs 1 --no-progress --out " + dir.file("one"));
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  const CommandResult two =
      run_mmhost("batch " + script + " --jobs 2 --no-progress --out " + dir.file("two"));
  REQUIRE(two.exit_code == 0);
  // 6 + 2 x 6 NSGA-II evaluations (repeated sets are found, not rerun) and 3 random sets.
  CHECK(one.output.find("evaluated 18 front ") != std::string::npos);
  // 10 days: windows start on days 0, 2, 4 (4 train + 2 test each).
  CHECK(one.output.find("windows 3 first test 2025-06-05T00:00") != std::string::npos);
  const std::string csv = read_file(dir.file("one/results.csv"));
  CHECK(csv == read_file(dir.file("two/results.csv")));
  CHECK(csv.find(",random,") != std::string::npos);
  CHECK(csv.find(",nsga2/g2,") != std::string::npos);
  CHECK(one.output.substr(0, one.output.find("batch ")) ==
        two.output.substr(0, two.output.find("batch ")));
}

TEST_CASE("mmhost batch: a run without overrides is the same run as mmhost backtest") {
  TempDir dir;
  // A copy of the strategy whose market.file names no file: the batch's candles stand in for it
  // (CI has no generated sample data; this once failed every run there).
  std::filesystem::copy(source_dir() + "/strategies", dir.file("strategies"),
                        std::filesystem::copy_options::recursive);
  std::string lib = read_file(dir.file("strategies/lib/eth.lua"));
  const std::string sample = "sample/ETHUSDT_1m_synthetic.csv";
  const size_t market_file = lib.find(sample);
  REQUIRE(market_file != std::string::npos);
  write_file(dir.file("strategies/lib/eth.lua"),
             lib.replace(market_file, sample.size(), "absent/no_such_file.csv"));
  const std::string script = write_file(
      dir.file("same.lua"),
      "local data = mmhost.data.load{ file = \"" + shared_data(kData) +
          "\" }\n"
          "for _, strategy in ipairs{ \"strategies/eth_bos_mm.lua\", \"" +
          dir.file("strategies/eth_bos_mm.lua") +
          "\" } do\n"
          "  local r = mmhost.batch.run{ strategy = strategy, data = data,\n"
          "    htf = \"5m\", start = \"2025-06-01\", [\"end\"] = \"2025-06-08\", sets = { {} } }\n"
          "  print(r[1].status .. \" hash=\" .. tostring(r[1].event_hash) .. \" events=\" .. "
          "tostring(r[1].events) .. \" \" .. (r[1].error or \"\"))\n"
          "end\n");
  const CommandResult batch =
      run_mmhost("batch " + script + " --jobs 1 --no-progress --out " + dir.file("b"));
  INFO(batch.output);
  REQUIRE(batch.exit_code == 0);
  const CommandResult bt = run_mmhost(
      "backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --start 2025-06-01 "
      "--end 2025-06-08 --no-progress --cache " +
      shared_data(kData) + " --out " + dir.file("bt"));
  INFO(bt.output);
  REQUIRE(bt.exit_code == 0);
  const std::regex hash_re("event hash ([0-9a-f]{16}) \\(([0-9,]+) events\\)");
  std::smatch m;
  REQUIRE(std::regex_search(bt.output, m, hash_re));
  std::string events = m[2];
  events.erase(std::remove(events.begin(), events.end(), ','), events.end());
  const std::string line = "ok hash=" + std::string(m[1]) + " events=" + events;
  const size_t first = batch.output.find(line);
  CHECK(first != std::string::npos);
  CHECK(batch.output.find(line, first + 1) != std::string::npos);  // the copy: the same run
}

TEST_CASE("mmhost batch: a rebuilt plugin with the same version string recomputes its runs") {
  TempDir dir;
  const std::string script = write_file(dir.file("sweep.lua"), sweep_script("{0.35}"));
  const std::string plugins = dir.file("plugins");
  std::filesystem::copy(host_plugin_dir(), plugins);
  const std::string command = "--plugin-path " + plugins + " batch " + script +
                              " --jobs 1 --no-progress --out " + dir.file("out");
  const CommandResult first = run_mmhost(command);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(number_after(first.output, "computed") == 2);
  CHECK(number_after(run_mmhost(command).output, "computed") == 0);
  // Same name, same "1.0.0", other bytes (a rebuild): its earlier rows are not this build's.
  {
    std::ofstream so(plugins + "/bos_mm.so", std::ios::binary | std::ios::app);
    so << "rebuilt";
  }
  const CommandResult rebuilt = run_mmhost(command);
  INFO(rebuilt.output);
  REQUIRE(rebuilt.exit_code == 0);
  CHECK(number_after(rebuilt.output, "computed") == 2);
  CHECK(number_after(rebuilt.output, "from the database") == 0);
}
