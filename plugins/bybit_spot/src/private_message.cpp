#include "private_message.hpp"

#include "bybit_error.hpp"
#include "rest_json.hpp"

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
  const std::string t = text(e, key);
  if (t.empty() || t.size() > 18 || t.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return std::stoll(t);
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

std::vector<CoinBalance> coins_of(dom::element account) {
  std::vector<CoinBalance> out;
  dom::array coins;
  if (account["coin"].get_array().get(coins)) fail("wallet account without a coin list");
  for (dom::element c : coins) {
    if (!c.is_object()) fail("wallet coin is not an object");
    CoinBalance b{text(c, "coin"), text(c, "walletBalance"), text(c, "locked")};
    if (b.coin.empty()) fail("wallet coin without a name");
    out.push_back(std::move(b));
  }
  return out;
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
      for (dom::element account : data) {
        if (!account.is_object()) fail("wallet entry is not an object");
        for (CoinBalance& b : coins_of(account)) m.balances.push_back(std::move(b));
      }
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

std::vector<OrderRow> parse_order_list(std::string_view body, std::string* cursor) {
  dom::parser parser;
  const dom::element result = ok_result(parser, body);
  dom::array list;
  if (result["list"].get_array().get(list)) fail("order list missing");
  std::vector<OrderRow> out;
  for (dom::element e : list) out.push_back(order_row(e));
  if (cursor != nullptr) *cursor = text(result, "nextPageCursor");
  return out;
}

std::vector<ExecutionRow> parse_execution_list(std::string_view body, std::string* cursor) {
  dom::parser parser;
  const dom::element result = ok_result(parser, body);
  dom::array list;
  if (result["list"].get_array().get(list)) fail("execution list missing");
  std::vector<ExecutionRow> out;
  for (dom::element e : list) out.push_back(execution_row(e));
  if (cursor != nullptr) *cursor = text(result, "nextPageCursor");
  return out;
}

std::vector<CoinBalance> parse_wallet_balance(std::string_view body) {
  dom::parser parser;
  const dom::element result = ok_result(parser, body);
  dom::array list;
  if (result["list"].get_array().get(list)) fail("wallet list missing");
  std::vector<CoinBalance> out;
  for (dom::element account : list) {
    if (!account.is_object()) fail("wallet entry is not an object");
    for (CoinBalance& b : coins_of(account)) out.push_back(std::move(b));
  }
  return out;
}

}  // namespace mmh::bybit
