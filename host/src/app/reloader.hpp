// Hot reload of a running strategy: watches its files (and SIGHUP) and swaps a new version in
// as one transaction.
#pragma once

#include "app/run_command.hpp"
#include "app/strategy_runtime.hpp"
#include "loader/core_instance.hpp"
#include "loader/plugin_loader.hpp"
#include "lua/script_watch.hpp"
#include "lua/strategy_spec.hpp"

#include <mmhost/plugin.h>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace mmh {

// "plugin 'bos_mm' create failed (status 1): grid.levels must be in [1, 20], got 99" becomes
// "s.lua:12: grid.levels must be in [1, 20], got 99 (bos_mm)": the line of the parameter named
// first in the message, when the script sets it.
std::string core_param_error(const StrategySpec& spec, const std::string& core,
                             const std::string& message);

// Swaps a new version of the strategy script into the running strategy when its files change,
// as one transaction: load the new script in a fresh state and validate it, optionally dry-run
// it on the last N HTF bars with a scratch core, reconfigure the core (all or nothing), then call
// the new script's on_reload(old_state); if that fails the core gets its old parameters back.
// Any failure keeps the old script and parameters and reports reload_failed with why.
class Reloader {
 public:
  // `watch`: the run reloads (it runs on the wall clock and --no-reload was not given); without
  // it no file is watched and no SIGHUP handler is installed, so the run's parameters are the
  // ones it started with.
  Reloader(StrategySpec spec, const LoadedPlugin* core_plugin,
           std::map<std::string, std::string> base_settings, bool watch);

  // Live data: the connector is the run's, not the script's.
  void set_live_data() { live_data_ = true; }

  // A core parameter the run sets whatever the script says (a --param override, a live run's
  // capital from the wallet): it holds across reloads.
  void force(const std::string& name, const std::string& value);

  // The core and runtime are created from settings_for() after the reloader exists.
  void attach(CoreInstance* core, StrategyRuntime* runtime);

  // When a reload was attempted: counts it and fills a decision for the report (kind reload_ok
  // or reload_failed).
  bool check(int64_t ts_ns, DecisionSummary& summary, mmh_decision& out);

  std::map<std::string, std::string> settings_for(const StrategySpec& spec) const;

  // What a dry run replays: the candles the core was fed over the last `dry_run_bars` HTF bars.
  void remember(const mmh_candle& bar, bool htf);

 private:
  static std::string first_line(const std::string& message);

  bool reload(std::string& detail);

  // Replays the remembered bars through a scratch core driven by a second copy of the new
  // script; the first script error fails the reload. The running core and script are untouched.
  bool dry_run(const StrategySpec& spec, std::string& detail);

  struct Remembered {
    mmh_candle bar;
    bool htf;
  };
  StrategySpec spec_;
  const LoadedPlugin* core_plugin_;
  CoreInstance* core_ = nullptr;
  StrategyRuntime* runtime_ = nullptr;
  std::map<std::string, std::string> base_settings_;
  std::optional<ScriptWatch> watch_;
  std::deque<Remembered> history_;
  int64_t history_htf_ = 0;
  bool live_data_ = false;
  std::map<std::string, std::string> forced_;
};

}  // namespace mmh
