// The run's Prometheus endpoint (`mmhost run --metrics 127.0.0.1:9464`): a small HTTP/1.1
// server (Boost.Beast) on its own thread. GET /metrics answers with what `render` returns (the
// text exposition, built on the engine thread); anything else is 404, any other method 405.
// Loopback unless the address says otherwise; it serves only reads, so it needs no token.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace mmh {

class MetricsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Checks "HOST:PORT" / "PORT" as the server reads it; throws MetricsError saying what is wrong.
void check_metrics_address(const std::string& address);

class MetricsServer {
 public:
  // `address`: "HOST:PORT" or "PORT" (127.0.0.1); port 0 takes a free one. `render` returns
  // the page, or an empty string when the run cannot answer now (503).
  MetricsServer(const std::string& address, std::function<std::string()> render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // "http://127.0.0.1:9464/metrics", with the port it listens on.
  const std::string& url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmh
