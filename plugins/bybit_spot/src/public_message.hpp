// Parser for Bybit V5 public WebSocket messages (PROTOCOL.md §6): orderbook, publicTrade, kline
// and tickers data, plus the control replies (subscribe acks, pongs). It is on the hot path:
// simdjson On-Demand over a reused padded buffer, prices and sizes straight to fixed point, no
// allocation once the vectors have grown. Malformed input is a BybitError (kind parse), never a
// crash (fuzzed).
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::bybit {

enum class PublicKind { none, orderbook, trade, kline, ticker, control };

struct PublicTrade {
  int64_t ts_ms = 0;
  int64_t price_e8 = 0;
  int64_t qty_e8 = 0;
  uint32_t taker_side = 0;  // MMH_SIDE_*
  uint64_t trade_id = 0;    // numeric spot ids; 0 when not numeric
};

struct KlineUpdate {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t open_e8 = 0;
  int64_t high_e8 = 0;
  int64_t low_e8 = 0;
  int64_t close_e8 = 0;
  int64_t volume_e8 = 0;
  bool confirm = false;  // the candle is final
};

struct PublicMessage {
  PublicKind kind = PublicKind::none;
  std::string topic;
  int64_t ts_ms = 0;
  // orderbook
  bool snapshot = false;
  uint64_t update_id = 0;  // u
  uint64_t seq = 0;
  int64_t cts_ms = 0;
  std::vector<mmh_book_level> bids;  // as sent (best first); size 0 = delete
  std::vector<mmh_book_level> asks;
  // publicTrade
  std::vector<PublicTrade> trades;
  // kline
  std::vector<KlineUpdate> klines;
  // tickers
  int64_t last_price_e8 = 0;
  // control
  std::string op;  // subscribe, unsubscribe, ping, pong, auth
  bool success = false;
  std::string ret_msg;
  bool is_pong() const {
    return kind == PublicKind::control && (op == "pong" || ret_msg == "pong");
  }
};

class PublicParser {
 public:
  PublicParser();
  ~PublicParser();
  PublicParser(const PublicParser&) = delete;
  PublicParser& operator=(const PublicParser&) = delete;
  // Parses one message into `out` (whose vectors are reused). Throws BybitError(parse).
  void parse(std::string_view bytes, PublicMessage& out);
  // Orderbook messages in Bybit's compact wire form skip simdjson (compact_book.hpp); tests and
  // the fuzzer turn that off to compare both paths.
  void set_compact_fast_path(bool on);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmh::bybit
