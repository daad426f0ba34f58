#include "private_stream.hpp"

#include "backoff.hpp"
#include "keep_alive.hpp"
#include "ws_connection.hpp"

#include <mmhost/plugin.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <functional>

namespace mmh::bybit {

namespace asio = boost::asio;

PrivateStream::PrivateStream(asio::any_io_executor executor, PrivateStreamSettings settings,
                             Credentials credentials, PrivateStreamEvents events)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      credentials_(std::move(credentials)),
      events_(std::move(events)) {}

std::string PrivateStream::auth_request(const Credentials& credentials, int64_t expires_ms) {
  return "{\"op\":\"auth\",\"args\":[\"" + credentials.api_key + "\"," +
         std::to_string(expires_ms) + ",\"" + ws_auth_signature(credentials, expires_ms) + "\"]}";
}

void PrivateStream::log(int level, const std::string& message) const {
  if (events_.log) events_.log(level, message);
}

void PrivateStream::stop() {
  stopped_ = true;
  if (ws_) ws_->close();
  if (ping_timer_) ping_timer_->cancel();
}

void PrivateStream::drop() {
  if (ws_) ws_->close();
}

asio::awaitable<void> PrivateStream::run() {
  auto self = shared_from_this();
  int failures = 0;
  while (!stopped_ && !fatal_) {
    const uint64_t auths_before = stats_.auths;
    try {
      co_await session();
    } catch (const BybitError& e) {
      if (!stopped_ && !fatal_) log(MMH_LOG_WARN, std::string("bybit private stream: ") + e.what());
    }
    if (ping_timer_) ping_timer_->cancel();  // the session's pinger ends with it
    if (events_.on_down && !fatal_) events_.on_down("private stream disconnected");
    if (stopped_ || fatal_) break;
    failures = stats_.auths > auths_before ? 1 : failures + 1;
    const int64_t delay =
        backoff_delay_ms(failures, settings_.backoff_initial_ms, settings_.backoff_max_ms, rng_);
    log(MMH_LOG_INFO, "bybit private stream: reconnecting in " + std::to_string(delay) + " ms");
    asio::steady_timer timer(executor_, std::chrono::milliseconds(delay));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> PrivateStream::pinger(std::shared_ptr<WsConnection> ws) {
  const int64_t tick = std::max<int64_t>(10, std::min(settings_.ping_ms, settings_.stale_ms) / 4);
  ping_timer_ = std::make_shared<asio::steady_timer>(executor_);
  // Named, not a temporary inside the co_await: GCC 12 destroys such temporaries twice.
  std::function<bool(int64_t)> check = [this, ws](int64_t now) {
    if (stopped_) return false;
    if (now - last_message_ms_ < settings_.stale_ms) return true;
    log(MMH_LOG_WARN, "bybit private stream: no message for " +
                          std::to_string(now - last_message_ms_) + " ms; reconnecting");
    ws->close();
    return false;
  };
  co_await keep_alive(ws, ping_timer_, settings_.ping_ms, tick, std::move(check));
}

asio::awaitable<void> PrivateStream::session() {
  ws_ = WsConnection::create(executor_, parse_url(settings_.url), settings_.ca_file,
                             std::chrono::milliseconds(settings_.connect_timeout_ms));
  std::shared_ptr<WsConnection> ws = ws_;
  co_await ws->connect();
  ++stats_.connects;
  last_message_ms_ = steady_ms();
  ws->send(auth_request(credentials_, wall_now_ms() + settings_.auth_expiry_ms));
  asio::co_spawn(executor_, pinger(ws), asio::detached);
  for (;;) {
    const std::string text = co_await ws->read();
    last_message_ms_ = steady_ms();
    ++stats_.messages;
    PrivateMessage m;
    try {
      m = parse_private_message(text);
    } catch (const BybitError& e) {
      ++stats_.parse_errors;
      log(MMH_LOG_WARN, std::string("bybit private stream: ") + e.what());
      continue;
    }
    switch (m.kind) {
      case PrivateKind::auth:
        if (!m.success) {
          fatal_ = true;
          const std::string reason =
              "private stream sign-in refused (" + m.ret_msg +
              "): check the API key and secret, and that they belong to this venue";
          log(MMH_LOG_ERROR, "bybit " + reason);
          if (events_.on_fatal) events_.on_fatal(reason);
          ws->close();
          co_return;
        }
        ++stats_.auths;
        // The all-in-one topics: spot orders arrive on `order` as on `order.spot` (§6.7).
        ws->send(settings_.dcp ? R"({"op":"subscribe","args":["order","execution","wallet","dcp"]})"
                               : R"({"op":"subscribe","args":["order","execution","wallet"]})");
        break;
      case PrivateKind::subscribe:
        if (!m.success) {
          log(MMH_LOG_ERROR, "bybit private stream: subscribe refused: " + m.ret_msg);
          ws->close();
          break;
        }
        log(MMH_LOG_INFO, "bybit private stream: signed in and subscribed (" + settings_.url + ")");
        if (events_.on_ready) events_.on_ready();
        break;
      case PrivateKind::order:
      case PrivateKind::execution:
      case PrivateKind::wallet:
        if (events_.on_message) events_.on_message(m);
        break;
      default:
        break;
    }
  }
}

}  // namespace mmh::bybit
