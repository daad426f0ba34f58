#include "rest_response.hpp"

#include "bybit_error.hpp"
#include "rest_json.hpp"
#include "text_number.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <simdjson.h>

namespace mmh::bybit {
namespace {

namespace dom = simdjson::dom;

[[noreturn]] void fail(const std::string& what) {
  throw BybitError(ErrorKind::parse, "bad Bybit response: " + what);
}

std::string_view string_field(dom::element object, const char* key, const char* where) {
  std::string_view value;
  if (object[key].get_string().get(value)) fail(std::string(where) + ": no string '" + key + "'");
  return value;
}

std::string optional_string(dom::element object, const char* key) {
  std::string_view value;
  if (object[key].get_string().get(value)) return {};
  return std::string(value);
}

int64_t decimal_e8(std::string_view text, const char* what, size_t row) {
  int64_t v = 0;
  const sdk::ParseDecimal r = sdk::parse_e8(text, v);
  if (r != sdk::ParseDecimal::ok)
    fail("kline row " + std::to_string(row) + ": " + what + " '" + std::string(text) + "' " +
         sdk::describe(r));
  return v;
}

int64_t integer_text(std::string_view text, const char* what) {
  const std::optional<int64_t> v = parse_count(text);
  if (!v) fail(std::string(what) + " '" + std::string(text.substr(0, 40)) + "' is not a count");
  return *v;
}

}  // namespace

dom::element parse_json_object(dom::parser& parser, std::string_view body, const char* what) {
  dom::element root;
  const auto error = parser.parse(body.data(), body.size(), true).get(root);
  if (error)
    throw BybitError(ErrorKind::parse, std::string("bad Bybit ") + what + ": not JSON (" +
                                           simdjson::error_message(error) + ")");
  if (!root.is_object())
    throw BybitError(ErrorKind::parse,
                     std::string("bad Bybit ") + what + ": top level is not an object");
  return root;
}

dom::element ok_result(dom::parser& parser, std::string_view body) {
  const dom::element root = parse_json_object(parser, body, "response");
  int64_t code = 0;
  if (root["retCode"].get_int64().get(code)) fail("no integer retCode");
  if (code != 0) {
    std::string_view msg;
    if (root["retMsg"].get_string().get(msg)) msg = "";
    throw BybitError(ErrorKind::exchange,
                     "Bybit error " + std::to_string(code) + ": " + std::string(msg), 200, code,
                     std::string(msg));
  }
  dom::element result;
  if (root["result"].get(result) || !result.is_object()) fail("no result object");
  return result;
}

dom::array ok_list(dom::parser& parser, std::string_view body, const char* what,
                   dom::element* result) {
  const dom::element r = ok_result(parser, body);
  dom::array list;
  if (r["list"].get_array().get(list)) fail(std::string(what) + " result has no list array");
  if (result != nullptr) *result = r;
  return list;
}

Envelope parse_envelope(std::string_view body) {
  dom::parser parser;
  const dom::element root = parse_json_object(parser, body, "response");
  Envelope env;
  if (root["retCode"].get_int64().get(env.ret_code)) fail("no integer retCode");
  std::string_view msg;
  if (!root["retMsg"].get_string().get(msg)) env.ret_msg = std::string(msg);
  int64_t time_ms = 0;
  if (!root["time"].get_int64().get(time_ms)) env.time_ms = time_ms;
  return env;
}

std::vector<KlineRow> parse_kline_list(std::string_view body) {
  dom::parser parser;
  const dom::array list = ok_list(parser, body, "kline");
  std::vector<KlineRow> rows;
  rows.reserve(list.size());
  size_t index = 0;
  for (dom::element item : list) {
    dom::array cells;
    if (item.get_array().get(cells) || cells.size() < 6)
      fail("kline row " + std::to_string(index) + " is not an array of 7 strings");
    std::string_view text[6];
    for (size_t i = 0; i < 6; ++i)
      if (cells.at(i).get_string().get(text[i]))
        fail("kline row " + std::to_string(index) + " cell " + std::to_string(i) +
             " is not a string");
    KlineRow row;
    row.start_ms = integer_text(text[0], "kline startTime");
    row.open_e8 = decimal_e8(text[1], "open", index);
    row.high_e8 = decimal_e8(text[2], "high", index);
    row.low_e8 = decimal_e8(text[3], "low", index);
    row.close_e8 = decimal_e8(text[4], "close", index);
    row.volume_e8 = decimal_e8(text[5], "volume", index);
    rows.push_back(row);
    ++index;
  }
  return rows;
}

int64_t parse_server_time_ms(std::string_view body) {
  dom::parser parser;
  const dom::element result = ok_result(parser, body);
  std::string_view text;
  if (!result["timeNano"].get_string().get(text) && !text.empty())
    return integer_text(text, "timeNano") / 1000000;
  if (!result["timeSecond"].get_string().get(text) && !text.empty()) {
    const int64_t seconds = integer_text(text, "timeSecond");
    if (seconds > INT64_MAX / 1000) fail("timeSecond out of range");
    return seconds * 1000;
  }
  fail("server time result has neither timeNano nor timeSecond");
}

int64_t parse_dcp_spot_window_s(std::string_view body) {
  dom::parser parser;
  const dom::element result = ok_result(parser, body);
  dom::array infos;
  if (result["dcpInfos"].get_array().get(infos)) return 0;  // not configured: nothing listed
  for (dom::element info : infos) {
    std::string_view product, status, window;
    if (info["product"].get_string().get(product) || product != "SPOT") continue;
    if (info["dcpStatus"].get_string().get(status) || status != "ON") return 0;
    if (info["timeWindow"].get_string().get(window) || window.empty()) return 10;  // the default
    return integer_text(window, "timeWindow");
  }
  return 0;
}

std::vector<InstrumentInfo> parse_instruments(std::string_view body) {
  dom::parser parser;
  const dom::array list = ok_list(parser, body, "instruments");
  std::vector<InstrumentInfo> out;
  for (dom::element item : list) {
    if (!item.is_object()) fail("instrument entry is not an object");
    InstrumentInfo info;
    info.symbol = std::string(string_field(item, "symbol", "instrument"));
    info.base_coin = optional_string(item, "baseCoin");
    info.quote_coin = optional_string(item, "quoteCoin");
    info.status = optional_string(item, "status");
    dom::element price, lot;
    if (!item["priceFilter"].get(price) && price.is_object())
      info.tick_size = optional_string(price, "tickSize");
    if (!item["lotSizeFilter"].get(lot) && lot.is_object()) {
      info.base_precision = optional_string(lot, "basePrecision");
      info.quote_precision = optional_string(lot, "quotePrecision");
      info.min_order_qty = optional_string(lot, "minOrderQty");
      info.min_order_amt = optional_string(lot, "minOrderAmt");
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace mmh::bybit
