// `mmhost backtest-worker`, the process a serve slot keeps between its backtests: each job's
// files are byte for byte those of `mmhost backtest` with the same arguments (the candles kept
// in memory from the job before included), a failing job answers its exit code and the worker
// goes on, a line that is not a job answers 2.
#include "serve_client.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace mmh::test;
using nlohmann::json;

TEST_CASE("mmhost backtest-worker: jobs give the files of mmhost backtest, errors their codes") {
  TempDir dir;
  const std::string data = eth_1m_file();
  const std::vector<std::string> common = {"backtest",       "strategies/eth_bos_mm.lua",
                                           "--cache",        data,
                                           "--htf-interval", "5",
                                           "--ltf-interval", "1",
                                           "--start",        "2025-06-01",
                                           "--end",          "2025-06-08",
                                           "--no-progress"};
  auto job = [&](const std::vector<std::string>& more, const std::string& name) {
    std::vector<std::string> args = common;
    args.insert(args.end(), more.begin(), more.end());
    args.push_back("--out");
    args.push_back(dir.file(name));
    return json{{"args", args}, {"log", dir.file(name + ".log")}}.dump();
  };
  std::ofstream(dir.file("jobs.txt"))
      << job({"--set", "grid.levels=4", "--summary-only"}, "a") << "\n"
      << job({"--set", "grid.levels=6"}, "b") << "\n"
      << job({"--set", "grid.no_such_parameter=1"}, "c") << "\n"
      << "not a job\n"
      << job({}, "d") << "\n";
  const CommandResult worker =
      run_command("cd " + source_dir() + " && " + mmhost_binary() + " backtest-worker < " +
                  dir.file("jobs.txt") + " 3> " + dir.file("replies.txt"));
  // On a failure: what the worker said itself, then each job's log.
  std::string said = worker.output;
  for (const char* name : {"a", "b", "c", "d"})
    said +=
        std::string("\n--- ") + name + ".log:\n" + read_file(dir.file(name + std::string(".log")));
  INFO(said);
  CHECK(worker.exit_code == 0);
  // "+" as each line is taken, then its exit code.
  CHECK(read_file(dir.file("replies.txt")) == "+\n0\n+\n0\n+\n1\n+\n2\n+\n0\n");
  CHECK(read_file(dir.file("c.log")).find("grid.no_such_parameter") != std::string::npos);

  // Each as its own command line: the same files.
  const std::string base = "backtest strategies/eth_bos_mm.lua --cache " + data +
                           " --htf-interval 5 --ltf-interval 1 --start 2025-06-01 --end "
                           "2025-06-08 --no-progress";
  REQUIRE(run_mmhost(base + " --set grid.levels=4 --summary-only --out " + dir.file("cli_a"))
              .exit_code == 0);
  REQUIRE(run_mmhost(base + " --set grid.levels=6 --out " + dir.file("cli_b")).exit_code == 0);
  REQUIRE(run_mmhost(base + " --out " + dir.file("cli_d")).exit_code == 0);
  CHECK(read_file(dir.file("a/summary.json")) == read_file(dir.file("cli_a/summary.json")));
  for (const char* name :
       {"summary.json", "events.jsonl", "fills.csv", "equity.csv", "report.html"}) {
    CHECK_MESSAGE(read_file(dir.file(std::string("b/") + name)) ==
                      read_file(dir.file(std::string("cli_b/") + name)),
                  name);
    CHECK_MESSAGE(read_file(dir.file(std::string("d/") + name)) ==
                      read_file(dir.file(std::string("cli_d/") + name)),
                  name);
  }
  CHECK(json::parse(read_file(dir.file("a/summary.json")))["event_hash"] !=
        json::parse(read_file(dir.file("b/summary.json")))["event_hash"]);
}
