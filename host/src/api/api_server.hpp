// The HTTP API of `mmhost serve` (Boost.Beast, HTTP/1.1, JSON): runs submitted, listed, read,
// cancelled and streamed; their artifacts served from the run directories. Every POST needs
// `Authorization: Bearer <token>`; bodies over the limit are refused (413); errors are JSON
// naming the field at fault. docs/serve.md lists every endpoint with curl examples.
#pragma once

#include "api/job_spec.hpp"
#include "store/run_store.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace mmh::api {

class ServeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ApiOptions {
  std::string listen = "127.0.0.1:8080";  // port 0: a free one
  std::string token;                      // required by every mutating call
  SpecContext spec;
  std::filesystem::path store_dir;
  std::vector<std::filesystem::path> session_dirs;  // where paper/live/paced runs are (Live page)
  std::string params_catalog_json;  // `mmhost params --json` (GET /catalog), or empty
  size_t body_limit = 1 << 20;
  int threads = 2;
  // Workers' state for /health: {"slots": N, "busy": M} or whatever the mode reports.
  std::function<std::string()> workers_json;
};

class ApiServer {
 public:
  ApiServer(store::RunStore& store, ApiOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;
  const std::string& url() const;  // http://127.0.0.1:8080

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether "HOST:PORT" binds a loopback address only.
bool loopback_address(const std::string& listen);

}  // namespace mmh::api
