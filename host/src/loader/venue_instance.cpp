#include "loader/venue_instance.hpp"

#include <algorithm>
#include <cstring>

namespace mmh {

VenueInstance::VenueInstance(const LoadedPlugin& plugin,
                             const std::map<std::string, std::string>& settings)
    : plugin_(plugin) {
  const PluginConfig config(settings);
  CallError err;
  const mmh_status status = plugin_.venue.create(config.get(), this, &self_, &err);
  if (status != MMH_OK || self_ == nullptr)
    throw PluginCallError(plugin_call_failure(plugin_, "create", status, err));
}

VenueInstance::~VenueInstance() {
  if (self_ != nullptr) plugin_.venue.destroy(self_);
}

void VenueInstance::start() {
  if (plugin_.venue.start == nullptr) return;
  CallError err;
  const mmh_status status = plugin_.venue.start(self_, &err);
  if (status != MMH_OK) throw PluginCallError(plugin_call_failure(plugin_, "start", status, err));
}

bool VenueInstance::stop(uint32_t flags) {
  if (plugin_.venue.stop == nullptr) return false;
  CallError err;
  const mmh_status status = plugin_.venue.stop(self_, flags, &err);
  if (status != MMH_OK) throw PluginCallError(plugin_call_failure(plugin_, "stop", status, err));
  return true;
}

void VenueInstance::take_pending(std::vector<VenueEvent>& out) {
  out.clear();
  // Most drains find nothing (a backtest drains twice a bar): no lock for that. A post racing
  // this check is taken by the next drain, as if it had come just after this one.
  if (!has_pending_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(mutex_);
  out.swap(pending_);
  has_pending_.store(false, std::memory_order_relaxed);
}

void VenueInstance::requeue_front(std::vector<VenueEvent>& events) {
  std::lock_guard lock(mutex_);
  pending_.insert(pending_.begin(), events.begin(), events.end());
  if (!pending_.empty()) has_pending_.store(true, std::memory_order_release);
  events.clear();
}

void VenueInstance::submit(const mmh_order_command& command) {
  CallError err;
  const mmh_status status = plugin_.venue.submit(self_, &command, &err);
  if (status != MMH_OK) throw PluginCallError(plugin_call_failure(plugin_, "submit", status, err));
}

void VenueInstance::on_market(const mmh_batch& batch) {
  if (plugin_.venue.on_market == nullptr) return;
  CallError err;
  const mmh_status status = plugin_.venue.on_market(self_, &batch, &err);
  if (status != MMH_OK)
    throw PluginCallError(plugin_call_failure(plugin_, "on_market", status, err));
}

std::string VenueInstance::describe() {
  if (plugin_.venue.describe == nullptr) return {};
  std::string text(4096, '\0');
  CallError err;
  if (plugin_.venue.describe(self_, text.data(), text.size(), &err) != MMH_OK) return {};
  text.resize(strnlen(text.data(), text.size()));
  return text;
}

mmh_status VenueInstance::receive(const mmh_batch& batch) {
  std::lock_guard lock(mutex_);
  const char* p = static_cast<const char*>(batch.records);
  size_t size = 0;  // the host's size of the record: a longer one is cut to it
  switch (batch.kind) {
    case MMH_EVENT_ORDER_UPDATE:
      size = sizeof(mmh_order_update);
      break;
    case MMH_EVENT_FILL:
      size = sizeof(mmh_fill);
      break;
    case MMH_EVENT_BALANCE:
      size = sizeof(mmh_balance);
      break;
    default:
      return MMH_ERR_INVALID_ARGUMENT;  // a venue posts only execution events
  }
  for (size_t i = 0; i < batch.count; ++i, p += batch.record_size) {
    // The writer's prefix of the record: an older plugin's smaller struct leaves the rest 0.
    VenueEvent& e = pending_.emplace_back(batch.kind, p, std::min<size_t>(batch.record_size, size));
    switch (batch.kind) {
      case MMH_EVENT_ORDER_UPDATE:
        e.update.client_id[sizeof(e.update.client_id) - 1] = '\0';
        e.update.reject_reason[sizeof(e.update.reject_reason) - 1] = '\0';
        break;
      case MMH_EVENT_FILL:
        e.fill.fee_asset[sizeof(e.fill.fee_asset) - 1] = '\0';
        e.fill.client_id[sizeof(e.fill.client_id) - 1] = '\0';
        break;
      default:
        e.balance.asset[sizeof(e.balance.asset) - 1] = '\0';
    }
  }
  if (batch.count > 0) has_pending_.store(true, std::memory_order_release);
  return MMH_OK;
}

}  // namespace mmh
