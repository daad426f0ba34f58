#include "keep_alive.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace mmh::bybit {

namespace asio = boost::asio;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

asio::awaitable<void> keep_alive(std::shared_ptr<WsConnection> ws,
                                 std::shared_ptr<asio::steady_timer> timer, int64_t ping_ms,
                                 int64_t tick_ms, std::function<bool(int64_t now_ms)> check) {
  int64_t last_ping = steady_ms();
  while (ws->is_open()) {
    timer->expires_after(std::chrono::milliseconds(tick_ms));
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || !ws->is_open()) break;  // cancelled by stop(), or the reader closed it
    const int64_t now = steady_ms();
    if (now - last_ping >= ping_ms) {
      ws->send(R"({"op":"ping"})");
      last_ping = now;
    }
    if (!check(now)) break;
  }
}

}  // namespace mmh::bybit
