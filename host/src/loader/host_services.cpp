#include "loader/host_services.hpp"

#include "engine/clock.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace mmh {

HostServices::HostServices() {
  api_.size = sizeof(api_);
  api_.abi_major = MMH_ABI_MAJOR;
  api_.abi_minor = MMH_ABI_MINOR;
  api_.host = this;
  api_.log = &log_cb;
  api_.now_ns = &now_cb;
  api_.post_batch = &post_cb;
  api_.add_timer = &timer_cb;
  api_.host_config = &config_cb;
}

void HostServices::begin_capture() {
  std::lock_guard lock(capture_mutex_);
  capturing_ = true;
  captured_.clear();
}

std::vector<std::string> HostServices::end_capture() {
  std::lock_guard lock(capture_mutex_);
  capturing_ = false;
  return std::move(captured_);
}

void HostServices::log_cb(void* host, uint32_t level, const char* plugin, const char* message) {
  auto* self = static_cast<HostServices*>(host);
  const char* name = plugin != nullptr ? plugin : "?";
  const char* text = message != nullptr ? message : "";
  switch (level) {
    case MMH_LOG_TRACE:
      spdlog::trace("[{}] {}", name, text);
      break;
    case MMH_LOG_DEBUG:
      spdlog::debug("[{}] {}", name, text);
      break;
    case MMH_LOG_WARN:
      spdlog::warn("[{}] {}", name, text);
      break;
    case MMH_LOG_ERROR:
      spdlog::error("[{}] {}", name, text);
      break;
    default:
      spdlog::info("[{}] {}", name, text);
      break;
  }
  if (level >= MMH_LOG_ERROR) {
    std::lock_guard lock(self->capture_mutex_);
    if (self->capturing_) self->captured_.emplace_back(text);
  }
}

int64_t HostServices::now_cb(void* host) {
  auto* self = static_cast<HostServices*>(host);
  if (self->clock_ != nullptr) return self->clock_->now_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

mmh_status HostServices::post_cb(void* host, void* source, const mmh_batch* batch) {
  auto* self = static_cast<HostServices*>(host);
  if (batch == nullptr) return MMH_ERR_INVALID_ARGUMENT;
  std::lock_guard lock(self->post_mutex_);
  if (!self->post_) return MMH_ERR_STATE;
  return self->post_(source, *batch);
}

mmh_status HostServices::timer_cb(void* host, int64_t due_ns, mmh_timer_fn fn, void* user) {
  auto* self = static_cast<HostServices*>(host);
  if (fn == nullptr) return MMH_ERR_INVALID_ARGUMENT;
  if (!self->timer_) return MMH_ERR_STATE;
  return self->timer_(due_ns, fn, user);
}

const char* HostServices::config_cb(void* host, const char* key) {
  auto* self = static_cast<HostServices*>(host);
  if (key == nullptr) return nullptr;
  auto it = self->config_.find(key);
  return it == self->config_.end() ? nullptr : it->second.c_str();
}

}  // namespace mmh
