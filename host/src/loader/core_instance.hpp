// An instance of a decision core plugin: events in, decisions and the desired order set out.
// Errors from the plugin become PluginCallError on the host side.
#pragma once

#include "loader/data_instance.hpp"
#include "loader/plugin_loader.hpp"

#include <map>
#include <string>
#include <vector>

namespace mmh {

// A core's publication (ABI 1.3), copied and checked: names the host writes into JSON, CSV and
// HTML are printable ASCII without quotes or backslashes; anything else is left out.
struct CorePublication {
  struct Metric {
    std::string name;  // dotted
    bool counter = false;
    double value = 0;
  };
  struct Band {
    std::string value;
    uint32_t rgba = 0;
  };
  struct Marker {
    std::string decision_kind;
    std::string detail_prefix;
    std::string label;
    uint32_t shape = 0;
    uint32_t position = 0;
    uint32_t rgba = 0;
  };
  std::vector<Metric> metrics;
  std::vector<std::string> bar_values;
  std::vector<Band> bands;
  std::vector<Marker> markers;
  std::vector<std::string> left_out;  // what was not taken, and why
};

class CoreInstance {
 public:
  CoreInstance(const LoadedPlugin& plugin, const std::map<std::string, std::string>& settings);
  ~CoreInstance();
  CoreInstance(const CoreInstance&) = delete;
  CoreInstance& operator=(const CoreInstance&) = delete;

  void on_events(const mmh_batch& batch);
  // Calls fn(const mmh_decision&) for each decision made since the last call (none when the
  // core does not report). A template, not a std::function: it is asked after every input.
  template <class Fn>
  void take_decisions(Fn&& fn) {
    // A core that says how many it holds (ABI 1.5) is asked before the take, which is skipped
    // when it holds none: most inputs decide nothing.
    if (decisions_queued_ != nullptr && decisions_queued_(self_) == 0) return;
    const mmh_batch batch = decision_batch();
    const char* p = static_cast<const char*>(batch.records);
    for (size_t i = 0; i < batch.count; ++i, p += batch.record_size) fn(decision_at(p));
  }
  // False when the core does not publish a desired state. `out` borrows the core's memory until
  // the next call on this instance.
  bool desired_state(mmh_desired_state& out);
  // The orders of the core's desired state now (none when it publishes no state), copied from
  // its answer. A core that numbers its sets (ABI 1.6) is asked again only when the number
  // moved: most bars change nothing.
  const std::vector<mmh_desired_order>& wanted_orders() {
    const uint64_t version = desired_version_ != nullptr ? desired_version_(self_) : 0;
    if (version == 0 || version != wanted_version_) ask_wanted(version);
    return wanted_;
  }
  // Applies a complete new configuration to the running core, all or nothing. Throws
  // PluginCallError with the core's reason; NOT_SUPPORTED when the core cannot reload.
  void reconfigure(const std::map<std::string, std::string>& settings);
  // The values scripts may read; false when the core exposes none. Borrowed like desired_state.
  // `wanted` > 0: only the first `wanted` values are needed (mmh_core_snapshot::wanted).
  bool snapshot(mmh_core_snapshot& out, uint32_t wanted = 0);
  // What the core publishes (metrics, bar values, chart bands and markers), as of now; empty
  // when it publishes nothing (a core before ABI 1.3).
  CorePublication publication();
  // Installs (nullptr: removes) script hooks; false when the core takes none.
  bool set_hooks(const mmh_core_hooks* hooks);
  // Whether the core wants events of `kind` (its declared interest; before ABI 1.2: candles,
  // fills, balances and the instrument).
  bool wants(uint32_t kind) const { return (interest_ & MMH_EVENT_BIT(kind)) != 0; }
  uint64_t interest() const { return interest_; }
  const LoadedPlugin& plugin() const { return plugin_; }

 private:
  // take_decisions' parts: the core's batch (count 0 when it reports none; throws on a failed
  // call or a batch not of decisions), and one record of it, copied, its strings terminated.
  mmh_batch decision_batch();
  static mmh_decision decision_at(const char* record);
  // wanted_orders() when the set may have changed: asks desired_state, keeps `version` with it.
  void ask_wanted(uint64_t version);

  const LoadedPlugin& plugin_;
  void* self_ = nullptr;
  uint64_t interest_ = 0;
  uint64_t (*decisions_queued_)(void* self) = nullptr;  // absent before ABI 1.5
  uint64_t (*desired_version_)(void* self) = nullptr;   // absent before ABI 1.6
  std::vector<mmh_desired_order> wanted_;               // wanted_orders()' last answer
  uint64_t wanted_version_ = 0;                         // the core's number for it (0: none)
};

}  // namespace mmh
