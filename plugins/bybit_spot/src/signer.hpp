// Bybit V5 request signing (PROTOCOL.md §3), HMAC-SHA256 as lowercase hex:
//   REST: sign(timestamp_ms + api_key + recv_window_ms + payload), where payload is the query
//         string exactly as sent (GET, no '?') or the exact body bytes (POST);
//   WS:   sign("GET/realtime" + expires_ms).
// The signed text must be the bytes that go on the wire: build the query string once (with
// query_string) and send that same string.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace mmh::bybit {

// API credentials. The secret never leaves this struct except into the HMAC; describe() and
// logs show the key's first characters only.
struct Credentials {
  std::string api_key;
  std::string api_secret;
  std::string redacted_key() const;  // "TESTKE...", never the secret
};

std::string hmac_sha256_hex(std::string_view key, std::string_view data);

std::string rest_signature(const Credentials& credentials, int64_t timestamp_ms,
                           int64_t recv_window_ms, std::string_view payload);

std::string ws_auth_signature(const Credentials& credentials, int64_t expires_ms);

// GET parameters as a query string: keys in sorted order (as pybit and the official C++ sample
// send them), values percent-encoded except RFC 3986 unreserved characters and ',' (Bybit's list
// separator, sent and signed literally).
std::string query_string(const std::map<std::string, std::string>& params);

}  // namespace mmh::bybit
