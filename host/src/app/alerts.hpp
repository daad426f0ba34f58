// Alerts to a webhook (MMHOST_ALERT_WEBHOOK=https://...): an HTTP POST of a JSON body
// {"kind","message","time","run"} per alert, from a thread of its own, retried with backoff
// (0.5, 1, 2, 4 s) on a network error, a 429 or a 5xx; the engine only queues (never blocks).
// Kinds: halted, daily_loss, drawdown, stale_data, reconnect_storm, reconciliation_mismatch.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace mmh {

class AlertError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AlertSender {
 public:
  // `url`: http://HOST[:PORT]/PATH or https://... (the system's CAs, host name checked).
  // Throws AlertError for one it cannot use.
  AlertSender(const std::string& url, std::string run);
  // Tries what is queued for at most a few seconds more, then stops.
  ~AlertSender();
  AlertSender(const AlertSender&) = delete;
  AlertSender& operator=(const AlertSender&) = delete;

  // Queues an alert; drops the oldest past 256 queued (counted).
  void send(const std::string& kind, const std::string& message, int64_t ts_ns);

  uint64_t delivered() const;
  uint64_t failed() const;  // given up on after every retry
  uint64_t dropped() const;

 private:
  struct Target {
    bool tls = false;
    std::string host;
    std::string port;
    std::string path;
  };
  void work();
  // True when delivered; `retry` says whether trying again may help.
  bool post(const std::string& body, bool& retry);

  Target target_;
  std::string run_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // JSON bodies
  bool stopping_ = false;
  uint64_t delivered_ = 0;
  uint64_t failed_ = 0;
  uint64_t dropped_ = 0;
  std::thread thread_;
};

}  // namespace mmh
