#include "ws_connection.hpp"

#include "bybit_error.hpp"
#include "tls_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>

namespace mmh::bybit {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct WsConnection::Impl {
  asio::any_io_executor executor;
  Url url;
  std::chrono::milliseconds timeout{10000};
  std::unique_ptr<ssl::context> tls_context;
  std::unique_ptr<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> tls;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> plain;
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;
  std::unique_ptr<asio::steady_timer> wake;  // the writer waits on it while the outbox is empty
  bool open = false;
  bool writing = false;

  [[noreturn]] void fail(const beast::error_code& ec, const char* stage) const {
    throw BybitError(ec == beast::error::timeout ? ErrorKind::timeout : ErrorKind::transport,
                     url.origin() + url.path + ": " + stage + " failed: " + ec.message());
  }
  beast::tcp_stream& lowest() {
    return tls ? beast::get_lowest_layer(*tls) : beast::get_lowest_layer(*plain);
  }
};

std::shared_ptr<WsConnection> WsConnection::create(asio::any_io_executor executor, Url url,
                                                   const std::string& ca_file,
                                                   std::chrono::milliseconds handshake_timeout) {
  std::shared_ptr<WsConnection> c(new WsConnection());
  c->impl_ = std::make_unique<Impl>();
  Impl& i = *c->impl_;
  i.executor = executor;
  i.url = std::move(url);
  i.timeout = handshake_timeout;
  i.wake = std::make_unique<asio::steady_timer>(executor);
  if (i.url.tls()) {
    i.tls_context = make_client_tls_context(ca_file);
  }
  return c;
}

WsConnection::~WsConnection() {
  close();
}

bool WsConnection::is_open() const {
  return impl_->open;
}

asio::awaitable<void> WsConnection::connect() {
  Impl& i = *impl_;
  tcp::resolver resolver(i.executor);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(i.url.host, i.url.port, asio::as_tuple(asio::use_awaitable));
  if (rec) i.fail(rec, "resolve");
  if (i.url.tls()) {
    i.tls = std::make_unique<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(
        i.executor, *i.tls_context);
    prepare_client_tls(i.tls->next_layer(), i.url.host);
  } else {
    i.plain = std::make_unique<websocket::stream<beast::tcp_stream>>(i.executor);
  }
  i.lowest().expires_after(i.timeout);
  auto [cec, ep] =
      co_await i.lowest().async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  (void)ep;
  if (cec) i.fail(cec, "connect");
  if (i.tls) {
    i.lowest().expires_after(i.timeout);
    auto [hec] = co_await i.tls->next_layer().async_handshake(ssl::stream_base::client,
                                                              asio::as_tuple(asio::use_awaitable));
    if (hec) i.fail(hec, "TLS handshake");
  }
  // The WebSocket layer keeps its own timeouts from here (Bybit pings are application level).
  i.lowest().expires_never();
  websocket::stream_base::timeout opts =
      websocket::stream_base::timeout::suggested(beast::role_type::client);
  opts.handshake_timeout = i.timeout;
  const std::string host = i.url.host + ":" + i.url.port;
  const std::string target = i.url.path.empty() ? "/" : i.url.path;
  beast::error_code wec;
  if (i.tls) {
    i.tls->set_option(opts);
    std::tie(wec) =
        co_await i.tls->async_handshake(host, target, asio::as_tuple(asio::use_awaitable));
  } else {
    i.plain->set_option(opts);
    std::tie(wec) =
        co_await i.plain->async_handshake(host, target, asio::as_tuple(asio::use_awaitable));
  }
  if (wec) i.fail(wec, "WebSocket handshake");
  i.open = true;
  asio::co_spawn(
      i.executor, [self = shared_from_this()] { return self->write_loop(); }, asio::detached);
}

asio::awaitable<std::string> WsConnection::read() {
  Impl& i = *impl_;
  if (!i.open)
    throw BybitError(ErrorKind::transport, i.url.origin() + i.url.path + ": not connected");
  i.buffer.clear();
  beast::error_code ec;
  if (i.tls)
    std::tie(ec, std::ignore) =
        co_await i.tls->async_read(i.buffer, asio::as_tuple(asio::use_awaitable));
  else
    std::tie(ec, std::ignore) =
        co_await i.plain->async_read(i.buffer, asio::as_tuple(asio::use_awaitable));
  if (ec) {
    // Closing also wakes the writer, which would otherwise wait forever on an empty outbox and
    // keep this connection (and its io_context) alive after every reconnect.
    close();
    i.fail(ec, "read");
  }
  co_return beast::buffers_to_string(i.buffer.data());
}

void WsConnection::send(std::string text) {
  impl_->outbox.push_back(std::move(text));
  impl_->wake->cancel();
}

asio::awaitable<void> WsConnection::write_loop() {
  auto self = shared_from_this();  // the connection outlives its writer
  Impl& i = *impl_;
  while (i.open) {
    if (i.outbox.empty()) {
      i.wake->expires_at(asio::steady_timer::time_point::max());
      co_await i.wake->async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    std::string text = std::move(i.outbox.front());
    i.outbox.pop_front();
    beast::error_code ec;
    if (i.tls) {
      i.tls->text(true);
      std::tie(ec, std::ignore) =
          co_await i.tls->async_write(asio::buffer(text), asio::as_tuple(asio::use_awaitable));
    } else {
      i.plain->text(true);
      std::tie(ec, std::ignore) =
          co_await i.plain->async_write(asio::buffer(text), asio::as_tuple(asio::use_awaitable));
    }
    if (ec) {
      close();
      co_return;
    }
  }
}

void WsConnection::close() {
  if (!impl_) return;
  Impl& i = *impl_;
  i.open = false;
  i.outbox.clear();
  if (i.wake) i.wake->cancel();
  beast::error_code ignored;
  if (i.tls || i.plain) i.lowest().socket().close(ignored);
}

}  // namespace mmh::bybit
