// `mmhost run`: loads the strategy, opens its data connector, streams every event through the
// engine on the simulated clock and reports what went through.
#pragma once

#include "engine/engine.hpp"
#include "lua/strategy_spec.hpp"

#include <mmhost/plugin.h>

#include <stdexcept>
#include <string>

namespace mmh {

class HostContext;

struct RunOptions {
  std::string strategy_path;
  std::string replay_file;  // overrides market.file
};

struct RunReport {
  StrategySpec spec;
  std::string data_plugin_version;
  std::string source_file;
  mmh_source_info source{};
  EngineStats stats;
  uint64_t htf_bars = 0;
  uint64_t htf_partial_bars = 0;
  double elapsed_s = 0.0;
};

// A run that cannot start or fails on its input (message says why; exit code 1).
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

RunReport run_strategy(HostContext& host, const RunOptions& options);
void print_run_report(const RunReport& report, std::ostream& out);

}  // namespace mmh
