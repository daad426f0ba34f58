// An instance of an execution venue plugin. Commands go in through submit(); what the venue
// answers (order updates, fills, balances) arrives through the host's post_batch and is copied
// into a queue here, to be drained by the caller between venue calls (never re-entrantly).
#pragma once

#include "loader/data_instance.hpp"
#include "loader/plugin_loader.hpp"

#include <map>
#include <string>
#include <vector>

namespace mmh {

struct VenueEvent {
  uint32_t kind = 0;  // MMH_EVENT_ORDER_UPDATE, MMH_EVENT_FILL or MMH_EVENT_BALANCE
  mmh_order_update update{};
  mmh_fill fill{};
  mmh_balance balance{};
};

class VenueInstance {
 public:
  VenueInstance(const LoadedPlugin& plugin, const std::map<std::string, std::string>& settings);
  ~VenueInstance();
  VenueInstance(const VenueInstance&) = delete;
  VenueInstance& operator=(const VenueInstance&) = delete;

  void submit(const mmh_order_command& command);
  // Market data for simulated venues; a no-op for venues without on_market.
  void on_market(const mmh_batch& batch);
  // The venue's own description ("key: value" lines); empty when it gives none.
  std::string describe();
  // Called from the host's post_batch for batches this instance posted. Copies the records.
  mmh_status receive(const mmh_batch& batch);
  // The events received since the last call, in order.
  std::vector<VenueEvent>& pending() { return pending_; }
  const LoadedPlugin& plugin() const { return plugin_; }

 private:
  const LoadedPlugin& plugin_;
  void* self_ = nullptr;
  std::vector<VenueEvent> pending_;
};

}  // namespace mmh
