// A small HTTP/1.1 client over Boost.Beast for the REST API: HTTPS with certificate and host
// name verification (system trust store, or one CA file for tests), plain HTTP for loopback
// tools, keep-alive connections reused across requests, one deadline per request. Coroutine
// based: it runs on the caller's executor and never blocks a thread.
#pragma once

#include "venue_config.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mmh::bybit {

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string target;          // path and query, exactly as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  // ca_file: PEM file of trusted CAs; empty = the system store. Throws BybitError when the TLS
  // context cannot be set up.
  HttpClient(boost::asio::any_io_executor executor, Url base, const std::string& ca_file,
             std::chrono::milliseconds timeout);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the whole response. Throws BybitError (transport or timeout);
  // any HTTP status is a response. A kept-alive connection the server closed meanwhile is
  // reopened once.
  boost::asio::awaitable<HttpResponse> send(HttpRequest request);

  // Connections opened so far (keep-alive reuses them).
  size_t connections_opened() const;
  // Closes every idle connection (tests force reconnects with it).
  void close_idle();
  const Url& base() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmh::bybit
