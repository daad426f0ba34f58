#include "loader/core_instance.hpp"

#include "engine/event_time.hpp"

#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

namespace mmh {

CoreInstance::CoreInstance(const LoadedPlugin& plugin,
                           const std::map<std::string, std::string>& settings)
    : plugin_(plugin) {
  const PluginConfig config(settings);
  CallError err;
  const mmh_status status = plugin_.core.create(config.get(), this, &self_, &err);
  if (status != MMH_OK || self_ == nullptr)
    throw PluginCallError(plugin_call_failure(plugin_, "create", status, err));
  const bool declares =
      plugin_.core.size >= offsetof(mmh_core_vtable, event_interest) + sizeof(void*) &&
      plugin_.core.event_interest != nullptr;
  interest_ = declares ? plugin_.core.event_interest(self_)
                       : MMH_EVENT_BIT(MMH_EVENT_CANDLE) | MMH_EVENT_BIT(MMH_EVENT_FILL) |
                             MMH_EVENT_BIT(MMH_EVENT_BALANCE) | MMH_EVENT_BIT(MMH_EVENT_INSTRUMENT);
  if (plugin_.core.size >= offsetof(mmh_core_vtable, decisions_queued) + sizeof(void*) &&
      plugin_.core.take_decisions != nullptr)
    decisions_queued_ = plugin_.core.decisions_queued;
  if (plugin_.core.size >= offsetof(mmh_core_vtable, desired_version) + sizeof(void*) &&
      plugin_.core.desired_state != nullptr)
    desired_version_ = plugin_.core.desired_version;
}

CoreInstance::~CoreInstance() {
  if (self_ != nullptr) plugin_.core.destroy(self_);
}

void CoreInstance::on_events(const mmh_batch& batch) {
  CallError err;
  const mmh_status status = plugin_.core.on_events(self_, &batch, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "on_events", status, err));
}

mmh_batch CoreInstance::decision_batch() {
  mmh_batch batch{};
  batch.size = sizeof(batch);
  if (plugin_.core.take_decisions == nullptr) return batch;
  CallError err;
  const mmh_status status = plugin_.core.take_decisions(self_, &batch, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "take_decisions", status, err));
  if (batch.count == 0) return batch;
  if (batch.kind != MMH_EVENT_DECISION || batch.record_size < sizeof(mmh_decision))
    throw PluginCallError("plugin '" + plugin_.name +
                          "' take_decisions returned a batch that is not of decisions");
  return batch;
}

mmh_decision CoreInstance::decision_at(const char* record) {
  mmh_decision d;
  std::memcpy(&d, record, sizeof(d));
  // Never trust a plugin's string to be terminated.
  d.kind[sizeof(d.kind) - 1] = '\0';
  d.detail[sizeof(d.detail) - 1] = '\0';
  return d;
}

void CoreInstance::reconfigure(const std::map<std::string, std::string>& settings) {
  if (plugin_.core.reconfigure == nullptr)
    throw PluginCallError("plugin '" + plugin_.name +
                          "' cannot reload its parameters while running");
  const PluginConfig config(settings);
  CallError err;
  const mmh_status status = plugin_.core.reconfigure(self_, config.get(), &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "reconfigure", status, err));
}

bool CoreInstance::desired_state(mmh_desired_state& out) {
  out = mmh_desired_state{};
  out.size = sizeof(out);
  if (plugin_.core.desired_state == nullptr) return false;
  CallError err;
  const mmh_status status = plugin_.core.desired_state(self_, &out, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "desired_state", status, err));
  out.mode[sizeof(out.mode) - 1] = '\0';
  return true;
}

void CoreInstance::ask_wanted(uint64_t version) {
  wanted_.clear();
  mmh_desired_state d{};
  if (desired_state(d)) wanted_.assign(d.orders, d.orders + d.count);
  wanted_version_ = version;
}

bool CoreInstance::snapshot(mmh_core_snapshot& out, uint32_t wanted) {
  out = mmh_core_snapshot{};
  out.size = sizeof(out);
  out.wanted = wanted;
  if (plugin_.core.snapshot == nullptr) return false;
  CallError err;
  const mmh_status status = plugin_.core.snapshot(self_, &out, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "snapshot", status, err));
  return true;
}

namespace {

// Printable ASCII without '"' or '\\' (JSON, CSV and HTML take it as it is, escaped only for
// HTML), and for dotted names no empty segment.
bool plain_text(const char* text, bool dotted) {
  if (text == nullptr || *text == '\0') return false;
  char last = '.';
  for (const char* c = text; *c != '\0'; ++c) {
    if (*c < 0x20 || *c > 0x7e || *c == '"' || *c == '\\' || *c == ',') return false;
    if (dotted && *c == '.' && last == '.') return false;
    last = *c;
  }
  return !dotted || last != '.';
}

// A decision kind as mmh_decision has them: [a-z0-9_]+.
bool decision_kind(const char* text) {
  if (text == nullptr || *text == '\0') return false;
  for (const char* c = text; *c != '\0'; ++c)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) return false;
  return true;
}

}  // namespace

CorePublication CoreInstance::publication() {
  CorePublication pub;
  if (plugin_.core.publish == nullptr) return pub;
  mmh_core_publication out{};
  out.size = sizeof(out);
  CallError err;
  const mmh_status status = plugin_.core.publish(self_, &out, &err);
  if (status != MMH_OK) throw PluginCallError(plugin_call_failure(plugin_, "publish", status, err));
  auto left_out = [&](const char* what, const char* name) {
    pub.left_out.push_back(std::string(what) + " '" + (name == nullptr ? "(null)" : name) +
                           "': not printable ASCII, or a quote, backslash, comma or empty part");
  };
  for (size_t i = 0; i < out.metric_count; ++i) {
    const mmh_core_metric& m = out.metrics[i];
    if (!plain_text(m.name, true) || !std::isfinite(m.value) ||
        (m.type != MMH_METRIC_COUNTER && m.type != MMH_METRIC_GAUGE)) {
      left_out("metric", m.name);
      continue;
    }
    pub.metrics.push_back({m.name, m.type == MMH_METRIC_COUNTER, m.value});
  }
  for (size_t i = 0; i < out.bar_value_count; ++i) {
    if (plain_text(out.bar_values[i], false))
      pub.bar_values.emplace_back(out.bar_values[i]);
    else
      left_out("bar value", out.bar_values[i]);
  }
  for (size_t i = 0; i < out.band_count; ++i) {
    if (plain_text(out.bands[i].value, false))
      pub.bands.push_back({out.bands[i].value, out.bands[i].rgba});
    else
      left_out("band", out.bands[i].value);
  }
  for (size_t i = 0; i < out.marker_count; ++i) {
    const mmh_core_marker& m = out.markers[i];
    const bool prefix_ok = m.detail_prefix == nullptr || *m.detail_prefix == '\0' ||
                           plain_text(m.detail_prefix, false);
    if (!decision_kind(m.decision_kind) || !plain_text(m.label, false) || !prefix_ok ||
        m.shape < MMH_MARKER_ARROW_UP || m.shape > MMH_MARKER_SQUARE ||
        (m.position != MMH_MARKER_ABOVE && m.position != MMH_MARKER_BELOW)) {
      left_out("marker", m.decision_kind);
      continue;
    }
    pub.markers.push_back({m.decision_kind, m.detail_prefix == nullptr ? "" : m.detail_prefix,
                           m.label, m.shape, m.position, m.rgba});
  }
  return pub;
}

bool CoreInstance::set_hooks(const mmh_core_hooks* hooks) {
  if (plugin_.core.set_hooks == nullptr) return false;
  CallError err;
  const mmh_status status = plugin_.core.set_hooks(self_, hooks, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "set_hooks", status, err));
  return true;
}

}  // namespace mmh
