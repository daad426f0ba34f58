// A loaded strategy script: its own sandboxed Lua state with the mmhost API, the spec read from
// what it returned, and its callbacks. Every call goes through LuaState::protected_call (budget,
// memory cap, traceback) and throws ScriptError naming file:line; the caller decides what a
// failure means (StrategyRuntime applies risk.on_script_error).
#pragma once

#include "lua/lua_state.hpp"
#include "lua/script_api.hpp"
#include "lua/strategy_spec.hpp"

#include <mmhost/plugin.h>

#include <map>
#include <memory>
#include <string>

namespace mmh {

class StrategyScript {
 public:
  // Runs the script file and reads its strategy table. `host` may be nullptr (validation only).
  // Throws ScriptError.
  StrategyScript(const std::string& path, ScriptHost* host);
  ~StrategyScript();
  StrategyScript(const StrategyScript&) = delete;
  StrategyScript& operator=(const StrategyScript&) = delete;

  const StrategySpec& spec() const { return spec_; }
  LuaState& lua() { return *lua_; }
  void set_host(ScriptHost* host);

  // Callbacks; each does nothing when the script does not define it.
  void on_start();
  void on_stop();
  void on_bar(const mmh_candle& bar);  // HTF bar, just closed
  // Whether on_bar does anything: the callbacks are fixed when the script loads.
  bool has_on_bar() const { return has_on_bar_; }
  void on_transition(const char* from, const char* to, const char* reason);
  void on_fill(const mmh_fill& fill, double price, double qty, double fee);
  // Called on the new script after a swap; `old` is the previous script, whose mmhost.state is
  // copied in as this script's mmhost.state and passed as the argument.
  void on_reload(StrategyScript& old);

  // policy = function(m, ctx): the level's name in the core's vocabulary ("disabled",
  // "defensive", "normal"). `suggested` and `level` are the thresholds' answer and the level in
  // force; `inputs` fills m (atr_pct, volatility_pct, spread_bps, drawdown_pct,
  // inventory_share, bars_since_bos). Throws when the function fails or answers something else.
  struct PolicyInputs {
    double atr_pct = 0, volatility_pct = 0, spread_bps = -1, drawdown_pct = 0, inventory_share = 0,
           bars_since_bos = -1;
  };
  const char* policy(const PolicyInputs& inputs, const char* suggested, const char* level);
  bool has_policy() const { return policy_ref_ != kNoRef; }

  // The `when` function of the scripted edge `from.reason`; false when there is none.
  bool guard(const char* from, const char* reason);

 private:
  static constexpr int kNoRef = -2;
  int ref_of(const char* name);          // a registry ref to top[name], or kNoRef
  bool push_callback(const char* name);  // pushes it; false when the script has none
  void call(int nargs, int nresults, const char* what);
  static ScriptError with_context(const ScriptError& e, const char* what);

  std::unique_ptr<LuaState> lua_;
  StrategySpec spec_;
  int strategy_ref_ = kNoRef;
  int root_view_ref_ = kNoRef;  // ctx
  std::map<std::string, int> callbacks_;
  bool has_on_bar_ = false;
  int policy_ref_ = kNoRef;
  int policy_inputs_ref_ = kNoRef;  // the reused backing table of the policy's `m`
  int policy_view_ref_ = kNoRef;    // the read-only proxy passed as `m`
  int policy_keys_ref_ = kNoRef;    // m's field names and the level names, interned once
  int bar_ref_ = kNoRef;            // reused bar table for on_bar, and its proxy
  int bar_view_ref_ = kNoRef;
  std::map<std::string, int, std::less<>> guards_;
};

}  // namespace mmh
