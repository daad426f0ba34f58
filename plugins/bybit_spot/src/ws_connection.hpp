// One WebSocket connection to Bybit (Boost.Beast): TCP, TLS with certificate and host name
// verification (or plain ws:// for loopback tools), the WS handshake, then text frames. Sends go
// through a queue drained by one writer, so the pinger, the subscriber and the reader never
// write at once. Coroutine based; lives on one executor.
#pragma once

#include "venue_config.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace mmh::bybit {

class WsConnection : public std::enable_shared_from_this<WsConnection> {
 public:
  // Throws BybitError when TLS cannot be set up (bad CA file).
  static std::shared_ptr<WsConnection> create(boost::asio::any_io_executor executor, Url url,
                                              const std::string& ca_file,
                                              std::chrono::milliseconds handshake_timeout);
  ~WsConnection();

  // Connects and completes the TLS and WebSocket handshakes. Throws BybitError.
  boost::asio::awaitable<void> connect();
  // The next message (text). Throws BybitError (transport) when the connection ends.
  boost::asio::awaitable<std::string> read();
  // Queues a text frame; frames go out in order.
  void send(std::string text);
  // Closes the socket at once; a pending read fails.
  void close();
  bool is_open() const;

 private:
  WsConnection() = default;
  boost::asio::awaitable<void> write_loop();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmh::bybit
