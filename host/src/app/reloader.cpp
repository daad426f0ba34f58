#include "app/reloader.hpp"

#include "lua/lua_state.hpp"
#include "lua/strategy_script.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

namespace mmh {

std::string core_param_error(const StrategySpec& spec, const std::string& core,
                             const std::string& message) {
  const size_t colon = message.find("): ");
  const std::string what = colon == std::string::npos ? message : message.substr(colon + 3);
  size_t first = std::string::npos;
  std::string named;
  for (const auto& [name, value] : spec.core_params) {
    const size_t at = what.find(name);
    if (at < first) {
      first = at;
      named = name;
    }
  }
  const auto alias = spec.param_aliases.find(named);
  const std::string written = alias == spec.param_aliases.end() ? named : alias->second;
  const int line = written.empty() ? 0 : script_line_of(spec.path, written);
  return spec.path + (line > 0 ? ":" + std::to_string(line) : "") + ": " + what +
         (written != named ? " (set as " + written + ")" : "") + " (" + core + ")";
}

Reloader::Reloader(StrategySpec spec, const LoadedPlugin* core_plugin,
                   std::map<std::string, std::string> base_settings, bool watch)
    : spec_(std::move(spec)), core_plugin_(core_plugin), base_settings_(std::move(base_settings)) {
  if (watch) watch_.emplace(spec_.source_files);
}

void Reloader::force(const std::string& name, const std::string& value) {
  forced_[name] = value;
  spec_.core_params[name] = value;
}

void Reloader::attach(CoreInstance* core, StrategyRuntime* runtime) {
  core_ = core;
  runtime_ = runtime;
}

bool Reloader::check(int64_t ts_ns, DecisionSummary& summary, mmh_decision& out) {
  if (core_ == nullptr || !watch_ || !watch_->poll()) return false;
  out = mmh_decision{};
  out.ts_ns = ts_ns;
  std::string detail;
  const bool ok = reload(detail);
  ++(ok ? summary.reloads_ok : summary.reloads_failed);
  std::snprintf(out.kind, sizeof(out.kind), "%s", ok ? "reload_ok" : "reload_failed");
  std::snprintf(out.detail, sizeof(out.detail), "%s", detail.c_str());
  if (ok)
    spdlog::info("reload_ok: {}", detail);
  else
    spdlog::warn("reload_failed: {} (the previous script keeps running)", detail);
  return true;
}

std::map<std::string, std::string> Reloader::settings_for(const StrategySpec& spec) const {
  std::map<std::string, std::string> settings = base_settings_;
  settings["quote_asset"] = spec.quote_asset;
  for (const auto& [name, value] : spec.core_params) settings["param." + name] = value;
  for (const auto& [name, value] : forced_) settings["param." + name] = value;
  return settings;
}

void Reloader::remember(const mmh_candle& bar, bool htf) {
  if (spec_.dry_run_bars <= 0) return;
  history_.push_back({bar, htf});
  if (htf) ++history_htf_;
  while (history_htf_ > spec_.dry_run_bars) {
    if (history_.front().htf) --history_htf_;
    history_.pop_front();
  }
}

std::string Reloader::first_line(const std::string& message) {
  return message.substr(0, message.find('\n'));  // the traceback stays in the log
}

bool Reloader::reload(std::string& detail) {
  std::unique_ptr<StrategyScript> next;
  try {
    next = std::make_unique<StrategyScript>(spec_.path, nullptr);
  } catch (const std::exception& e) {  // a ScriptError, or out of memory building it
    spdlog::debug("{}", e.what());
    detail = first_line(e.what());
    return false;
  }
  const StrategySpec& spec = next->spec();
  watch_->watch(spec.source_files);
  // A paper run replaces the script's data connector; the reloaded script's choice is moot.
  const bool same_data = live_data_ || (spec.data_plugin == spec_.data_plugin &&
                                        spec.replay_file == spec_.replay_file);
  if (spec.core_plugin != spec_.core_plugin || !same_data || spec.symbol != spec_.symbol ||
      spec.ltf_interval_ns != spec_.ltf_interval_ns ||
      spec.htf_interval_ns != spec_.htf_interval_ns || spec.venue_plugin != spec_.venue_plugin ||
      spec.quote_asset != spec_.quote_asset) {
    detail = spec_.path + ": core, market and venue cannot change while running; restart the run";
    return false;
  }
  if (spec.dry_run_bars > 0 && !dry_run(spec, detail)) return false;
  try {
    core_->reconfigure(settings_for(spec));
  } catch (const PluginCallError& e) {
    detail = core_param_error(spec, core_plugin_->name, e.what());
    return false;
  }
  StrategySpec next_spec = spec;
  for (const auto& [name, value] : forced_) next_spec.core_params[name] = value;
  try {
    runtime_->swap(std::move(next));
  } catch (const std::exception& e) {         // on_reload failed (or memory ran out): keep the old
    core_->reconfigure(settings_for(spec_));  // these were in force a moment ago
    spdlog::debug("{}", e.what());
    detail = first_line(e.what());
    return false;
  }
  std::string changed;
  auto note = [&](const std::string& name, const std::string& from, const std::string& to) {
    changed += (changed.empty() ? "" : ", ") + name + " " + from + " -> " + to;
  };
  for (const auto& [name, value] : next_spec.core_params) {
    auto old = spec_.core_params.find(name);
    if (old == spec_.core_params.end())
      note(name, "(default)", value);
    else if (old->second != value)
      note(name, old->second, value);
  }
  for (const auto& [name, value] : spec_.core_params)
    if (next_spec.core_params.count(name) == 0) note(name, value, "(default)");
  if (next_spec.policy_function != spec_.policy_function)
    note("policy", spec_.policy_function ? "function" : "table",
         next_spec.policy_function ? "function" : "table");
  detail = "changed: " + (changed.empty() ? std::string("nothing") : changed);
  spec_ = std::move(next_spec);
  return true;
}

bool Reloader::dry_run(const StrategySpec& spec, std::string& detail) {
  try {
    CoreInstance scratch(*core_plugin_, settings_for(spec));
    StrategyRuntime trial(std::make_unique<StrategyScript>(spec.path, nullptr), &scratch);
    trial.start();
    for (const Remembered& r : history_) {
      mmh_batch batch{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, 1, &r.bar};
      trial.set_now(r.bar.open_ts_ns + r.bar.interval_ns);
      scratch.on_events(batch);
      scratch.take_decisions([](const mmh_decision&) {});
      if (r.htf) trial.on_bar(r.bar);
      const std::vector<mmh_decision> errors = trial.take_errors();
      if (!errors.empty()) {
        detail = std::string(errors.front().detail) + " (dry run on the last " +
                 std::to_string(history_htf_) + " HTF bars)";
        return false;
      }
    }
  } catch (const PluginCallError& e) {
    detail = core_param_error(spec, core_plugin_->name, e.what());
    return false;
  } catch (const std::exception& e) {
    detail = first_line(e.what()) + " (dry run)";
    return false;
  }
  return true;
}

}  // namespace mmh
