// `mmhost fetch`: Bybit spot klines into a replay candle CSV, resumable (see kline_fetch.hpp).
#pragma once

#include <ostream>
#include <string>

namespace mmh {

class HostContext;

struct FetchOptions {
  std::string symbol;
  std::string interval = "1";  // Bybit code
  std::string start;           // YYYY-MM-DD[THH:MM], UTC, inclusive
  std::string end;             // exclusive
  std::string cache;
  std::string venue;  // name (mainnet, testnet, demo) or a venue .yaml; default mainnet
  bool testnet = false;
  int limit = 1000;
  bool progress = true;
};

// Exit code: 0 done (gaps are reported, not fatal), 1 failed (what arrived is kept), 130
// interrupted (Ctrl-C; what arrived is kept).
int run_fetch(HostContext& host, const FetchOptions& options, std::ostream& out);

}  // namespace mmh
