#include "app/alerts.hpp"

#include "app/format.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>

namespace mmh {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr size_t kMaxQueued = 256;
constexpr auto kTimeout = std::chrono::seconds(5);

}  // namespace

AlertSender::AlertSender(const std::string& url, std::string run) : run_(std::move(run)) {
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    target_.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    throw AlertError("the alert webhook must be an http:// or https:// URL");
  }
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  target_.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const size_t colon = authority.rfind(':');
  const bool bracketed = !authority.empty() && authority.back() == ']';
  if (colon != std::string::npos && !bracketed) {
    target_.host = authority.substr(0, colon);
    target_.port = authority.substr(colon + 1);
  } else {
    target_.host = authority;
    target_.port = target_.tls ? "443" : "80";
  }
  if (target_.host.empty() || target_.port.empty() ||
      target_.port.find_first_not_of("0123456789") != std::string::npos)
    throw AlertError("the alert webhook URL has no host or a bad port");
  thread_ = std::thread([this] { work(); });
}

AlertSender::~AlertSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AlertSender::send(const std::string& kind, const std::string& message, int64_t ts_ns) {
  const nlohmann::ordered_json body = {
      {"kind", kind}, {"message", message}, {"time", iso_time(ts_ns)}, {"run", run_}};
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(body.dump());
  }
  cv_.notify_all();
}

uint64_t AlertSender::delivered() const {
  std::lock_guard lock(mutex_);
  return delivered_;
}

uint64_t AlertSender::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

uint64_t AlertSender::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void AlertSender::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    const std::string body = queue_.front();
    queue_.pop_front();
    const bool last_chance = stopping_;
    lock.unlock();
    bool delivered = false;
    auto backoff = std::chrono::milliseconds(500);
    for (int attempt = 0; attempt < 5 && !delivered; ++attempt) {
      bool retry = false;
      delivered = post(body, retry);
      if (delivered || !retry || last_chance) break;
      std::unique_lock wait(mutex_);
      // A stop cuts the wait short: the run is ending, one more try at most.
      if (cv_.wait_for(wait, backoff, [this] { return stopping_; })) {
        wait.unlock();
        bool again = false;
        delivered = post(body, again);
        break;
      }
      backoff *= 2;
    }
    lock.lock();
    (delivered ? delivered_ : failed_) += 1;
    if (!delivered) spdlog::warn("alert not delivered to the webhook: {}", body);
  }
}

bool AlertSender::post(const std::string& body, bool& retry) {
  retry = true;
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(target_.host, target_.port);
    http::request<http::string_body> req(http::verb::post, target_.path, 11);
    req.set(http::field::host, target_.host);
    req.set(http::field::user_agent, "mmhost");
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::response<http::string_body> res;
    beast::flat_buffer buffer;
    if (target_.tls) {
      asio::ssl::context ctx(asio::ssl::context::tls_client);
      ctx.set_default_verify_paths();
      ctx.set_verify_mode(asio::ssl::verify_peer);
      beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
      // SSL_set_tlsext_host_name, without the macro's C cast.
      if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(target_.host.c_str())) != 1)
        throw AlertError("TLS: cannot set the server name");
      stream.set_verify_callback(asio::ssl::host_name_verification(target_.host));
      beast::get_lowest_layer(stream).expires_after(kTimeout);
      beast::get_lowest_layer(stream).connect(endpoints);
      stream.handshake(asio::ssl::stream_base::client);
      http::write(stream, req);
      http::read(stream, buffer, res);
    } else {
      beast::tcp_stream stream(io);
      stream.expires_after(kTimeout);
      stream.connect(endpoints);
      http::write(stream, req);
      http::read(stream, buffer, res);
      boost::system::error_code ignored;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    }
    const unsigned code = res.result_int();
    if (code >= 200 && code < 300) return true;
    // A 4xx (but 429) will not change by trying again.
    retry = code == 429 || code >= 500;
    spdlog::warn("alert webhook answered {}", code);
    return false;
  } catch (const std::exception& e) {
    spdlog::warn("alert webhook: {}", e.what());
    return false;
  }
}

}  // namespace mmh
