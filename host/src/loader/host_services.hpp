// The host side of mmh_host_api: logging, clock, event posting, timers and config lookup that
// the host hands to every plugin.
#pragma once

#include <mmhost/plugin.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mmh {

class Clock;

class HostServices {
 public:
  // Receives batches posted by live connectors: (source handle, batch).
  using PostFn = std::function<mmh_status(void* source, const mmh_batch& batch)>;
  using TimerFn = std::function<mmh_status(int64_t due_ns, mmh_timer_fn fn, void* user)>;

  HostServices();
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  const mmh_host_api* api() const { return &api_; }

  void set_clock(const Clock* clock) { clock_ = clock; }
  // Thread-safe: a live connector may be posting from its own thread meanwhile.
  void set_post(PostFn fn) {
    std::lock_guard lock(post_mutex_);
    post_ = std::move(fn);
  }
  void set_timer(TimerFn fn) { timer_ = std::move(fn); }
  void set_config(const std::string& key, const std::string& value) { config_[key] = value; }

  // While capturing, error lines logged by plugins are also collected (to explain a failed init).
  void begin_capture();
  std::vector<std::string> end_capture();

 private:
  static void log_cb(void* host, uint32_t level, const char* plugin, const char* message);
  static int64_t now_cb(void* host);
  static mmh_status post_cb(void* host, void* source, const mmh_batch* batch);
  static mmh_status timer_cb(void* host, int64_t due_ns, mmh_timer_fn fn, void* user);
  static const char* config_cb(void* host, const char* key);

  mmh_host_api api_{};
  const Clock* clock_ = nullptr;
  std::mutex post_mutex_;  // guards post_ (set on the engine thread, called from plugin threads)
  PostFn post_;
  TimerFn timer_;
  std::map<std::string, std::string> config_;
  std::mutex capture_mutex_;
  bool capturing_ = false;
  std::vector<std::string> captured_;
};

}  // namespace mmh
