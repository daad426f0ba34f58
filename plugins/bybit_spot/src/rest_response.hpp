// Parsers for Bybit V5 REST responses (PROTOCOL.md §2, §4). Numbers that the exchange sends as
// strings are read exactly (fixed point, never through double). Every parser throws BybitError
// (kind parse) naming what was wrong; none trusts the input (they are fuzzed).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::bybit {

// The envelope of every REST response.
struct Envelope {
  int64_t ret_code = 0;
  std::string ret_msg;
  int64_t time_ms = 0;  // server time; 0 when absent (older captures)
};
Envelope parse_envelope(std::string_view body);

// One /v5/market/kline row: [startTime, open, high, low, close, volume, turnover].
struct KlineRow {
  int64_t start_ms = 0;
  int64_t open_e8 = 0;
  int64_t high_e8 = 0;
  int64_t low_e8 = 0;
  int64_t close_e8 = 0;
  int64_t volume_e8 = 0;  // base coin
};
// result.list in the order sent (newest first).
std::vector<KlineRow> parse_kline_list(std::string_view body);

// /v5/market/time: the server clock in ms (timeNano when present, else timeSecond, else time).
int64_t parse_server_time_ms(std::string_view body);

// /v5/account/query-dcp-info: the SPOT time window in seconds when Disconnected Cancel All is
// ON for spot, 0 when it is off or not configured (an empty dcpInfos).
int64_t parse_dcp_spot_window_s(std::string_view body);

// One /v5/market/instruments-info spot entry. Decimal fields keep the exchange's text ("0.01");
// a field an older payload lacks is empty.
struct InstrumentInfo {
  std::string symbol;
  std::string base_coin;
  std::string quote_coin;
  std::string status;
  std::string tick_size;
  std::string base_precision;   // step of base quantities
  std::string quote_precision;  // step of quote amounts (market buys by value)
  std::string min_order_qty;    // deprecated by Bybit; kept for older accounts
  std::string min_order_amt;    // minimum order value in quote coin
};
std::vector<InstrumentInfo> parse_instruments(std::string_view body);

}  // namespace mmh::bybit
