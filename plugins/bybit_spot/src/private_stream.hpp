// The private WebSocket session (PROTOCOL.md §3.2, §6.7): connects to /v5/private, signs in
// ("auth" with an expiring HMAC), subscribes to `order`, `execution` and `wallet`, pings every
// 20 s, and reconnects with exponential backoff and jitter when the connection drops or goes
// quiet. Private topics send no snapshot on subscribe, so every time the subscription is
// confirmed `on_ready` fires and the owner reconciles through REST; `on_down` fires when the
// session is lost (fills may be missed from then until the next on_ready).
#pragma once

#include "private_message.hpp"
#include "rest_client.hpp"
#include "signer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>

namespace mmh::bybit {

struct PrivateStreamSettings {
  std::string url;  // wss://stream.bybit.com/v5/private
  std::string ca_file;
  int64_t ping_ms = 20000;
  int64_t stale_ms = 60000;        // nothing (not even a pong) for this long: reconnect
  int64_t auth_expiry_ms = 10000;  // the signed "expires" lies this far ahead
  int64_t connect_timeout_ms = 10000;
  int64_t backoff_initial_ms = 500;
  int64_t backoff_max_ms = 30000;
  // Subscribe `dcp` too: the exchange's disconnected-cancel-all only fires for a connection
  // subscribed to it.
  bool dcp = false;
};

struct PrivateStreamStats {
  uint64_t connects = 0;
  uint64_t auths = 0;
  uint64_t messages = 0;
  uint64_t parse_errors = 0;
};

struct PrivateStreamEvents {
  std::function<void()> on_ready;                                 // subscribed: reconcile now
  std::function<void(const std::string& reason)> on_down;         // session lost
  std::function<void(const PrivateMessage& message)> on_message;  // order/execution/wallet
  // Auth refused (bad key/secret): retrying cannot help; the stream stops.
  std::function<void(const std::string& reason)> on_fatal;
  LogFn log;
};

class PrivateStream : public std::enable_shared_from_this<PrivateStream> {
 public:
  PrivateStream(boost::asio::any_io_executor executor, PrivateStreamSettings settings,
                Credentials credentials, PrivateStreamEvents events);
  // Runs until stop() or a refused auth; reconnects otherwise.
  boost::asio::awaitable<void> run();
  void stop();
  // Closes the current connection (tests, and the owner when it distrusts the session).
  void drop();
  const PrivateStreamStats& stats() const { return stats_; }

  // {"op":"auth","args":[key, expires_ms, signature]}
  static std::string auth_request(const Credentials& credentials, int64_t expires_ms);

 private:
  boost::asio::awaitable<void> session();
  boost::asio::awaitable<void> pinger(std::shared_ptr<class WsConnection> ws);
  void log(int level, const std::string& message) const;

  boost::asio::any_io_executor executor_;
  PrivateStreamSettings settings_;
  Credentials credentials_;
  PrivateStreamEvents events_;
  PrivateStreamStats stats_;
  std::shared_ptr<class WsConnection> ws_;
  std::shared_ptr<boost::asio::steady_timer> ping_timer_;  // cancelled by stop()
  bool stopped_ = false;
  bool fatal_ = false;
  int64_t last_message_ms_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace mmh::bybit
