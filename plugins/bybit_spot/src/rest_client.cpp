#include "rest_client.hpp"

#include "backoff.hpp"

#include <mmhost/plugin.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace mmh::bybit {

namespace asio = boost::asio;

int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string utc_text(int64_t ms) {
  const std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

int64_t header_int(const HttpResponse& res, const char* name, int64_t fallback) {
  const std::string text = res.header(name);
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return fallback;
  return std::stoll(text);
}

}  // namespace

RestClient::RestClient(asio::any_io_executor executor, const VenueConfig& venue,
                       std::optional<Credentials> credentials, LogFn log)
    : executor_(executor),
      venue_(venue),
      credentials_(std::move(credentials)),
      log_(std::move(log)),
      http_(executor, parse_url(venue.rest_url), venue.ca_file,
            std::chrono::milliseconds(venue.timeout_ms)),
      rng_(std::random_device{}()) {}

int64_t RestClient::server_now_ms() const {
  return wall_now_ms() + offset_ms_;
}

void RestClient::log(int level, const std::string& message) const {
  if (log_) log_(level, message);
}

asio::awaitable<void> RestClient::sleep_ms(int64_t ms) {
  if (ms <= 0) co_return;
  asio::steady_timer timer(executor_, std::chrono::milliseconds(ms));
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<RestReply> RestClient::get(const std::string& path,
                                           const std::map<std::string, std::string>& params,
                                           bool signed_request) {
  co_return co_await call("GET", path, query_string(params), {}, signed_request);
}

asio::awaitable<RestReply> RestClient::post(const std::string& path, std::string body, int cost) {
  co_return co_await call("POST", path, {}, std::move(body), true, cost);
}

asio::awaitable<void> RestClient::sync_time() {
  const int64_t before = wall_now_ms();
  const RestReply reply = co_await call("GET", "/v5/market/time", {}, {}, false);
  const int64_t after = wall_now_ms();
  const int64_t server_ms = parse_server_time_ms(reply.body);
  offset_ms_ = server_ms - (before + after) / 2;
  log(MMH_LOG_DEBUG, "bybit: server clock offset " + std::to_string(offset_ms_) + " ms (" +
                         std::to_string(after - before) + " ms round trip)");
}

asio::awaitable<RestReply> RestClient::call(const std::string& method, const std::string& path,
                                            const std::string& query, std::string body,
                                            bool signed_request, int cost) {
  if (signed_request && !credentials_)
    throw BybitError(ErrorKind::exchange,
                     path + " needs API keys (BYBIT_API_KEY/BYBIT_API_SECRET)");
  const std::string target = path + (query.empty() ? "" : "?" + query);
  for (int attempt = 1;; ++attempt) {
    if (banned_until_ms_ > 0) {
      if (wall_now_ms() < banned_until_ms_)
        throw BybitError(ErrorKind::banned,
                         "Bybit banned this IP (HTTP 403); no request is sent "
                         "until " +
                             utc_text(banned_until_ms_) + " (" + method + " " + path + " refused)",
                         403);
      banned_until_ms_ = 0;
    }
    for (;;) {  // the client's own budget first: never provoke the exchange's limits
      const int64_t wait = limiter_.acquire(path, wall_now_ms(), cost);
      if (wait <= 0) break;
      ++stats_.rate_limit_waits;
      co_await sleep_ms(wait);
    }

    HttpRequest request;
    request.method = method;
    request.target = target;
    if (signed_request) {
      const int64_t ts = server_now_ms();
      const std::string& payload = method == "POST" ? body : query;
      request.headers = {
          {"X-BAPI-API-KEY", credentials_->api_key},
          {"X-BAPI-TIMESTAMP", std::to_string(ts)},
          {"X-BAPI-RECV-WINDOW", std::to_string(venue_.recv_window_ms)},
          {"X-BAPI-SIGN", rest_signature(*credentials_, ts, venue_.recv_window_ms, payload)},
          {"X-BAPI-SIGN-TYPE", "2"},
      };
    }
    if (method == "POST") {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = body;
    }

    ++stats_.requests;
    std::optional<BybitError> failure;
    HttpResponse res;
    try {
      res = co_await http_.send(std::move(request));
    } catch (const BybitError& e) {
      failure = e;
    }
    if (!failure) {
      const int64_t now = wall_now_ms();
      if (!res.header("x-bapi-limit-status").empty())
        limiter_.on_limit_headers(path, header_int(res, "x-bapi-limit-status", 1),
                                  header_int(res, "x-bapi-limit-reset-timestamp", 0), now);
      if (res.status == 403) {
        banned_until_ms_ = now + venue_.ban_ms;
        ++stats_.bans;
        const std::string message =
            "HTTP 403 from " + http_.base().origin() + path +
            ": Bybit refuses this IP (too many requests, or a blocked region); every request "
            "stops until " +
            utc_text(banned_until_ms_);
        log(MMH_LOG_ERROR, message);
        throw BybitError(ErrorKind::banned, message, 403);
      }
      if (res.status != 200) {
        failure =
            BybitError(ErrorKind::http,
                       method + " " + path + ": HTTP " + std::to_string(res.status), res.status);
      } else {
        Envelope env = parse_envelope(res.body);
        if (env.ret_code == 0) {
          RestReply reply;
          reply.body = std::move(res.body);
          reply.envelope = std::move(env);
          reply.attempts = attempt;
          co_return reply;
        }
        failure = BybitError(ErrorKind::exchange,
                             method + " " + path + ": Bybit error " + std::to_string(env.ret_code) +
                                 " (" + env.ret_msg + ")",
                             200, env.ret_code, env.ret_msg);
        if (failure->recovery() == Recovery::wait_limit)
          limiter_.block_until(path, header_int(res, "x-bapi-limit-reset-timestamp", now + 1000));
      }
    }

    const Recovery recovery = failure->recovery();
    const bool retryable = recovery == Recovery::retry || recovery == Recovery::wait_limit ||
                           recovery == Recovery::resync_time;
    if (!retryable || attempt >= venue_.max_attempts) {
      if (retryable)
        throw BybitError(failure->kind(),
                         std::string(failure->what()) + " (gave up after " +
                             std::to_string(attempt) + " attempts)",
                         failure->http_status(), failure->ret_code(), failure->ret_msg());
      throw *failure;
    }
    ++stats_.retries;
    if (recovery == Recovery::resync_time && path != "/v5/market/time") {
      ++stats_.time_resyncs;
      log(MMH_LOG_WARN, std::string("bybit: ") + failure->what() + "; resynchronising the clock");
      co_await sync_time();
      continue;
    }
    const int64_t delay =
        recovery == Recovery::wait_limit
            ? 0
            : backoff_delay_ms(attempt, venue_.backoff_initial_ms, venue_.backoff_max_ms, rng_);
    log(MMH_LOG_WARN,
        std::string("bybit: ") + failure->what() + "; retry " + std::to_string(attempt) + " of " +
            std::to_string(venue_.max_attempts - 1) + " in " + std::to_string(delay) + " ms");
    co_await sleep_ms(delay);  // a 10006 waits inside the limiter on the next pass
  }
}

}  // namespace mmh::bybit
