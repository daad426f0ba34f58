// Client-side request budget (PROTOCOL.md §7): a static per-endpoint budget in a rolling 1 s
// window (Bybit's per-UID spot limits), an IP-wide budget under the 600 requests / 5 s ban line,
// and whatever the exchange says in X-Bapi-Limit-Status / X-Bapi-Limit-Reset-Timestamp (or a
// 10006) about the endpoint's window. Pure bookkeeping on caller-supplied times, so it is tested
// without a clock.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace mmh::bybit {

class RateLimiter {
 public:
  // Bybit spot defaults for the private endpoints and the IP budget (500 per 5 s, below 600).
  RateLimiter();

  // Requests per rolling second for `path`; 0 removes the budget.
  void set_budget(const std::string& path, int per_second);
  void set_ip_budget(int per_window, int64_t window_ms);

  // How long to wait before sending `cost` requests to `path` at now_ms; 0 means go now, and
  // the send is then recorded.
  int64_t acquire(const std::string& path, int64_t now_ms, int cost = 1);

  // The exchange's view after a response: when `remaining` is 0 nothing more goes to `path`
  // until reset_ms.
  void on_limit_headers(const std::string& path, int64_t remaining, int64_t reset_ms,
                        int64_t now_ms);
  // 10006: the endpoint's window is exhausted until reset_ms (or a second when unknown).
  void block_until(const std::string& path, int64_t reset_ms);

 private:
  struct Window {
    int limit = 0;
    int64_t window_ms = 1000;
    std::deque<int64_t> sent_ms;
    int64_t wait_ms(int64_t now_ms, int cost);
    void record(int64_t now_ms, int cost);
  };
  std::map<std::string, Window> endpoints_;
  std::map<std::string, int64_t> blocked_until_ms_;
  Window ip_;
};

}  // namespace mmh::bybit
