// The Bybit V5 REST client (PROTOCOL.md §2, §3, §7): signs private requests, checks every
// envelope's retCode, retries what is worth retrying with exponential backoff and full jitter
// (timeouts, transport errors, 5xx, 429, 10000, 10016), waits out rate-limit windows (10006 and
// the X-Bapi-Limit headers), resynchronises its clock with /v5/market/time on 10002, and on
// HTTP 403 stops every request for the ban period, saying so loudly.
#pragma once

#include "bybit_error.hpp"
#include "http_client.hpp"
#include "rate_limiter.hpp"
#include "rest_response.hpp"
#include "signer.hpp"
#include "venue_config.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>

namespace mmh::bybit {

// level: MMH_LOG_* from plugin.h. Messages never contain the secret or a signature.
using LogFn = std::function<void(int level, const std::string& message)>;

struct RestReply {
  std::string body;  // the whole response, retCode 0
  Envelope envelope;
  int attempts = 1;
};

struct RestStats {
  uint64_t requests = 0;  // sent on the wire, retries included
  uint64_t retries = 0;
  uint64_t time_resyncs = 0;
  uint64_t rate_limit_waits = 0;
  uint64_t bans = 0;
};

class RestClient {
 public:
  // Throws BybitError when the base URL's TLS context cannot be set up.
  RestClient(boost::asio::any_io_executor executor, const VenueConfig& venue,
             std::optional<Credentials> credentials, LogFn log);

  // Public or signed GET; params are sent as a sorted query string (the signed text).
  boost::asio::awaitable<RestReply> get(const std::string& path,
                                        const std::map<std::string, std::string>& params,
                                        bool signed_request = false);
  // Signed POST of exactly these body bytes; `cost` = orders in it (batch endpoints are
  // limited per order, not per request).
  boost::asio::awaitable<RestReply> post(const std::string& path, std::string body, int cost = 1);
  // Measures the server clock offset (midpoint of the round trip).
  boost::asio::awaitable<void> sync_time();

  int64_t time_offset_ms() const { return offset_ms_; }
  // Local wall clock corrected by the measured offset.
  int64_t server_now_ms() const;
  const RestStats& stats() const { return stats_; }
  // Fixed jitter for reproducible tests.
  void seed_jitter(uint64_t seed) { rng_.seed(seed); }

 private:
  boost::asio::awaitable<RestReply> call(const std::string& method, const std::string& path,
                                         const std::string& query, std::string body,
                                         bool signed_request, int cost = 1);
  boost::asio::awaitable<void> sleep_ms(int64_t ms);
  void log(int level, const std::string& message) const;

  boost::asio::any_io_executor executor_;
  VenueConfig venue_;
  std::optional<Credentials> credentials_;
  LogFn log_;
  HttpClient http_;
  RateLimiter limiter_;
  RestStats stats_;
  int64_t offset_ms_ = 0;
  int64_t banned_until_ms_ = 0;
  std::mt19937_64 rng_;
};

// Wall clock, Unix ms.
int64_t wall_now_ms();
// "2025-01-01T00:05:00Z" for a time in ms (UTC).
std::string utc_text(int64_t ms);

}  // namespace mmh::bybit
