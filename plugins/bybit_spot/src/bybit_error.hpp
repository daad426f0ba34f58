// Typed failures of Bybit requests and what to do about each (PROTOCOL.md §7). HTTP 200 is not
// success: an envelope with retCode != 0 is an `exchange` error carrying that code.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace mmh::bybit {

enum class ErrorKind {
  transport,  // connect/TLS/read/write failure, connection closed
  timeout,    // no complete response within the request timeout
  http,       // a non-200 status other than 403
  banned,     // HTTP 403: the IP is banned; every request stops until the ban ends
  exchange,   // HTTP 200 with retCode != 0
  parse,      // the response is not the JSON the protocol describes
};

// What the client does with a failed request.
enum class Recovery {
  retry,        // back off (with jitter) and send again: timeouts, 5xx, 429, 10000, 10016
  resync_time,  // 10002: fetch /v5/market/time, then send again
  wait_limit,   // 10006 / 170005 / 170222: wait for the rate-limit window, then send again
  stop,         // 403: no request until the ban ends
  reconcile,    // the order is already gone/done (110001, 170213, ...): ask, never resend
  fail,         // the request is wrong or forbidden: report it
};

class BybitError : public std::runtime_error {
 public:
  BybitError(ErrorKind kind, std::string message, int http_status = 0, int64_t ret_code = 0,
             std::string ret_msg = {})
      : std::runtime_error(std::move(message)),
        kind_(kind),
        http_status_(http_status),
        ret_code_(ret_code),
        ret_msg_(std::move(ret_msg)) {}

  ErrorKind kind() const { return kind_; }
  int http_status() const { return http_status_; }
  int64_t ret_code() const { return ret_code_; }
  const std::string& ret_msg() const { return ret_msg_; }
  Recovery recovery() const;

 private:
  ErrorKind kind_;
  int http_status_;
  int64_t ret_code_;
  std::string ret_msg_;
};

// The recovery for a retCode of an HTTP 200 envelope.
Recovery recovery_for_ret_code(int64_t ret_code);

const char* to_string(ErrorKind kind);

}  // namespace mmh::bybit
