// In-process `mmhost run` for the hot reload tests: a strategy on a trimmed copy of the Bybit 5m
// file with the built plugins, a hook at every bar (where a test rewrites the script) and every
// decision printed.
#pragma once

#include "app/host_context.hpp"
#include "app/run_command.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace mmh::test {

struct ReloadRun {
  std::vector<std::string> lines;  // what `--events` prints, reload_ok/reload_failed included
  RunReport report;
};

// `speed` > 0 paces the replay against the wall clock, as `--speed` does (only then does it
// reload); `hot_reload` false is `--no-reload`.
inline ReloadRun run_with_hook(const std::string& script, const std::string& csv,
                               const std::function<void(int64_t)>& at_boundary, double speed = 0.0,
                               bool hot_reload = true) {
  CliOverrides cli;
  cli.plugin_paths = {host_plugin_dir()};
  cli.cache_dir = std::filesystem::path(script).parent_path().string() + "/cache";
  cli.log_level = "error";
  HostContext host(cli);
  RunOptions options;
  options.strategy_path = script;
  options.replay_file = csv;
  options.print_decisions = true;
  options.speed = speed;
  if (speed > 0)  // a paced run's directory (control.sock), beside the script, not in the cwd
    options.run_dir = std::filesystem::path(script).parent_path().string() + "/run";
  options.hot_reload = hot_reload;
  options.at_boundary = at_boundary;
  std::ostringstream out;
  ReloadRun r;
  r.report = run_strategy(host, options, out);
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) r.lines.push_back(line);
  return r;
}

// The first `rows` bars of Bybit spot ETHUSDT 5m, copied into `dir`.
inline std::string bybit_5m_csv(const TempDir& dir, size_t rows) {
  return trimmed_shared_data(dir, "candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv", rows);
}

}  // namespace mmh::test
