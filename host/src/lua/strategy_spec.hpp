// What the host needs from a strategy script to run it: which data connector, symbol and
// intervals, the venue, the core and its parameters, and which decisions the script makes in
// Lua. The script returns `mmhost.strategy{ ... }`; docs/strategy-api.md is the reference.
#pragma once

#include "lua/lua_state.hpp"
#include "risk/risk_gate.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

struct lua_State;

namespace mmh {

// What happens after a script callback fails (error, instruction budget, memory cap).
enum class ScriptErrorAction {
  keep,          // keep the last decision (the policy keeps its level; a guard does not fire)
  stop_quoting,  // the policy turns Disabled until a reload succeeds: no new orders, exit
};

inline constexpr int64_t kMaxReplaceThresholdTicks = 100000;

struct StrategySpec {
  std::string path;
  std::string name;
  std::string data_plugin = "replay";  // market.data
  std::string symbol;                  // market.symbol
  int64_t ltf_interval_ns = 0;         // market.ltf (execution timeframe), default 1m
  int64_t htf_interval_ns = 0;         // market.htf (structure timeframe), default 5m
  std::string replay_file;             // market.file, relative to the data dir
  // market.instrument: tick_size, lot_size, min_order_qty, min_order_value as decimal text
  // (validated); handed to the data connector, which reports the instrument of the run.
  std::map<std::string, std::string> instrument;
  std::string venue_plugin = "simfill";  // execution.venue
  // execution.replace_threshold_ticks: a working order stays while the price the core wants is
  // within this many ticks of its own (0: any move re-prices it; the order manager's rule).
  int64_t replace_threshold_ticks = 0;  // [0, kMaxReplaceThresholdTicks]
  // execution.reprice: "replace" (cancel, then place at the new price) or "amend" (move the
  // working order; one command instead of two, the queue place lost either way).
  bool reprice_by_amend = false;
  std::string quote_asset;  // capital.quote_asset (default: USDT for *USDT)
  std::string core_plugin;  // core: the decision core plugin ("bos_mm"); empty = none
  // The core's parameters from the groups structure, bos, pullback, policy, grid, execution,
  // risk and capital (host fields taken out), flattened to "group.name" -> text, plus
  // "transitions" (edits as text). The plugin parses and validates them.
  std::map<std::string, std::string> core_params;
  // Core parameters the script set under another name ("grid.target_base_share" was written as
  // capital.target_base_share): errors about them point at the name the script used.
  std::map<std::string, std::string> param_aliases;
  // Decisions made in Lua.
  bool policy_function = false;             // policy = function(m, ctx)
  std::vector<std::string> scripted_edges;  // "from.reason" of edges with a `when` function
  std::vector<std::string> callbacks;       // on_start, on_bar, ... that the script defines
  // Script budgets (risk.script_instructions, risk.script_memory_mib) and what a failure does.
  LuaLimits limits;
  ScriptErrorAction on_script_error = ScriptErrorAction::keep;  // risk.on_script_error
  // The RiskGate's limits from the `risk` group (risk_limit_specs() lists them) and where
  // `reducing` heads (capital.target_base_share); off where the script is silent (the host's
  // limits then hold).
  RiskLimits risk = RiskLimits::none();
  int64_t dry_run_bars = 0;  // reload.dry_run_bars: HTF bars a new script replays before a swap
  // The script and every lib/ module it required: what a hot reload watches.
  std::vector<std::string> source_files;
  // SHA-256 (hex) of the bytes of each of them as they were loaded and ran, in the same order.
  std::vector<std::string> source_sha256;
};

// Reads the strategy table at `table` of a state where the script ran. Throws ScriptError
// naming the key path and script line.
StrategySpec read_strategy_spec(lua_State* L, int table, const std::string& path);

// `--set NAME=VALUE` of a field the host reads (execution.replace_threshold_ticks,
// execution.reprice): applied to
// `spec`, true; false when NAME is none (a core parameter). Throws std::invalid_argument for a
// bad value.
bool set_host_field(StrategySpec& spec, const std::string& name, const std::string& value);
bool is_host_field(const std::string& name);

// Loads the script in a fresh sandboxed state and reads it. Throws ScriptError naming the
// script (file:line for Lua errors, key path for bad values).
StrategySpec load_strategy_spec(const std::string& path);

// The line where a key path ("grid.step_atr") is assigned in the script's text, found by
// following each part in order; 0 when it is not written there (e.g. set by a lib module).
int script_line_of(const std::string& path, const std::string& key_path);

}  // namespace mmh
