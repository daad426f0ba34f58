// What the host needs from a strategy script to run it: which data connector, symbol and
// intervals. The script returns `mmhost.strategy{ ... }`; docs/strategy-api.md is the reference.
#pragma once

#include <cstdint>
#include <string>

namespace mmh {

struct StrategySpec {
  std::string path;
  std::string name;
  std::string data_plugin = "replay";  // market.data
  std::string symbol;                  // market.symbol
  int64_t ltf_interval_ns = 0;         // market.ltf (execution timeframe), default 1m
  int64_t htf_interval_ns = 0;         // market.htf (structure timeframe), default 5m
  std::string replay_file;             // market.file, relative to the data dir
};

// Throws ScriptError naming the script (file:line for Lua errors, key path for bad values).
StrategySpec load_strategy_spec(const std::string& path);

}  // namespace mmh
