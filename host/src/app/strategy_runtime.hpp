// A strategy script attached to a running core: answers the core's script hooks (policy
// function, `when` guards, transitions) and the script's reads (views, now, metrics), calls
// on_start / on_bar / on_fill / on_stop, and applies risk.on_script_error when a callback fails.
// A reload swaps in a new script here; engine state lives in the core and survives.
#pragma once

#include "loader/core_instance.hpp"
#include "lua/strategy_script.hpp"

#include <mmhost/plugin.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mmh {

struct MetricStats {
  uint64_t count = 0;
  double last = 0, min = 0, max = 0, sum = 0;
};

class StrategyRuntime final : public ScriptHost {
 public:
  // `core` may be nullptr (a strategy without a core: callbacks only, views unavailable).
  StrategyRuntime(std::unique_ptr<StrategyScript> script, CoreInstance* core);
  ~StrategyRuntime() override;
  StrategyRuntime(const StrategyRuntime&) = delete;
  StrategyRuntime& operator=(const StrategyRuntime&) = delete;

  StrategyScript& script() { return *script_; }
  // The event time scripts see (mmhost.now()); hooks set it from the core's input.
  void set_now(int64_t ts_ns) { now_ns_ = ts_ns; }

  void start();
  void stop();
  void on_bar(const mmh_candle& bar);  // an HTF bar the core has just been fed
  bool wants_bars() const { return script_->has_on_bar(); }
  // A fill the core has just been fed, in decimal units (the venue knows tick and lot sizes).
  void on_fill(const mmh_fill& fill, double price, double qty, double fee);

  // Hot reload, after the core took the new script's parameters: on_reload on the new script
  // with the old mmhost.state; throws ScriptError (and keeps the old script) when that fails.
  // Success clears a stop_quoting stop.
  void swap(std::unique_ptr<StrategyScript> next);

  // Failures since the last call, as script_error decisions (kind "script_error").
  std::vector<mmh_decision> take_errors();
  uint64_t error_count() const { return errors_total_; }
  bool stopped_quoting() const { return stopped_; }
  const std::map<std::string, MetricStats>& metrics() const { return metrics_; }

  // ScriptHost
  int64_t now_ns() const override { return now_ns_; }
  const CoreValues* values() override;
  void metric(std::string_view name, double value) override;

 private:
  static const char* policy_hook(void* user, int64_t ts_ns, const char* suggested);
  static int guard_hook(void* user, int64_t ts_ns, const char* from, const char* to,
                        const char* reason);
  static void transition_hook(void* user, int64_t ts_ns, const char* from, const char* to,
                              const char* reason);
  void failed(const ScriptError& error);
  template <class Fn>
  void guarded(Fn&& fn);  // runs fn; a ScriptError goes to failed()
  void install_hooks();

  std::unique_ptr<StrategyScript> script_;
  CoreInstance* core_;
  CoreValues values_;
  int64_t now_ns_ = 0;
  bool stopped_ = false;
  uint64_t errors_total_ = 0;
  std::vector<mmh_decision> errors_;
  std::map<std::string, MetricStats> metrics_;
  // The policy level in force (the core's static names), for "keep the last decision".
  const char* level_ = nullptr;
};

}  // namespace mmh
