// Parser for Bybit V5 private WebSocket messages (PROTOCOL.md §6.7): the auth reply, subscribe
// acks, pongs, and the `order`, `execution` and `wallet` topics. Not a hot path (a few messages
// per fill): simdjson DOM, decimals kept as the exchange's text (fees carry more than 8
// decimals) for the venue to convert exactly. Malformed input is a BybitError (kind parse).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::bybit {

struct OrderRow {
  std::string order_id;
  std::string order_link_id;
  std::string symbol;
  std::string side;           // Buy / Sell
  std::string order_type;     // Limit / Market
  std::string time_in_force;  // GTC / PostOnly / IOC / FOK
  std::string status;  // New, PartiallyFilled, Filled, Cancelled, PartiallyFilledCanceled, Rejected
  std::string price;
  std::string qty;
  std::string leaves_qty;
  std::string cum_exec_qty;
  std::string avg_price;
  std::string reject_reason;
  std::string cancel_type;
  int64_t updated_ms = 0;
};

struct ExecutionRow {
  std::string exec_id;
  std::string order_id;
  std::string order_link_id;
  std::string symbol;
  std::string side;
  std::string exec_price;
  std::string exec_qty;
  std::string exec_fee;
  std::string fee_currency;
  bool is_maker = false;
  int64_t exec_ms = 0;
};

struct CoinBalance {
  std::string coin;
  std::string wallet_balance;
  std::string locked;
};

enum class PrivateKind { none, auth, subscribe, pong, order, execution, wallet, dcp };

struct PrivateMessage {
  PrivateKind kind = PrivateKind::none;
  std::string topic;
  bool success = false;
  std::string ret_msg;
  int64_t creation_ms = 0;
  std::vector<OrderRow> orders;
  std::vector<ExecutionRow> executions;
  std::vector<CoinBalance> balances;
};

PrivateMessage parse_private_message(std::string_view bytes);

// REST rows of the same shapes: /v5/order/realtime, /v5/execution/list (result.list) and
// /v5/account/wallet-balance (result.list[0].coin). nextPageCursor is returned through `cursor`.
std::vector<OrderRow> parse_order_list(std::string_view body, std::string* cursor = nullptr);
std::vector<ExecutionRow> parse_execution_list(std::string_view body,
                                               std::string* cursor = nullptr);
std::vector<CoinBalance> parse_wallet_balance(std::string_view body);

// One order of a /v5/order/create-batch answer: result.list[i] with retExtInfo.list[i] (same
// index = same order). The envelope can say OK while an item failed (code != 0, no orderId).
struct BatchItemResult {
  int64_t code = 0;
  std::string msg;
  std::string order_id;
  std::string order_link_id;
};
std::vector<BatchItemResult> parse_batch_create(std::string_view body);

}  // namespace mmh::bybit
