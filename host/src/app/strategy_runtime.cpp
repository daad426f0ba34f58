#include "app/strategy_runtime.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

namespace mmh {

StrategyRuntime::StrategyRuntime(std::unique_ptr<StrategyScript> script, CoreInstance* core)
    : script_(std::move(script)), core_(core) {
  script_->set_host(this);
  install_hooks();
}

StrategyRuntime::~StrategyRuntime() {
  if (core_ != nullptr) {
    try {
      core_->set_hooks(nullptr);
    } catch (...) {  // a destructor must not throw; the core is going away too
    }
  }
}

void StrategyRuntime::install_hooks() {
  if (core_ == nullptr) return;
  const StrategySpec& spec = script_->spec();
  // Any Lua function can fail, and stop_quoting acts through the policy hook.
  const bool needed =
      spec.policy_function || !spec.scripted_edges.empty() || !spec.callbacks.empty();
  if (!needed) {
    core_->set_hooks(nullptr);
    return;
  }
  mmh_core_hooks hooks{};
  hooks.size = sizeof(hooks);
  hooks.user = this;
  hooks.policy = &StrategyRuntime::policy_hook;
  hooks.guard = &StrategyRuntime::guard_hook;
  hooks.transition = &StrategyRuntime::transition_hook;
  if (!core_->set_hooks(&hooks) && (spec.policy_function || !spec.scripted_edges.empty()))
    throw ScriptError(spec.path + ": core '" + spec.core_plugin +
                      "' takes no script hooks, so policy and transition functions cannot run");
}

const CoreValues* StrategyRuntime::values() {
  if (core_ == nullptr) return nullptr;
  mmh_core_snapshot snapshot{};
  if (!core_->snapshot(snapshot)) return nullptr;
  values_.assign(snapshot.values, snapshot.count);
  return &values_;
}

void StrategyRuntime::metric(std::string_view name, double value) {
  auto [it, added] = metrics_.try_emplace(std::string(name));
  MetricStats& m = it->second;
  m.min = added ? value : std::min(m.min, value);
  m.max = added ? value : std::max(m.max, value);
  m.last = value;
  m.sum += value;
  ++m.count;
}

void StrategyRuntime::failed(const ScriptError& error) {
  ++errors_total_;
  const std::string message = error.what();
  const std::string first = message.substr(0, message.find('\n'));
  const bool stop = script_->spec().on_script_error == ScriptErrorAction::stop_quoting;
  spdlog::warn("script_error: {} ({})", first,
               stop ? "risk.on_script_error = stop_quoting: policy Disabled until a reload"
                    : "risk.on_script_error = keep: the last decision stands");
  spdlog::debug("{}", message);
  if (stop) stopped_ = true;
  mmh_decision d{};
  d.ts_ns = now_ns_;
  std::snprintf(d.kind, sizeof(d.kind), "script_error");
  std::snprintf(d.detail, sizeof(d.detail), "%s", first.c_str());
  errors_.push_back(d);
}

template <class Fn>
void StrategyRuntime::guarded(Fn&& fn) {
  try {
    fn();
  } catch (const ScriptError& e) {
    failed(e);
  }
}

void StrategyRuntime::start() {
  guarded([&] { script_->on_start(); });
}

void StrategyRuntime::stop() {
  guarded([&] { script_->on_stop(); });
}

void StrategyRuntime::on_bar(const mmh_candle& bar) {
  set_now(bar.open_ts_ns + bar.interval_ns);
  guarded([&] { script_->on_bar(bar); });
}

void StrategyRuntime::on_fill(const mmh_fill& fill, double price, double qty, double fee) {
  set_now(fill.ts_ns);
  guarded([&] { script_->on_fill(fill, price, qty, fee); });
}

void StrategyRuntime::swap(std::unique_ptr<StrategyScript> next) {
  next->set_host(this);
  next->on_reload(*script_);  // throws: the caller keeps the old script
  script_ = std::move(next);
  stopped_ = false;
  install_hooks();
}

std::vector<mmh_decision> StrategyRuntime::take_errors() {
  std::vector<mmh_decision> out;
  out.swap(errors_);
  return out;
}

// The hooks run inside the core's on_events: nothing may escape them.
const char* StrategyRuntime::policy_hook(void* user, int64_t ts_ns, const char* suggested) {
  auto* self = static_cast<StrategyRuntime*>(user);
  self->set_now(ts_ns);
  if (self->level_ == nullptr) self->level_ = suggested;
  const char* answer = nullptr;  // keep the suggestion
  if (self->stopped_) {
    answer = "disabled";
  } else if (self->script_->has_policy()) {
    try {
      const CoreValues* values = self->values();
      auto number = [&](const char* group, const char* key, double fallback) {
        const mmh_core_value* v = values != nullptr ? values->find(group, key) : nullptr;
        return v != nullptr ? v->number : fallback;
      };
      StrategyScript::PolicyInputs in;
      in.atr_pct = number("market", "atr_pct", 0);
      in.volatility_pct = number("market", "volatility_pct", 0);
      in.spread_bps = number("market", "spread_bps", -1);
      in.drawdown_pct = number("pnl", "drawdown_pct", 0);
      in.inventory_share = number("inventory", "share", 0);
      in.bars_since_bos = number("structure", "bars_since_bos", -1);
      answer = self->script_->policy(in, suggested, self->level_);
    } catch (const ScriptError& e) {
      self->failed(e);
      // Keep the last decision, unless this failure stops quoting.
      answer = self->stopped_ ? "disabled" : self->level_;
    } catch (...) {
      answer = self->level_;
    }
  }
  self->level_ = answer != nullptr ? answer : suggested;
  return answer;
}

int StrategyRuntime::guard_hook(void* user, int64_t ts_ns, const char* from, const char*,
                                const char* reason) {
  auto* self = static_cast<StrategyRuntime*>(user);
  self->set_now(ts_ns);
  if (self->stopped_) return 0;
  bool holds = false;
  try {
    holds = self->script_->guard(from, reason);
  } catch (const ScriptError& e) {
    self->failed(e);
  } catch (...) {
  }
  return holds ? 1 : 0;
}

void StrategyRuntime::transition_hook(void* user, int64_t ts_ns, const char* from, const char* to,
                                      const char* reason) {
  auto* self = static_cast<StrategyRuntime*>(user);
  self->set_now(ts_ns);
  try {
    self->script_->on_transition(from, to, reason);
  } catch (const ScriptError& e) {
    self->failed(e);
  } catch (...) {
  }
}

}  // namespace mmh
