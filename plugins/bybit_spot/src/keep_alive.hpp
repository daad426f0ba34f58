// The ping and staleness loop both Bybit WebSocket sessions (public and private) run beside
// their reader: every tick it sends {"op":"ping"} once `ping_ms` have passed since the last
// one, then asks the session's `check(now_ms)`. It ends when the connection closes, when `check`
// returns false (the session found the stream stale and closed it, or is stopping), or when the
// timer is cancelled (stop()).
#pragma once

#include "ws_connection.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <memory>

namespace mmh::bybit {

// Monotonic milliseconds (for silence and ping intervals; never compared with exchange times).
int64_t steady_ms();

boost::asio::awaitable<void> keep_alive(std::shared_ptr<WsConnection> ws,
                                        std::shared_ptr<boost::asio::steady_timer> timer,
                                        int64_t ping_ms, int64_t tick_ms,
                                        std::function<bool(int64_t now_ms)> check);

}  // namespace mmh::bybit
