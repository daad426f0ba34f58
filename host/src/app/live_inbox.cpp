#include "app/live_inbox.hpp"

#include <spdlog/spdlog.h>

namespace mmh {

mmh_status LiveInbox::post(const mmh_batch& batch) {
  std::lock_guard lock(mutex_);
  if (closed_) return MMH_ERR_STATE;  // the run is stopping: late events are not delivered
  if (engine_ != nullptr) {
    try {
      engine_->post_live(batch);
    } catch (const EngineError& e) {
      spdlog::error("live event dropped: {}", e.what());
      return MMH_ERR_STATE;
    }
    return MMH_OK;
  }
  if (batch.count == 0) return MMH_OK;
  if (batch.kind == MMH_EVENT_INSTRUMENT && !instrument_)
    instrument_ = *static_cast<const mmh_instrument*>(batch.records);
  if (batch.kind == MMH_EVENT_CANDLE)
    last_close_e8_ = static_cast<const mmh_candle*>(batch.records)[batch.count - 1].close_e8;
  pending_.emplace_back(batch);
  return MMH_OK;
}

std::optional<mmh_instrument> LiveInbox::instrument() {
  std::lock_guard lock(mutex_);
  return instrument_;
}

int64_t LiveInbox::last_close_e8() {
  std::lock_guard lock(mutex_);
  return last_close_e8_;
}

void LiveInbox::attach(Engine& engine) {
  std::lock_guard lock(mutex_);
  for (const OwnedBatch& p : pending_)
    if (p.kind() != MMH_EVENT_INSTRUMENT) engine.post_live(p.batch());  // the run was built from it
  pending_.clear();
  engine_ = &engine;
}

void LiveInbox::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  engine_ = nullptr;
}

}  // namespace mmh
