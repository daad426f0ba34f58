// What the host needs from a strategy script to run it: which data connector, symbol and
// intervals. The script returns `mmhost.strategy{ ... }`; docs/strategy-api.md is the reference.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mmh {

struct StrategySpec {
  std::string path;
  std::string name;
  std::string data_plugin = "replay";  // market.data
  std::string symbol;                  // market.symbol
  int64_t ltf_interval_ns = 0;         // market.ltf (execution timeframe), default 1m
  int64_t htf_interval_ns = 0;         // market.htf (structure timeframe), default 5m
  std::string replay_file;             // market.file, relative to the data dir
  std::string core_plugin;             // core: the decision core plugin ("bos_mm"); empty = none
  // The core's parameters from the groups structure, bos, pullback, policy, grid, execution,
  // risk and capital, flattened to "group.name" -> text (the plugin parses and validates them).
  std::map<std::string, std::string> core_params;
  // The script and every lib/ module it required: what a hot reload watches.
  std::vector<std::string> source_files;
};

// Throws ScriptError naming the script (file:line for Lua errors, key path for bad values).
StrategySpec load_strategy_spec(const std::string& path);

// The line where a key path ("grid.step_atr") is assigned in the script's text, found by
// following each part in order; 0 when it is not written there (e.g. set by a lib module).
int script_line_of(const std::string& path, const std::string& key_path);

}  // namespace mmh
