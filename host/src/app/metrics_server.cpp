#include "app/metrics_server.hpp"

#include "app/endpoint_text.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <thread>

namespace mmh {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct MetricsServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::function<std::string()> render;
  std::string url;
  std::thread thread;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        continue;
      }
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::empty_body> parser;
      parser.header_limit(8 * 1024);
      stream.expires_after(std::chrono::seconds(10));
      boost::system::error_code ec;
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;  // closed, timed out, or not HTTP: nothing to answer
      const auto& req = parser.get();
      http::response<http::string_body> res;
      res.version(req.version());
      res.set(http::field::server, "mmhost");
      const std::string_view target(req.target().data(), req.target().size());
      const std::string_view path = target.substr(0, target.find('?'));
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET, HEAD");
        res.body() = "only GET /metrics\n";
      } else if (path != "/metrics") {
        res.result(http::status::not_found);
        res.body() = "mmhost serves its figures at /metrics\n";
      } else {
        // The engine renders it; this thread waits at most the inbox's timeout.
        std::string page = render();
        if (page.empty()) {
          res.result(http::status::service_unavailable);
          res.body() = "the run cannot answer now (busy or stopping)\n";
        } else {
          res.result(http::status::ok);
          res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
          res.body() = std::move(page);
        }
      }
      if (res.result() != http::status::ok)
        res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      if (req.method() == http::verb::head) res.body().clear();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
};

namespace {

tcp::endpoint parse_address(const std::string& address) {
  const std::optional<tcp::endpoint> endpoint = parse_endpoint(address);
  if (!endpoint)
    throw MetricsError("--metrics " + address +
                       ": expected HOST:PORT with a numeric address, e.g. 127.0.0.1:9464");
  return *endpoint;
}

}  // namespace

void check_metrics_address(const std::string& address) {
  parse_address(address);
}

MetricsServer::MetricsServer(const std::string& address, std::function<std::string()> render)
    : impl_(std::make_unique<Impl>()) {
  impl_->render = std::move(render);
  boost::system::error_code ec;
  const tcp::endpoint endpoint = parse_address(address);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw MetricsError("--metrics " + address + ": cannot listen: " + ec.message());
  impl_->url = http_origin(impl_->acceptor.local_endpoint()) + "/metrics";
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([io = &impl_->io] { io->run(); });
}

MetricsServer::~MetricsServer() {
  asio::post(impl_->io, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->io.stop();
  });
  if (impl_->thread.joinable()) impl_->thread.join();
}

const std::string& MetricsServer::url() const {
  return impl_->url;
}

}  // namespace mmh
