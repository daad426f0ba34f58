#include "private_message.hpp"

#include "bybit_error.hpp"
#include "rest_json.hpp"
#include "text_number.hpp"

#include <simdjson.h>

namespace mmh::bybit {

namespace dom = simdjson::dom;

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw BybitError(ErrorKind::parse, "bad Bybit private message: " + what);
}

std::string text(dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v)) return {};
  return std::string(v);
}

int64_t ms_text(dom::element e, const char* key) {
  return parse_count(text(e, key)).value_or(0);
}

OrderRow order_row(dom::element e) {
  if (!e.is_object()) fail("order entry is not an object");
  OrderRow o;
  o.order_id = text(e, "orderId");
  o.order_link_id = text(e, "orderLinkId");
  o.symbol = text(e, "symbol");
  o.side = text(e, "side");
  o.order_type = text(e, "orderType");
  o.time_in_force = text(e, "timeInForce");
  o.status = text(e, "orderStatus");
  o.price = text(e, "price");
  o.qty = text(e, "qty");
  o.leaves_qty = text(e, "leavesQty");
  o.cum_exec_qty = text(e, "cumExecQty");
  o.avg_price = text(e, "avgPrice");
  o.reject_reason = text(e, "rejectReason");
  o.cancel_type = text(e, "cancelType");
  o.updated_ms = ms_text(e, "updatedTime");
  if (o.order_id.empty() || o.status.empty()) fail("order without orderId or orderStatus");
  return o;
}

ExecutionRow execution_row(dom::element e) {
  if (!e.is_object()) fail("execution entry is not an object");
  ExecutionRow x;
  x.exec_id = text(e, "execId");
  x.order_id = text(e, "orderId");
  x.order_link_id = text(e, "orderLinkId");
  x.symbol = text(e, "symbol");
  x.side = text(e, "side");
  x.exec_price = text(e, "execPrice");
  x.exec_qty = text(e, "execQty");
  x.exec_fee = text(e, "execFee");
  x.fee_currency = text(e, "feeCurrency");
  bool maker = false;
  if (!e["isMaker"].get_bool().get(maker)) x.is_maker = maker;
  x.exec_ms = ms_text(e, "execTime");
  if (x.exec_id.empty() || x.exec_qty.empty()) fail("execution without execId or execQty");
  return x;
}

// The coins of every account of a wallet list (the `wallet` topic's data, or REST result.list).
void append_coins(dom::array accounts, std::vector<CoinBalance>& out) {
  for (dom::element account : accounts) {
    dom::array coins;
    if (!account.is_object() || account["coin"].get_array().get(coins))
      fail("wallet account without a coin list");
    for (dom::element c : coins) {
      if (!c.is_object()) fail("wallet coin is not an object");
      CoinBalance b{text(c, "coin"), text(c, "walletBalance"), text(c, "locked")};
      if (b.coin.empty()) fail("wallet coin without a name");
      out.push_back(std::move(b));
    }
  }
}

}  // namespace

PrivateMessage parse_private_message(std::string_view bytes) {
  dom::parser parser;
  const dom::element root = parse_json_object(parser, bytes, "private message");
  PrivateMessage m;
  std::string_view topic;
  if (!root["topic"].get_string().get(topic)) {
    m.topic = std::string(topic);
    int64_t created = 0;
    if (!root["creationTime"].get_int64().get(created)) m.creation_ms = created;
    dom::array data;
    if (root["data"].get_array().get(data)) fail("topic '" + m.topic + "' without a data array");
    if (topic == "order" || topic.rfind("order.", 0) == 0) {
      m.kind = PrivateKind::order;
      for (dom::element e : data) m.orders.push_back(order_row(e));
    } else if (topic == "execution" || topic.rfind("execution.", 0) == 0) {
      m.kind = PrivateKind::execution;
      for (dom::element e : data) m.executions.push_back(execution_row(e));
    } else if (topic == "wallet") {
      m.kind = PrivateKind::wallet;
      append_coins(data, m.balances);
    } else if (topic == "dcp" || topic.rfind("dcp.", 0) == 0) {
      // Disconnected-cancel-all heartbeat/state: subscribing arms it; nothing to apply.
      m.kind = PrivateKind::dcp;
    } else {
      fail("unknown topic '" + m.topic.substr(0, 60) + "'");
    }
    return m;
  }
  const std::string op = text(root, "op");
  bool success = false;
  if (!root["success"].get_bool().get(success)) m.success = success;
  m.ret_msg = text(root, "ret_msg");
  if (op == "auth")
    m.kind = PrivateKind::auth;
  else if (op == "subscribe")
    m.kind = PrivateKind::subscribe;
  else if (op == "pong" || op == "ping" || m.ret_msg == "pong")
    m.kind = PrivateKind::pong;
  else
    fail("neither a topic nor a known op");
  return m;
}

namespace {

// The rows of a paged REST list (/v5/order/realtime, /v5/execution/list) and its cursor.
template <typename Row>
std::vector<Row> list_rows(std::string_view body, const char* what, Row (*row)(dom::element),
                           std::string* cursor) {
  dom::parser parser;
  dom::element result;
  std::vector<Row> out;
  for (dom::element e : ok_list(parser, body, what, &result)) out.push_back(row(e));
  if (cursor != nullptr) *cursor = text(result, "nextPageCursor");
  return out;
}

}  // namespace

std::vector<OrderRow> parse_order_list(std::string_view body, std::string* cursor) {
  return list_rows(body, "order", order_row, cursor);
}

std::vector<ExecutionRow> parse_execution_list(std::string_view body, std::string* cursor) {
  return list_rows(body, "execution", execution_row, cursor);
}

std::vector<CoinBalance> parse_wallet_balance(std::string_view body) {
  dom::parser parser;
  std::vector<CoinBalance> out;
  append_coins(ok_list(parser, body, "wallet"), out);
  return out;
}

std::vector<BatchItemResult> parse_batch_create(std::string_view body) {
  dom::parser parser;
  dom::element result;
  std::vector<BatchItemResult> out;
  for (dom::element e : ok_list(parser, body, "batch", &result)) {
    if (!e.is_object()) fail("batch entry is not an object");
    out.push_back({0, {}, text(e, "orderId"), text(e, "orderLinkId")});
  }
  // Older captures omit retExtInfo: then an item without an orderId is the only sign of failure.
  dom::array codes;
  if (parser.doc.root()["retExtInfo"]["list"].get_array().get(codes)) {
    for (BatchItemResult& r : out)
      if (r.order_id.empty()) r.code = -1;
    return out;
  }
  if (codes.size() != out.size()) fail("retExtInfo.list and result.list differ in length");
  size_t i = 0;
  for (dom::element c : codes) {
    BatchItemResult& r = out[i++];
    int64_t code = 0;
    if (!c.is_object() || c["code"].get_int64().get(code)) fail("batch code is not a number");
    r.code = code;
    r.msg = text(c, "msg");
  }
  return out;
}

}  // namespace mmh::bybit
