#include "loader/core_instance.hpp"

#include "engine/event_time.hpp"

#include <cstddef>
#include <cstring>
#include <vector>

namespace mmh {

CoreInstance::CoreInstance(const LoadedPlugin& plugin,
                           const std::map<std::string, std::string>& settings)
    : plugin_(plugin) {
  const PluginConfig config(settings);
  mmh_error err{};
  err.size = sizeof(err);
  const mmh_status status = plugin_.core.create(config.get(), this, &self_, &err);
  if (status != MMH_OK || self_ == nullptr)
    throw PluginCallError(plugin_call_failure(plugin_, "create", status, err));
  const bool declares =
      plugin_.core.size >= offsetof(mmh_core_vtable, event_interest) + sizeof(void*) &&
      plugin_.core.event_interest != nullptr;
  interest_ = declares ? plugin_.core.event_interest(self_)
                       : MMH_EVENT_BIT(MMH_EVENT_CANDLE) | MMH_EVENT_BIT(MMH_EVENT_FILL) |
                             MMH_EVENT_BIT(MMH_EVENT_BALANCE) | MMH_EVENT_BIT(MMH_EVENT_INSTRUMENT);
}

CoreInstance::~CoreInstance() {
  if (self_ != nullptr) plugin_.core.destroy(self_);
}

void CoreInstance::on_events(const mmh_batch& batch) {
  mmh_error err{};
  err.size = sizeof(err);
  const mmh_status status = plugin_.core.on_events(self_, &batch, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "on_events", status, err));
}

void CoreInstance::take_decisions(const std::function<void(const mmh_decision&)>& fn) {
  if (plugin_.core.take_decisions == nullptr) return;
  mmh_error err{};
  err.size = sizeof(err);
  mmh_batch batch{};
  batch.size = sizeof(batch);
  const mmh_status status = plugin_.core.take_decisions(self_, &batch, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "take_decisions", status, err));
  if (batch.count == 0) return;
  if (batch.kind != MMH_EVENT_DECISION || batch.record_size < sizeof(mmh_decision))
    throw PluginCallError("plugin '" + plugin_.name +
                          "' take_decisions returned a batch that is not of decisions");
  const char* p = static_cast<const char*>(batch.records);
  for (size_t i = 0; i < batch.count; ++i, p += batch.record_size) {
    mmh_decision d;
    std::memcpy(&d, p, sizeof(d));
    // Never trust a plugin's string to be terminated.
    d.kind[sizeof(d.kind) - 1] = '\0';
    d.detail[sizeof(d.detail) - 1] = '\0';
    fn(d);
  }
}

void CoreInstance::reconfigure(const std::map<std::string, std::string>& settings) {
  if (plugin_.core.reconfigure == nullptr)
    throw PluginCallError("plugin '" + plugin_.name +
                          "' cannot reload its parameters while running");
  const PluginConfig config(settings);
  mmh_error err{};
  err.size = sizeof(err);
  const mmh_status status = plugin_.core.reconfigure(self_, config.get(), &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "reconfigure", status, err));
}

bool CoreInstance::desired_state(mmh_desired_state& out) {
  out = mmh_desired_state{};
  out.size = sizeof(out);
  if (plugin_.core.desired_state == nullptr) return false;
  mmh_error err{};
  err.size = sizeof(err);
  const mmh_status status = plugin_.core.desired_state(self_, &out, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "desired_state", status, err));
  out.mode[sizeof(out.mode) - 1] = '\0';
  return true;
}

bool CoreInstance::snapshot(mmh_core_snapshot& out, uint32_t wanted) {
  out = mmh_core_snapshot{};
  out.size = sizeof(out);
  out.wanted = wanted;
  if (plugin_.core.snapshot == nullptr) return false;
  mmh_error err{};
  err.size = sizeof(err);
  const mmh_status status = plugin_.core.snapshot(self_, &out, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "snapshot", status, err));
  return true;
}

bool CoreInstance::set_hooks(const mmh_core_hooks* hooks) {
  if (plugin_.core.set_hooks == nullptr) return false;
  mmh_error err{};
  err.size = sizeof(err);
  const mmh_status status = plugin_.core.set_hooks(self_, hooks, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "set_hooks", status, err));
  return true;
}

}  // namespace mmh
