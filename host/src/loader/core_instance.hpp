// An instance of a decision core plugin: events in, decisions and the desired order set out.
// Errors from the plugin become PluginCallError on the host side.
#pragma once

#include "loader/data_instance.hpp"
#include "loader/plugin_loader.hpp"

#include <functional>
#include <map>
#include <string>

namespace mmh {

class CoreInstance {
 public:
  CoreInstance(const LoadedPlugin& plugin, const std::map<std::string, std::string>& settings);
  ~CoreInstance();
  CoreInstance(const CoreInstance&) = delete;
  CoreInstance& operator=(const CoreInstance&) = delete;

  void on_events(const mmh_batch& batch);
  // Calls fn for each decision made since the last call (none when the core does not report).
  void take_decisions(const std::function<void(const mmh_decision&)>& fn);
  // False when the core does not publish a desired state. `out` borrows the core's memory until
  // the next call on this instance.
  bool desired_state(mmh_desired_state& out);
  // Applies a complete new configuration to the running core, all or nothing. Throws
  // PluginCallError with the core's reason; NOT_SUPPORTED when the core cannot reload.
  void reconfigure(const std::map<std::string, std::string>& settings);
  // The values scripts may read; false when the core exposes none. Borrowed like desired_state.
  // `wanted` > 0: only the first `wanted` values are needed (mmh_core_snapshot::wanted).
  bool snapshot(mmh_core_snapshot& out, uint32_t wanted = 0);
  // Installs (nullptr: removes) script hooks; false when the core takes none.
  bool set_hooks(const mmh_core_hooks* hooks);
  // Whether the core wants events of `kind` (its declared interest; before ABI 1.2: candles,
  // fills, balances and the instrument).
  bool wants(uint32_t kind) const { return (interest_ & MMH_EVENT_BIT(kind)) != 0; }
  const LoadedPlugin& plugin() const { return plugin_; }

 private:
  const LoadedPlugin& plugin_;
  void* self_ = nullptr;
  uint64_t interest_ = 0;
};

}  // namespace mmh
