// Where a Bybit environment lives and how to talk to it: configs/venues/<name>.yaml
// (mainnet, testnet, demo; tests write one pointing at their loopback fake). Never secrets.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::bybit {

// An absolute http(s)/ws(s) URL split for the client: "https://api.bybit.com" ->
// {https, api.bybit.com, 443, ""}.
struct Url {
  std::string scheme;  // http, https, ws or wss
  std::string host;
  std::string port;
  std::string path;  // "" or "/v5/public/spot"
  bool tls() const { return scheme == "https" || scheme == "wss"; }
  std::string origin() const;  // scheme://host[:port]
};
// Throws std::invalid_argument naming the problem.
Url parse_url(std::string_view text);

struct VenueConfig {
  std::string name;            // mainnet, testnet, demo, or a test's own
  std::string rest_url;        // https://api.bybit.com
  std::string ws_public_url;   // wss://stream.bybit.com/v5/public/spot
  std::string ws_private_url;  // wss://stream.bybit.com/v5/private
  std::string ws_trade_url;    // empty where the environment has no WS order entry (demo)
  std::string ca_file;         // extra trusted CA (PEM) instead of the system store; tests only
  int64_t recv_window_ms = 5000;
  int64_t timeout_ms = 10000;        // per request: connect + send + complete response
  int max_attempts = 5;              // per request, retries included
  int64_t backoff_initial_ms = 250;  // first retry delay; doubles per attempt, with jitter
  int64_t backoff_max_ms = 8000;
  int64_t ban_ms = 600000;   // how long HTTP 403 stops every request (Bybit: >= 10 min)
  bool batch_orders = true;  // /v5/order/create-batch for spot (demo has none)
  std::string source_file;   // the YAML it came from
};

class VenueConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads one venue file. Unknown keys, wrong types and bad URLs throw VenueConfigError naming
// file:line.
VenueConfig load_venue_config(const std::string& path);

// A venue by name ("testnet" -> <dir>/testnet.yaml for the first dir that has it) or by path
// (anything with a '/' or ending in .yaml). Throws VenueConfigError listing what was searched.
VenueConfig find_venue_config(const std::string& name_or_path,
                              const std::vector<std::string>& search_dirs);

}  // namespace mmh::bybit
