// `mmhost fetch`: history from a data connector that can download it (the configured live
// connector, Bybit spot by default) into a replay candle CSV, resumable.
#pragma once

#include <ostream>
#include <string>

namespace mmh {

class HostContext;

struct FetchOptions {
  std::string symbol;
  std::string interval = "1";  // the connector's interval code (Bybit: 1 5 60 D ...)
  std::string start;           // YYYY-MM-DD[THH:MM], UTC, inclusive
  std::string end;             // exclusive
  std::string cache;
  std::string venue;      // name (mainnet, testnet, demo) or a venue .yaml; default mainnet
  std::string connector;  // data plugin; empty = connectors.live
  bool testnet = false;
  int limit = 1000;
  bool progress = true;
};

// Exit code: 0 done (gaps are reported, not fatal), 1 failed (what arrived is kept), 130
// interrupted (Ctrl-C; what arrived is kept).
int run_fetch(HostContext& host, const FetchOptions& options, std::ostream& out);

}  // namespace mmh
