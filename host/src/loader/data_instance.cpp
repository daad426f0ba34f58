#include "loader/data_instance.hpp"

#include <cstddef>
#include <cstring>
#include <vector>

namespace mmh {

std::string plugin_call_failure(const LoadedPlugin& plugin, const char* call, mmh_status status,
                                const mmh_error& err) {
  const std::string why = error_message(err);
  return "plugin '" + plugin.name + "' " + call + " failed (status " + std::to_string(status) +
         "): " + (why.empty() ? "no message" : why);
}

std::string error_message(const mmh_error& err) {
  return std::string(err.message, strnlen(err.message, sizeof(err.message)));
}

PluginConfig::PluginConfig(const std::map<std::string, std::string>& settings) {
  items_.reserve(settings.size());
  for (const auto& [key, value] : settings)
    items_.push_back(mmh_config_item{key.c_str(), value.c_str()});
  config_.size = sizeof(config_);
  config_.count = items_.size();
  config_.items = items_.data();
}

DataInstance::DataInstance(const LoadedPlugin& plugin,
                           const std::map<std::string, std::string>& settings)
    : plugin_(plugin) {
  const PluginConfig config(settings);
  CallError err;
  const mmh_status status = plugin_.data.create(config.get(), this, &self_, &err);
  if (status != MMH_OK || self_ == nullptr)
    throw PluginCallError(plugin_call_failure(plugin_, "create", status, err));
}

DataInstance::~DataInstance() {
  stop();
  if (self_ != nullptr) plugin_.data.destroy(self_);
}

void DataInstance::start() {
  if (plugin_.data.start == nullptr)
    throw PluginCallError("plugin '" + plugin_.name + "' cannot stream live (no start())");
  CallError err;
  const mmh_status status = plugin_.data.start(self_, &err);
  if (status != MMH_OK) throw PluginCallError(plugin_call_failure(plugin_, "start", status, err));
  started_ = true;
}

void DataInstance::stop() {
  if (!started_ || plugin_.data.stop == nullptr) return;
  started_ = false;
  plugin_.data.stop(self_);
}

bool DataInstance::read_batch(mmh_batch& out) {
  if (plugin_.data.read_batch == nullptr) return false;
  CallError err;
  out = mmh_batch{};
  out.size = sizeof(out);
  const mmh_status status = plugin_.data.read_batch(self_, &out, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "read_batch", status, err));
  return out.count > 0;
}

mmh_source_info DataInstance::describe() {
  mmh_source_info info{};
  info.size = sizeof(info);
  if (plugin_.data.describe == nullptr) return info;
  CallError err;
  const mmh_status status = plugin_.data.describe(self_, &info, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "describe", status, err));
  return info;
}

std::optional<mmh_instrument> DataInstance::instrument() {
  if (plugin_.data.size < offsetof(mmh_data_vtable, instrument) + sizeof(void*) ||
      plugin_.data.instrument == nullptr)
    return std::nullopt;
  mmh_instrument out{};
  CallError err;
  const mmh_status status = plugin_.data.instrument(self_, &out, &err);
  if (status == MMH_ERR_NOT_SUPPORTED) return std::nullopt;
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "instrument", status, err));
  return out;
}

}  // namespace mmh
