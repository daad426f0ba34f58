#include "fake_exchange.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace mmh::test {
namespace {

using nlohmann::json;
__extension__ using wide = __int128;  // GCC/Clang; keeps -Wpedantic quiet

std::string e8(int64_t v) {
  return sdk::format_e8(v);
}

bool parse(const json& j, const char* key, int64_t& out) {
  if (!j.contains(key) || !j[key].is_string()) return false;
  return sdk::parse_e8(j[key].get<std::string>(), out) == sdk::ParseDecimal::ok;
}

FakeReply error(int64_t code, std::string msg) {
  FakeReply r;
  r.ret_code = code;
  r.ret_msg = std::move(msg);
  return r;
}

json order_row(const FakeOrder& o, const std::string& symbol) {
  const int64_t leaves = o.open() ? o.qty_e8 - o.cum_qty_e8 : 0;
  return json{
      {"orderId", o.order_id},
      {"orderLinkId", o.link_id},
      {"symbol", symbol},
      {"category", "spot"},
      {"side", o.side},
      {"orderType", o.type},
      {"timeInForce", o.tif},
      {"orderStatus", o.status},
      {"price", o.type == "Market" ? "0" : e8(o.price_e8)},
      {"qty", e8(o.qty_e8)},
      {"leavesQty", e8(leaves)},
      {"leavesValue", e8(sdk::value_e8(o.price_e8, leaves))},
      {"cumExecQty", e8(o.cum_qty_e8)},
      {"cumExecValue", e8(o.cum_value_e8)},
      {"avgPrice", o.cum_qty_e8 > 0 ? e8(static_cast<int64_t>(static_cast<wide>(o.cum_value_e8) *
                                                              100000000 / o.cum_qty_e8))
                                    : ""},
      {"rejectReason", o.reject_reason},
      {"cancelType", o.cancel_type},
      {"marketUnit", o.market_unit},
      {"isLeverage", "0"},
      {"createdTime", std::to_string(o.created_ms)},
      {"updatedTime", std::to_string(o.updated_ms)}};
}

json exec_row(const FakeExecution& x, const std::string& symbol) {
  return json{{"category", "spot"},
              {"symbol", symbol},
              {"execId", x.exec_id},
              {"orderId", x.order_id},
              {"orderLinkId", x.link_id},
              {"side", x.side},
              {"execPrice", e8(x.price_e8)},
              {"execQty", e8(x.qty_e8)},
              {"execValue", e8(sdk::value_e8(x.price_e8, x.qty_e8))},
              {"execFee", format_e18(x.fee)},
              {"feeCurrency", x.fee_coin},
              {"execType", "Trade"},
              {"execTime", std::to_string(x.ms)},
              {"isMaker", x.maker}};
}

}  // namespace

FakeExchange::FakeExchange(std::string symbol, std::string base, std::string quote, int64_t tick_e8,
                           int64_t lot_e8)
    : symbol_(std::move(symbol)),
      base_(std::move(base)),
      quote_(std::move(quote)),
      tick_e8_(tick_e8),
      lot_e8_(lot_e8) {
  coins_[base_];
  coins_[quote_];
}

void FakeExchange::set_balance(const std::string& coin, int64_t wallet_e8) {
  coins_[coin].wallet = e8_to_e18(wallet_e8);
}

void FakeExchange::set_fee_bps(int64_t maker_bps, int64_t taker_bps) {
  set_fee_rate_e8(maker_bps * 10'000, taker_bps * 10'000);
}

void FakeExchange::set_fee_rate_e8(int64_t maker_rate_e8, int64_t taker_rate_e8) {
  maker_rate_e8_ = maker_rate_e8;
  taker_rate_e8_ = taker_rate_e8;
}

void FakeExchange::set_touch(int64_t bid_e8, int64_t ask_e8) {
  bid_e8_ = bid_e8;
  ask_e8_ = ask_e8;
}

int64_t FakeExchange::wallet_e8(const std::string& coin) const {
  auto it = coins_.find(coin);
  return it == coins_.end() ? 0 : e18_to_e8_floor(it->second.wallet);
}

amount_e18 FakeExchange::wallet_e18(const std::string& coin) const {
  auto it = coins_.find(coin);
  return it == coins_.end() ? 0 : it->second.wallet;
}

int64_t FakeExchange::locked_e8(const std::string& coin) const {
  auto it = coins_.find(coin);
  return it == coins_.end() ? 0 : e18_to_e8_floor(it->second.locked);
}

std::vector<FakeOrder> FakeExchange::open_orders() const {
  std::vector<FakeOrder> out;
  for (const auto& [id, o] : orders_)
    if (o.open()) out.push_back(o);
  return out;
}

std::vector<std::string> FakeExchange::take_pushes() {
  std::vector<std::string> out;
  out.swap(pushes_);
  return out;
}

void FakeExchange::push_order(const FakeOrder& o) {
  pushes_.push_back(json{{"id", "fake-" + std::to_string(++push_id_)},
                         {"topic", "order"},
                         {"creationTime", o.updated_ms},
                         {"data", json::array({order_row(o, symbol_)})}}
                        .dump());
}

void FakeExchange::push_wallet() {
  json coins = json::array();
  for (const auto& [coin, c] : coins_)
    coins.push_back({{"coin", coin},
                     {"walletBalance", format_e18(c.wallet)},
                     {"locked", format_e18(c.locked)},
                     {"equity", format_e18(c.wallet)}});
  pushes_.push_back(json{{"id", "fake-" + std::to_string(++push_id_)},
                         {"topic", "wallet"},
                         {"creationTime", 0},
                         {"data", json::array({{{"accountType", "UNIFIED"}, {"coin", coins}}})}}
                        .dump());
}

// What an open quantity of the order holds: quote for a Buy (at its limit), base for a Sell.
int64_t FakeExchange::lock_for(const FakeOrder& o, int64_t open_qty_e8) const {
  return o.side == "Buy" ? sdk::value_e8(o.price_e8, open_qty_e8) : open_qty_e8;
}

void FakeExchange::fill(FakeOrder& o, int64_t price_e8, int64_t qty_e8, bool maker,
                        int64_t now_ms) {
  const int64_t value = sdk::value_e8(price_e8, qty_e8);
  const int64_t rate_e8 = maker ? maker_rate_e8_ : taker_rate_e8_;
  Coin& base = coins_[base_];
  Coin& quote = coins_[quote_];
  FakeExecution x;
  x.exec_id = std::to_string(next_exec_++);
  x.order_id = o.order_id;
  x.link_id = o.link_id;
  x.side = o.side;
  x.price_e8 = price_e8;
  x.qty_e8 = qty_e8;
  x.maker = maker;
  x.ms = now_ms;
  if (o.side == "Buy") {
    x.fee_coin = base_;
    x.fee = e8_to_e18(qty_e8) * rate_e8 / MMH_E8;  // exact: 1e-18 has room for the rate
    if (o.type == "Limit") quote.locked -= e8_to_e18(lock_for(o, qty_e8));
    quote.wallet -= e8_to_e18(value);
    base.wallet += e8_to_e18(qty_e8) - x.fee;
  } else {
    x.fee_coin = quote_;
    x.fee = e8_to_e18(value) * rate_e8 / MMH_E8;
    if (o.type == "Limit") base.locked -= e8_to_e18(qty_e8);
    base.wallet -= e8_to_e18(qty_e8);
    quote.wallet += e8_to_e18(value) - x.fee;
  }
  if (!fee_coin_override_.empty()) {  // the fee went elsewhere: give it back in base/quote
    (x.fee_coin == base_ ? base : quote).wallet += x.fee;
    x.fee_coin = fee_coin_override_;
  }
  o.cum_qty_e8 += qty_e8;
  o.cum_value_e8 += value;
  o.updated_ms = now_ms;
  o.status = o.cum_qty_e8 >= o.qty_e8 ? "Filled" : "PartiallyFilled";
  execs_.push_back(x);
  // Bybit's order, execution and wallet topics are separate streams; this is one order of them.
  push_order(o);
  pushes_.push_back(json{{"id", "fake-" + std::to_string(++push_id_)},
                         {"topic", "execution"},
                         {"creationTime", now_ms},
                         {"data", json::array({exec_row(x, symbol_)})}}
                        .dump());
  push_wallet();
}

void FakeExchange::close(FakeOrder& o, const std::string& status, const std::string& reason,
                         int64_t now_ms) {
  if (o.type == "Limit") {
    const int64_t open = o.qty_e8 - o.cum_qty_e8;
    coins_[o.side == "Buy" ? quote_ : base_].locked -= e8_to_e18(lock_for(o, open));
  }
  o.status = o.cum_qty_e8 > 0 && status == "Cancelled" ? "PartiallyFilledCanceled" : status;
  o.reject_reason = reason;
  o.cancel_type = reason == "EC_NoError" ? "CancelByUser" : "UNKNOWN";
  o.updated_ms = now_ms;
  push_order(o);
  push_wallet();
}

FakeReply FakeExchange::place(const std::map<std::string, std::string>& req, int64_t now_ms) {
  auto get = [&](const char* k) {
    auto it = req.find(k);
    return it == req.end() ? std::string() : it->second;
  };
  if (get("category") != "spot") return error(10001, "category must be spot");
  if (get("symbol") != symbol_) return error(10001, "params error: symbol invalid");
  FakeOrder o;
  o.link_id = get("orderLinkId");
  if (!o.link_id.empty() && by_link_.count(o.link_id)) {
    ++duplicate_creates_;
    return error(170141, "Duplicate clientOrderId.");
  }
  o.side = get("side");
  o.type = get("orderType");
  o.tif = get("timeInForce").empty() ? "GTC" : get("timeInForce");
  o.market_unit = get("marketUnit");
  if (o.side != "Buy" && o.side != "Sell") return error(10001, "params error: side invalid");
  if (sdk::parse_e8(get("qty"), o.qty_e8) != sdk::ParseDecimal::ok || o.qty_e8 <= 0)
    return error(10001, "params error: qty invalid");
  if (o.type == "Limit") {
    if (sdk::parse_e8(get("price"), o.price_e8) != sdk::ParseDecimal::ok || o.price_e8 <= 0)
      return error(10001, "params error: price invalid");
    if (o.price_e8 % tick_e8_ != 0) return error(170134, "Order price has too many decimals.");
    if (o.qty_e8 % lot_e8_ != 0) return error(170137, "Order quantity has too many decimals.");
  } else if (o.type == "Market") {
    o.tif = "IOC";
    const int64_t touch = o.side == "Buy" ? ask_e8_ : bid_e8_;
    if (touch == 0) return error(170203, "Market is closed or no liquidity.");
    if (o.market_unit == "quoteCoin" || (o.market_unit.empty() && o.side == "Buy")) {
      o.qty_e8 = static_cast<int64_t>(static_cast<wide>(o.qty_e8) * 100000000 / touch) / lot_e8_ *
                 lot_e8_;  // base the amount buys
      o.market_unit = "quoteCoin";
    } else if (o.qty_e8 % lot_e8_ != 0) {
      return error(170137, "Order quantity has too many decimals.");
    }
    o.price_e8 = touch;
  } else {
    return error(10001, "params error: orderType invalid");
  }
  // Funds: a Buy needs quote for its value, a Sell needs the base.
  const Coin& pay = coins_[o.side == "Buy" ? quote_ : base_];
  const int64_t need = o.side == "Buy" ? sdk::value_e8(o.price_e8, o.qty_e8) : o.qty_e8;
  if (pay.wallet - pay.locked < e8_to_e18(need)) return error(170131, "Insufficient balance.");
  o.order_id = std::to_string(next_order_++);
  if (o.link_id.empty()) o.link_id = std::to_string(next_order_);
  o.created_ms = o.updated_ms = now_ms;
  by_link_[o.link_id] = o.order_id;
  FakeOrder& stored = orders_[o.order_id] = o;
  const bool buy = o.side == "Buy";
  const int64_t touch = buy ? ask_e8_ : bid_e8_;
  const bool crosses = touch != 0 && (buy ? o.price_e8 >= touch : o.price_e8 <= touch);
  if (o.type == "Limit") coins_[buy ? quote_ : base_].locked += e8_to_e18(lock_for(o, o.qty_e8));
  if (o.type == "Limit" && o.tif == "PostOnly" && crosses) {
    push_order(stored);  // accepted, then killed (§5.1)
    close(stored, "Cancelled", "EC_PostOnlyWillTakeLiquidity", now_ms);
  } else if (crosses && o.type == "Limit" && o.tif != "PostOnly") {
    fill(stored, touch, stored.qty_e8, false, now_ms);  // the touch has depth enough
  } else if (o.type == "Market") {
    fill(stored, touch, stored.qty_e8, false, now_ms);
  } else if (o.tif == "IOC" || o.tif == "FOK") {
    push_order(stored);
    close(stored, "Cancelled", "EC_NoImmediateQtyToFill", now_ms);
  } else {
    push_order(stored);
  }
  return FakeReply{
      0, "OK", json{{"orderId", stored.order_id}, {"orderLinkId", stored.link_id}}.dump(), "{}"};
}

namespace {
std::map<std::string, std::string> flat(const json& j) {
  std::map<std::string, std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it)
    out[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  return out;
}
}  // namespace

FakeReply FakeExchange::create(const std::string& body, int64_t now_ms) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return error(10001, "params error: body is not a JSON object");
  return place(flat(j), now_ms);
}

FakeReply FakeExchange::create_batch(const std::string& body, int64_t now_ms) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object() || j.value("category", "") != "spot" || !j.contains("request") ||
      !j["request"].is_array())
    return error(10001, "params error: request");
  if (j["request"].size() > 10) return error(10001, "params error: at most 10 orders for spot");
  json list = json::array(), ext = json::array();
  for (const auto& item : j["request"]) {
    auto req = flat(item);
    req["category"] = "spot";
    const FakeReply r = place(req, now_ms);
    json row = {{"category", "spot"},
                {"symbol", req["symbol"]},
                {"orderId", ""},
                {"orderLinkId", req["orderLinkId"]},
                {"createAt", std::to_string(now_ms)}};
    if (r.ret_code == 0) row["orderId"] = json::parse(r.result)["orderId"];
    list.push_back(row);
    ext.push_back({{"code", r.ret_code}, {"msg", r.ret_msg}});
  }
  return FakeReply{0, "OK", json{{"list", list}}.dump(), json{{"list", ext}}.dump()};
}

FakeOrder* FakeExchange::find(const std::map<std::string, std::string>& req) {
  auto id = req.find("orderId");
  if (id != req.end() && !id->second.empty()) {
    auto it = orders_.find(id->second);
    return it == orders_.end() ? nullptr : &it->second;
  }
  auto link = req.find("orderLinkId");
  if (link == req.end()) return nullptr;
  auto it = by_link_.find(link->second);
  return it == by_link_.end() ? nullptr : &orders_[it->second];
}

FakeReply FakeExchange::amend(const std::string& body, int64_t now_ms) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return error(10001, "params error: body");
  FakeOrder* o = find(flat(j));
  if (o == nullptr || !o->open()) return error(170213, "Order does not exist.");
  int64_t price = o->price_e8, qty = o->qty_e8;
  if (j.contains("price") && !parse(j, "price", price)) return error(10001, "price invalid");
  if (j.contains("qty") && !parse(j, "qty", qty)) return error(10001, "qty invalid");
  if (price == o->price_e8 && qty == o->qty_e8)
    return error(10001, "order remains unchanged, please check your order param");
  if (price % tick_e8_ != 0) return error(170134, "Order price has too many decimals.");
  if (qty % lot_e8_ != 0 || qty <= o->cum_qty_e8) return error(10001, "qty invalid");
  const bool buy = o->side == "Buy";
  Coin& pay = coins_[buy ? quote_ : base_];
  const int64_t old_lock = lock_for(*o, o->qty_e8 - o->cum_qty_e8);
  FakeOrder next = *o;
  next.price_e8 = price;
  next.qty_e8 = qty;
  const int64_t new_lock = lock_for(next, qty - o->cum_qty_e8);
  if (pay.wallet - pay.locked + e8_to_e18(old_lock) < e8_to_e18(new_lock))
    return error(170131, "Insufficient balance.");
  pay.locked += e8_to_e18(new_lock - old_lock);
  o->price_e8 = price;
  o->qty_e8 = qty;
  o->updated_ms = now_ms;
  push_order(*o);
  const int64_t touch = buy ? ask_e8_ : bid_e8_;
  if (touch != 0 && (buy ? price >= touch : price <= touch)) {
    if (o->tif == "PostOnly")
      close(*o, "Cancelled", "EC_PostOnlyWillTakeLiquidity", now_ms);
    else
      fill(*o, touch, o->qty_e8 - o->cum_qty_e8, false, now_ms);
  }
  return FakeReply{0, "OK", json{{"orderId", o->order_id}, {"orderLinkId", o->link_id}}.dump(),
                   "{}"};
}

FakeReply FakeExchange::cancel(const std::string& body, int64_t now_ms) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return error(10001, "params error: body");
  FakeOrder* o = find(flat(j));
  if (o != nullptr && o->open() && fill_on_cancel_ && o->type == "Limit")
    fill(*o, o->price_e8, o->qty_e8 - o->cum_qty_e8, true, now_ms);
  if (o == nullptr || !o->open()) return error(110001, "Order does not exist.");
  close(*o, "Cancelled", "EC_NoError", now_ms);
  return FakeReply{0, "OK", json{{"orderId", o->order_id}, {"orderLinkId", o->link_id}}.dump(),
                   "{}"};
}

FakeReply FakeExchange::cancel_all(const std::string& body, int64_t now_ms) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object() || j.value("category", "") != "spot") return error(10001, "params error");
  json list = json::array();
  for (auto& [id, o] : orders_)
    if (o.open() && (!j.contains("symbol") || j["symbol"] == symbol_)) {
      close(o, "Cancelled", "EC_NoError", now_ms);
      list.push_back({{"orderId", o.order_id}, {"orderLinkId", o.link_id}});
    }
  return FakeReply{0, "OK", json{{"list", list}, {"success", "1"}}.dump(), "{}"};
}

namespace {
// Newest first, paged by an offset cursor.
template <typename Row>
json page(std::vector<Row> rows, const std::map<std::string, std::string>& q, int64_t max_limit,
          int64_t default_limit, json& list) {
  auto it = q.find("limit");
  const int64_t limit = it == q.end() ? default_limit : std::stoll(it->second);
  auto c = q.find("cursor");
  const size_t from = c == q.end() || c->second.empty() ? 0 : std::stoull(c->second);
  const size_t n = static_cast<size_t>(std::clamp<int64_t>(limit, 1, max_limit));
  for (size_t i = from; i < rows.size() && i < from + n; ++i) list.push_back(rows[i]);
  return from + n < rows.size() ? json(std::to_string(from + n)) : json("");
}
}  // namespace

FakeReply FakeExchange::realtime(const std::map<std::string, std::string>& q) const {
  auto get = [&](const char* k) {
    auto it = q.find(k);
    return it == q.end() ? std::string() : it->second;
  };
  if (get("category") != "spot") return error(10001, "category must be spot");
  const bool closed = get("openOnly") == "1";
  const bool hidden = !get("orderLinkId").empty() && hidden_queries_ > 0;
  if (hidden) --hidden_queries_;
  std::vector<const FakeOrder*> rows;
  for (const auto& [id, o] : orders_) {
    if (o.open() == closed || hidden) continue;
    if (!get("orderId").empty() && o.order_id != get("orderId")) continue;
    if (!get("orderLinkId").empty() && o.link_id != get("orderLinkId")) continue;
    if (!get("symbol").empty() && get("symbol") != symbol_) continue;
    rows.push_back(&o);
  }
  std::sort(rows.begin(), rows.end(), [](const FakeOrder* a, const FakeOrder* b) {
    return a->created_ms != b->created_ms ? a->created_ms > b->created_ms
                                          : a->order_id > b->order_id;
  });
  if (closed && rows.size() > 500) rows.resize(500);
  std::vector<json> out;
  for (const FakeOrder* o : rows) out.push_back(order_row(*o, symbol_));
  json list = json::array();
  const json cursor = page(out, q, 50, 20, list);
  return FakeReply{
      0, "OK", json{{"category", "spot"}, {"list", list}, {"nextPageCursor", cursor}}.dump(), "{}"};
}

FakeReply FakeExchange::executions(const std::map<std::string, std::string>& q) const {
  auto get = [&](const char* k) {
    auto it = q.find(k);
    return it == q.end() ? std::string() : it->second;
  };
  if (get("category") != "spot") return error(10001, "category must be spot");
  const int64_t start = get("startTime").empty() ? 0 : std::stoll(get("startTime"));
  std::vector<json> out;
  for (auto it = execs_.rbegin(); it != execs_.rend(); ++it)
    if (it->ms >= start && (get("orderLinkId").empty() || it->link_id == get("orderLinkId")))
      out.push_back(exec_row(*it, symbol_));
  json list = json::array();
  const json cursor = page(out, q, 100, 50, list);
  return FakeReply{
      0, "OK", json{{"category", "spot"}, {"list", list}, {"nextPageCursor", cursor}}.dump(), "{}"};
}

FakeReply FakeExchange::wallet(const std::map<std::string, std::string>& q) const {
  auto it = q.find("accountType");
  if (it == q.end() || it->second != "UNIFIED") return error(10001, "accountType invalid");
  auto filter = q.find("coin");
  json coins = json::array();
  for (const auto& [coin, c] : coins_) {
    if (filter != q.end() &&
        ("," + filter->second + ",").find("," + coin + ",") == std::string::npos)
      continue;
    coins.push_back({{"coin", coin},
                     {"walletBalance", format_e18(c.wallet)},
                     {"locked", format_e18(c.locked)},
                     {"equity", format_e18(c.wallet)},
                     {"marginCollateral", true}});
  }
  return FakeReply{
      0, "OK", json{{"list", json::array({{{"accountType", "UNIFIED"}, {"coin", coins}}})}}.dump(),
      "{}"};
}

void FakeExchange::trade(bool taker_buy, int64_t price_e8, int64_t qty_e8, int64_t now_ms) {
  // A taker Buy lifts resting Sells priced at or below the trade price, lowest first.
  std::vector<FakeOrder*> hit;
  for (auto& [id, o] : orders_)
    if (o.open() && o.type == "Limit" && o.side == (taker_buy ? "Sell" : "Buy") &&
        (taker_buy ? o.price_e8 <= price_e8 : o.price_e8 >= price_e8))
      hit.push_back(&o);
  std::sort(hit.begin(), hit.end(), [taker_buy](const FakeOrder* a, const FakeOrder* b) {
    if (a->price_e8 != b->price_e8)
      return taker_buy ? a->price_e8 < b->price_e8 : a->price_e8 > b->price_e8;
    return a->created_ms < b->created_ms;
  });
  for (FakeOrder* o : hit) {
    if (qty_e8 <= 0) break;
    const int64_t q = std::min(qty_e8, o->qty_e8 - o->cum_qty_e8);
    fill(*o, o->price_e8, q, true, now_ms);
    qty_e8 -= q;
  }
}

}  // namespace mmh::test
