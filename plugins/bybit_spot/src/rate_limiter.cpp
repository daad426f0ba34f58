#include "rate_limiter.hpp"

#include <algorithm>

namespace mmh::bybit {

RateLimiter::RateLimiter() {
  // PROTOCOL.md §7.3, spot column.
  set_budget("/v5/order/create", 20);
  set_budget("/v5/order/amend", 10);
  set_budget("/v5/order/cancel", 20);
  set_budget("/v5/order/cancel-all", 20);
  set_budget("/v5/order/create-batch", 20);
  set_budget("/v5/order/amend-batch", 20);
  set_budget("/v5/order/cancel-batch", 20);
  set_budget("/v5/order/realtime", 50);
  set_budget("/v5/order/history", 50);
  set_budget("/v5/execution/list", 50);
  set_budget("/v5/account/wallet-balance", 50);
  set_ip_budget(500, 5000);
}

void RateLimiter::set_budget(const std::string& path, int per_second) {
  if (per_second <= 0) {
    endpoints_.erase(path);
    return;
  }
  endpoints_[path].limit = per_second;
}

void RateLimiter::set_ip_budget(int per_window, int64_t window_ms) {
  ip_.limit = per_window;
  ip_.window_ms = window_ms;
  ip_.sent_ms.clear();
}

int64_t RateLimiter::Window::wait_ms(int64_t now_ms, int cost) {
  while (!sent_ms.empty() && sent_ms.front() <= now_ms - window_ms) sent_ms.pop_front();
  if (limit <= 0 || static_cast<int>(sent_ms.size()) + cost <= limit) return 0;
  if (cost > limit) return sent_ms.empty() ? 0 : sent_ms.back() + window_ms - now_ms;
  // The send that has to leave the window for `cost` more to fit.
  const size_t must_expire =
      sent_ms.size() + static_cast<size_t>(cost) - static_cast<size_t>(limit);
  return sent_ms[must_expire - 1] + window_ms - now_ms;
}

void RateLimiter::Window::record(int64_t now_ms, int cost) {
  if (limit <= 0) return;
  for (int i = 0; i < cost; ++i) sent_ms.push_back(now_ms);
}

int64_t RateLimiter::acquire(const std::string& path, int64_t now_ms, int cost) {
  int64_t wait = 0;
  auto blocked = blocked_until_ms_.find(path);
  if (blocked != blocked_until_ms_.end()) {
    if (blocked->second > now_ms)
      wait = blocked->second - now_ms;
    else
      blocked_until_ms_.erase(blocked);
  }
  auto endpoint = endpoints_.find(path);
  if (endpoint != endpoints_.end()) wait = std::max(wait, endpoint->second.wait_ms(now_ms, cost));
  wait = std::max(wait, ip_.wait_ms(now_ms, 1));
  if (wait > 0) return wait;
  if (endpoint != endpoints_.end()) endpoint->second.record(now_ms, cost);
  ip_.record(now_ms, 1);
  return 0;
}

void RateLimiter::on_limit_headers(const std::string& path, int64_t remaining, int64_t reset_ms,
                                   int64_t now_ms) {
  if (remaining <= 0 && reset_ms > now_ms) block_until(path, reset_ms);
}

void RateLimiter::block_until(const std::string& path, int64_t reset_ms) {
  int64_t& until = blocked_until_ms_[path];
  until = std::max(until, reset_ms);
}

}  // namespace mmh::bybit
