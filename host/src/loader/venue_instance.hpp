// An instance of an execution venue plugin. Commands go in through submit(); what the venue
// answers (order updates, fills, balances) arrives through the host's post_batch and is copied
// into a queue here, to be drained by the caller between venue calls (never re-entrantly). A live
// venue posts from its own thread: the queue is locked.
#pragma once

#include "loader/data_instance.hpp"
#include "loader/plugin_loader.hpp"

#include <atomic>
#include <cstddef>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mmh {

struct VenueEvent {
  uint32_t kind;  // MMH_EVENT_ORDER_UPDATE, MMH_EVENT_FILL or MMH_EVENT_BALANCE: which is set
  union {
    mmh_order_update update;
    mmh_fill fill;
    mmh_balance balance;
  };
  VenueEvent() { std::memset(static_cast<void*>(this), 0, sizeof(*this)); }
  // Every byte of the record from `record` (`size` of them, the rest zero): one pass over the
  // union, not a zeroing and then a copy (hundreds of thousands per backtest).
  VenueEvent(uint32_t event_kind, const void* record, size_t size) : kind(event_kind) {
    char* out = reinterpret_cast<char*>(&update);
    constexpr size_t kUnion = sizeof(VenueEvent) - offsetof(VenueEvent, update);
    size = size < kUnion ? size : kUnion;
    std::memcpy(out, record, size);
    std::memset(out + size, 0, kUnion - size);
  }
};

class VenueInstance {
 public:
  VenueInstance(const LoadedPlugin& plugin, const std::map<std::string, std::string>& settings);
  ~VenueInstance();
  VenueInstance(const VenueInstance&) = delete;
  VenueInstance& operator=(const VenueInstance&) = delete;

  // Live venues: connect and reconcile (no-op for venues without start).
  void start();
  // Live venues: cancel (MMH_VENUE_STOP_CANCEL_ALL: everything on the symbol), post the final
  // state, stop posting. False when the venue has no stop. Throws PluginCallError on failure.
  bool stop(uint32_t flags);
  bool is_live() const { return plugin_.venue.start != nullptr; }
  void submit(const mmh_order_command& command);
  // Market data for simulated venues; a no-op for venues without on_market.
  void on_market(const mmh_batch& batch);
  // The venue's own description ("key: value" lines); empty when it gives none.
  std::string describe();
  // Called from the host's post_batch for batches this instance posted. Copies the records.
  mmh_status receive(const mmh_batch& batch);
  // Moves the events received since the last call, in order, into `out` (cleared first).
  void take_pending(std::vector<VenueEvent>& out);
  // Puts events taken with take_pending back before anything received since, in order.
  void requeue_front(std::vector<VenueEvent>& events);
  const LoadedPlugin& plugin() const { return plugin_; }

 private:
  const LoadedPlugin& plugin_;
  void* self_ = nullptr;
  std::mutex mutex_;
  std::vector<VenueEvent> pending_;
  std::atomic<bool> has_pending_{false};  // pending_ is not empty; written under mutex_
};

}  // namespace mmh
