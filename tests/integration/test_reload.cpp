// Hot reload inside a run: a reload that changes nothing leaves the decision stream untouched
// (nothing lost, doubled or reset by the swap), a changed parameter rules from the next bar, and
// a broken script is refused while the old one keeps running.
#include "app/format.hpp"
#include "app/host_context.hpp"
#include "app/run_command.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace mmh;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {

std::string strategy(const std::string& extra_policy) {
  return "return mmhost.strategy{ core = 'bos_mm',\n"
         "  market = { symbol = 'ETHUSDT', ltf = '5m', htf = '5m' },\n"
         "  grid = { levels = 4 },\n"
         "  policy = { recovery_bars = 6" +
         extra_policy + " },\n}\n";
}

struct Run {
  std::vector<std::string> lines;
  RunReport report;
};

// Runs the 5m Bybit file (first weeks of it, through a trimmed copy) with a hook at every bar.
Run run(const std::string& script, const std::string& csv,
        const std::function<void(int64_t)>& at_boundary) {
  CliOverrides cli;
  cli.plugin_paths = {mmh::test::host_plugin_dir()};
  cli.cache_dir = std::filesystem::path(script).parent_path().string() + "/cache";
  cli.log_level = "error";
  HostContext host(cli);
  RunOptions options;
  options.strategy_path = script;
  options.replay_file = csv;
  options.print_decisions = true;
  options.at_boundary = at_boundary;
  std::ostringstream out;
  Run r;
  r.report = run_strategy(host, options, out);
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) r.lines.push_back(line);
  return r;
}

std::string trimmed_csv(TempDir& dir, size_t rows) {
  const std::string source =
      mmh::test::shared_data("candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv");
  REQUIRE_MESSAGE(std::filesystem::exists(source), "missing real data: ", source);
  std::ifstream in(source);
  std::ofstream out(dir.file("eth_5m.csv"));
  std::string line;
  for (size_t i = 0; i <= rows && std::getline(in, line); ++i) out << line << "\n";
  return dir.file("eth_5m.csv");
}

bool is_reload(const std::string& line) {
  return line.find(" reload_") != std::string::npos;
}

}  // namespace

TEST_CASE("reload: rewriting the same parameters changes no decision") {
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 8000);
  const std::string script = write_file(dir.file("s.lua"), strategy(""));
  const Run baseline = run(script, csv, {});
  int64_t bars = 0;
  const Run reloaded = run(script, csv, [&](int64_t) {
    if (++bars == 4000) write_file(script, strategy(""));  // same content, written again
  });
  REQUIRE(reloaded.report.decisions.reloads_ok == 1);
  std::vector<std::string> without_reload;
  for (const std::string& line : reloaded.lines)
    if (!is_reload(line)) without_reload.push_back(line);
  CHECK(without_reload == baseline.lines);
  CHECK(reloaded.report.stats.total_events() == baseline.report.stats.total_events());
}

TEST_CASE("reload: a changed threshold rules from the next bar; a broken script is refused") {
  TempDir dir;
  const std::string csv = trimmed_csv(dir, 8000);
  const std::string script = write_file(dir.file("s.lua"), strategy(""));
  const Run baseline = run(script, csv, {});
  int64_t bars = 0;
  int64_t changed_at_ns = 0;
  const Run r = run(script, csv, [&](int64_t next_close_ns) {
    ++bars;
    if (bars == 3000) {
      // An ATR of 0.01% of price is always exceeded: Defensive from the next bar on.
      write_file(script, strategy(", defensive_atr_pct = 0.01"));
      changed_at_ns = next_close_ns;
    } else if (bars == 5000) {
      write_file(script, strategy(", defensive_atr_pct = 0.01") + "\nlocal = broken\n");
    } else if (bars == 6000) {
      write_file(script,
                 "return mmhost.strategy{ core = 'bos_mm', market = { symbol = 'ETHUSDT', "
                 "ltf = '5m', htf = '5m' }, grid = { levels = 99 } }\n");
    }
  });
  CHECK(r.report.decisions.reloads_ok == 1);
  CHECK(r.report.decisions.reloads_failed == 2);
  // Up to the reload the run matches the baseline line for line.
  size_t reload_at = 0;
  while (reload_at < r.lines.size() && !is_reload(r.lines[reload_at])) ++reload_at;
  REQUIRE(reload_at < r.lines.size());
  CHECK(r.lines[reload_at].find("reload_ok changed: policy.defensive_atr_pct (default) -> 0.01") !=
        std::string::npos);
  CHECK(std::vector<std::string>(r.lines.begin(),
                                 r.lines.begin() + static_cast<ptrdiff_t>(reload_at)) ==
        std::vector<std::string>(baseline.lines.begin(),
                                 baseline.lines.begin() + static_cast<ptrdiff_t>(reload_at)));
  // The bar right after the swap (its decisions carry its close time) turns the policy Defensive.
  size_t policy_at = reload_at + 1;
  while (policy_at < r.lines.size() &&
         r.lines[policy_at].find(" policy_changed ") == std::string::npos)
    ++policy_at;
  REQUIRE(policy_at < r.lines.size());
  CHECK(r.lines[policy_at].find(iso_time(changed_at_ns) + " policy_changed normal->defensive") ==
        0);
  // The broken scripts are refused with their line, and the run goes on to the end.
  bool syntax = false, range = false;
  for (const std::string& line : r.lines) {
    syntax = syntax || (line.find("reload_failed") != std::string::npos &&
                        line.find("s.lua:7: '<eof>' expected near 'local'") != std::string::npos);
    range = range ||
            (line.find("reload_failed") != std::string::npos &&
             line.find("s.lua:1: grid.levels must be in [1, 20], got 99") != std::string::npos);
  }
  CHECK(syntax);
  CHECK(range);
  CHECK(r.report.stats.total_events() == baseline.report.stats.total_events());
}
