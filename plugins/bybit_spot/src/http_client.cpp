#include "http_client.hpp"

#include "bybit_error.hpp"
#include "tls_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

#include <algorithm>
#include <cctype>

namespace mmh::bybit {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

// One keep-alive connection: plain TCP or TLS over TCP.
struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool busy = false;

  bool open() const { return plain != nullptr || tls != nullptr; }
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  void close() {
    beast::error_code ignored;
    if (open()) lowest().socket().close(ignored);
    plain.reset();
    tls.reset();
    buffer.clear();
  }
};

}  // namespace

struct HttpClient::Impl {
  asio::any_io_executor executor;
  Url base;
  std::chrono::milliseconds timeout;
  std::unique_ptr<ssl::context> tls_context;
  std::vector<std::unique_ptr<Connection>> pool;
  size_t opened = 0;

  Connection& acquire() {
    for (auto& c : pool)
      if (!c->busy && c->open()) return (c->busy = true, *c);
    for (auto& c : pool)
      if (!c->busy) return (c->busy = true, *c);
    pool.push_back(std::make_unique<Connection>());
    pool.back()->busy = true;
    return *pool.back();
  }

  std::string where() const { return base.origin(); }

  [[noreturn]] void fail(const beast::error_code& ec, const char* stage) const {
    if (ec == beast::error::timeout)
      throw BybitError(ErrorKind::timeout, where() + ": " + stage + " timed out after " +
                                               std::to_string(timeout.count()) + " ms");
    throw BybitError(ErrorKind::transport, where() + ": " + stage + " failed: " + ec.message());
  }

  asio::awaitable<void> connect(Connection& c) {
    tcp::resolver resolver(executor);
    auto [ec, endpoints] =
        co_await resolver.async_resolve(base.host, base.port, asio::as_tuple(asio::use_awaitable));
    if (ec) fail(ec, "resolve");
    if (base.tls()) {
      c.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, *tls_context);
      prepare_client_tls(*c.tls, base.host);
    } else {
      c.plain = std::make_unique<beast::tcp_stream>(executor);
    }
    ++opened;
    c.lowest().expires_after(timeout);
    auto [cec, ep] =
        co_await c.lowest().async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
    (void)ep;
    if (cec) {
      c.close();
      fail(cec, "connect");
    }
    if (c.tls) {
      c.lowest().expires_after(timeout);
      auto [hec] = co_await c.tls->async_handshake(ssl::stream_base::client,
                                                   asio::as_tuple(asio::use_awaitable));
      if (hec) {
        c.close();
        fail(hec, "TLS handshake");
      }
    }
  }

  // One exchange on an open connection; returns the error instead of throwing so the caller
  // can tell a stale keep-alive connection from a real failure.
  asio::awaitable<beast::error_code> exchange(Connection& c, http::request<http::string_body>& req,
                                              http::response<http::string_body>& res) {
    c.lowest().expires_after(timeout);
    beast::error_code ec;
    if (c.tls)
      std::tie(ec, std::ignore) =
          co_await http::async_write(*c.tls, req, asio::as_tuple(asio::use_awaitable));
    else
      std::tie(ec, std::ignore) =
          co_await http::async_write(*c.plain, req, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (c.tls)
      std::tie(ec, std::ignore) =
          co_await http::async_read(*c.tls, c.buffer, parser, asio::as_tuple(asio::use_awaitable));
    else
      std::tie(ec, std::ignore) = co_await http::async_read(*c.plain, c.buffer, parser,
                                                            asio::as_tuple(asio::use_awaitable));
    if (!ec) res = parser.release();
    co_return ec;
  }
};

HttpClient::HttpClient(asio::any_io_executor executor, Url base, const std::string& ca_file,
                       std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->executor = std::move(executor);
  impl_->base = std::move(base);
  impl_->timeout = timeout;
  if (impl_->base.tls()) {
    impl_->tls_context = make_client_tls_context(ca_file);
  }
}

HttpClient::~HttpClient() {
  for (auto& c : impl_->pool) c->close();
}

size_t HttpClient::connections_opened() const {
  return impl_->opened;
}
const Url& HttpClient::base() const {
  return impl_->base;
}

void HttpClient::close_idle() {
  for (auto& c : impl_->pool)
    if (!c->busy) c->close();
}

asio::awaitable<HttpResponse> HttpClient::send(HttpRequest request) {
  http::request<http::string_body> req{
      request.method == "POST" ? http::verb::post : http::verb::get,
      impl_->base.path + request.target, 11};
  req.set(http::field::host, impl_->base.host);
  req.set(http::field::user_agent, "mmhost-bybit/1");
  req.keep_alive(true);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  if (req.method() == http::verb::post) {
    req.body() = std::move(request.body);
    req.prepare_payload();
  }

  Connection& c = impl_->acquire();
  struct Release {
    Connection& c;
    ~Release() { c.busy = false; }
  } release{c};
  http::response<http::string_body> res;
  for (int attempt = 0;; ++attempt) {
    const bool reused = c.open();
    if (!reused) co_await impl_->connect(c);
    const beast::error_code ec = co_await impl_->exchange(c, req, res);
    if (!ec) break;
    c.close();
    // The server may close an idle keep-alive connection just as we reuse it: the first
    // exchange on it fails without a response. Open a fresh one once.
    const bool stale = reused && attempt == 0 && ec != beast::error::timeout;
    if (!stale) impl_->fail(ec, "request");
  }
  if (!res.keep_alive()) c.close();

  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    out.headers[name] = std::string(field.value());
  }
  out.body = std::move(res.body());
  co_return out;
}

}  // namespace mmh::bybit
