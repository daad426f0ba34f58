// What a run will do, decided before anything is opened: the strategy as the command line
// amends it, which plugins it names (data connector, core, venue), which clock drives it, the
// RiskGate's limits and where its files go. Every mode is the same pipeline; the mode shows only
// here, in the clock and the plugins. `mmhost run --plan` prints it and stops.
#pragma once

#include "app/run_command.hpp"
#include "loader/plugin_loader.hpp"
#include "lua/strategy_spec.hpp"
#include "risk/risk_gate.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace mmh {

class HostContext;

// The plugin `name` of `kind`, or a RunError naming the strategy's key (`key`) and the plugins
// of that kind there are.
const LoadedPlugin& find_plugin(HostContext& host, const std::string& name, uint32_t kind,
                                const char* kind_name, const std::string& path, const char* key);

struct RunPlan {
  StrategySpec spec;           // the script's, with --symbol, --ltf/--htf and --param applied
  std::string data_connector;  // plugin name (market.data, or connectors.live for paper/live)
  // The plugins found for the names here (null: none named); the run opens these.
  const LoadedPlugin* data_plugin = nullptr;
  const LoadedPlugin* core_plugin = nullptr;
  const LoadedPlugin* venue_plugin = nullptr;
  bool live_data = false;    // the connector streams: the run is on the wall clock
  std::string core;          // plugin name; empty = decisions are not made
  std::string venue;         // plugin name; empty = nothing executes
  bool real_orders = false;  // --live: the venue is the exchange
  bool wall_clock = false;   // live data or a paced replay (--speed)
  bool hot_reload = false;   // only runs on the wall clock reload, unless --no-reload
  RiskLimits risk;           // the host's limits tightened by the strategy's
  std::string run_dir;       // wall-clock runs: --out, or empty for a new one under runs/
  bool resume = false;       // --resume: carry on the run in run_dir
  std::vector<std::string> tick_files;  // trade tapes and books for the venue
};

// Throws UsageError for options that exclude each other, RunError for a plugin that is not
// there (naming those that are).
RunPlan plan_run(HostContext& host, const RunOptions& options, StrategySpec spec);
// The plan as lines of "key  value" text.
void print_run_plan(const RunPlan& plan, std::ostream& out);

}  // namespace mmh
