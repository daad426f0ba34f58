#include "public_message.hpp"

#include "bybit_error.hpp"
#include "compact_book.hpp"
#include "text_number.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <simdjson.h>

#include <cstring>

namespace mmh::bybit {

namespace od = simdjson::ondemand;

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw BybitError(ErrorKind::parse, "bad Bybit WebSocket message: " + what);
}

void check(simdjson::error_code e, const char* what) {
  if (e) fail(std::string(what) + " (" + simdjson::error_message(e) + ")");
}

int64_t e8(std::string_view text, const char* what) {
  int64_t v = 0;
  const sdk::ParseDecimal r = sdk::parse_e8(text, v);
  if (r != sdk::ParseDecimal::ok)
    fail(std::string(what) + " '" + std::string(text.substr(0, 40)) + "' " + sdk::describe(r));
  return v;
}

// A decimal sent as a JSON string, read in place: numbers carry no escapes, so the raw bytes up
// to the closing quote are the text (saves On-Demand's unescaping copy on the hot path).
int64_t string_e8(od::value v, const char* what) {
  od::raw_json_string raw;
  check(v.get_raw_json_string().get(raw), what);
  const char* begin = raw.raw();
  const char* end = begin;
  while (*end != '"') {
    if (*end == '\\') fail(std::string(what) + " has an escape");
    ++end;
  }
  return e8(std::string_view(begin, static_cast<size_t>(end - begin)), what);
}

void parse_levels(od::value v, std::vector<mmh_book_level>& out, const char* side) {
  od::array levels;
  check(v.get_array().get(levels), side);
  for (auto entry : levels) {
    od::array pair;
    check(entry.get_array().get(pair), side);
    mmh_book_level level{};
    int i = 0;
    for (auto cell : pair) {
      od::value cv;
      check(cell.get(cv), side);
      if (i == 0)
        level.price_e8 = string_e8(cv, "book price");
      else if (i == 1)
        level.qty_e8 = string_e8(cv, "book size");
      ++i;
    }
    if (i != 2) fail(std::string(side) + " level is not [price, size]");
    if (level.price_e8 <= 0 || level.qty_e8 < 0) fail(std::string(side) + " level out of range");
    out.push_back(level);
  }
}

void parse_book(od::value v, PublicMessage& m) {
  od::object data;
  check(v.get_object().get(data), "orderbook data");
  bool have_u = false;
  for (auto field : data) {
    std::string_view key;
    check(field.unescaped_key().get(key), "orderbook key");
    od::value fv;
    check(field.value().get(fv), "orderbook value");
    if (key == "b") {
      parse_levels(fv, m.bids, "bids");
    } else if (key == "a") {
      parse_levels(fv, m.asks, "asks");
    } else if (key == "u") {
      check(fv.get_uint64().get(m.update_id), "orderbook u");
      have_u = true;
    } else if (key == "seq") {
      check(fv.get_uint64().get(m.seq), "orderbook seq");
    }
  }
  if (!have_u) fail("orderbook message without u");
}

void parse_trades(od::value v, PublicMessage& m) {
  od::array list;
  check(v.get_array().get(list), "publicTrade data");
  for (auto item : list) {
    od::object t;
    check(item.get_object().get(t), "trade");
    PublicTrade trade;
    for (auto field : t) {
      std::string_view key;
      check(field.unescaped_key().get(key), "trade key");
      od::value fv;
      check(field.value().get(fv), "trade value");
      if (key == "T") {
        check(fv.get_int64().get(trade.ts_ms), "trade T");
      } else if (key == "p") {
        trade.price_e8 = string_e8(fv, "trade price");
      } else if (key == "v") {
        trade.qty_e8 = string_e8(fv, "trade size");
      } else if (key == "S") {
        std::string_view side;
        check(fv.get_string().get(side), "trade side");
        trade.taker_side = side == "Buy" ? MMH_SIDE_BUY : side == "Sell" ? MMH_SIDE_SELL : 0;
        if (trade.taker_side == 0) fail("trade side '" + std::string(side.substr(0, 20)) + "'");
      } else if (key == "i") {
        std::string_view id;
        check(fv.get_string().get(id), "trade id");
        trade.trade_id = parse_count<uint64_t>(id).value_or(0);
      }
    }
    if (trade.ts_ms <= 0 || trade.price_e8 <= 0 || trade.qty_e8 <= 0 || trade.taker_side == 0)
      fail("trade without T, p, v or S");
    m.trades.push_back(trade);
  }
}

void parse_klines(od::value v, PublicMessage& m) {
  od::array list;
  check(v.get_array().get(list), "kline data");
  for (auto item : list) {
    od::object k;
    check(item.get_object().get(k), "kline");
    KlineUpdate bar;
    int seen = 0;
    for (auto field : k) {
      std::string_view key;
      check(field.unescaped_key().get(key), "kline key");
      od::value fv;
      check(field.value().get(fv), "kline value");
      if (key == "start") {
        check(fv.get_int64().get(bar.start_ms), "kline start");
        seen |= 1;
      } else if (key == "end") {
        check(fv.get_int64().get(bar.end_ms), "kline end");
      } else if (key == "open") {
        bar.open_e8 = string_e8(fv, "kline open");
        seen |= 2;
      } else if (key == "close") {
        bar.close_e8 = string_e8(fv, "kline close");
        seen |= 4;
      } else if (key == "high") {
        bar.high_e8 = string_e8(fv, "kline high");
        seen |= 8;
      } else if (key == "low") {
        bar.low_e8 = string_e8(fv, "kline low");
        seen |= 16;
      } else if (key == "volume") {
        bar.volume_e8 = string_e8(fv, "kline volume");
      } else if (key == "confirm") {
        check(fv.get_bool().get(bar.confirm), "kline confirm");
      }
    }
    if (seen != 31) fail("kline without start, open, high, low and close");
    m.klines.push_back(bar);
  }
}

void parse_ticker(od::value v, PublicMessage& m) {
  od::object t;
  check(v.get_object().get(t), "tickers data");  // spot: an object, not an array
  for (auto field : t) {
    std::string_view key;
    check(field.unescaped_key().get(key), "ticker key");
    if (key != "lastPrice") continue;
    od::value fv;
    check(field.value().get(fv), "ticker value");
    m.last_price_e8 = string_e8(fv, "ticker lastPrice");
  }
}

void reset(PublicMessage& m) {
  m.kind = PublicKind::none;
  m.topic.clear();
  m.ts_ms = 0;
  m.snapshot = false;
  m.update_id = 0;
  m.seq = 0;
  m.cts_ms = 0;
  m.bids.clear();
  m.asks.clear();
  m.trades.clear();
  m.klines.clear();
  m.last_price_e8 = 0;
  m.op.clear();
  m.success = false;
  m.ret_msg.clear();
}

}  // namespace

struct PublicParser::Impl {
  od::parser parser;
  std::string buffer;
  bool compact_fast_path = true;
};

PublicParser::PublicParser() : impl_(std::make_unique<Impl>()) {}
PublicParser::~PublicParser() = default;

void PublicParser::set_compact_fast_path(bool on) {
  impl_->compact_fast_path = on;
}

void PublicParser::parse(std::string_view bytes, PublicMessage& m) {
  reset(m);
  std::string& buf = impl_->buffer;
  if (buf.size() < bytes.size() + simdjson::SIMDJSON_PADDING)
    buf.resize(bytes.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(buf.data(), bytes.data(), bytes.size());
  buf[bytes.size()] = '\0';  // parse_compact_book's end mark (inside simdjson's padding)
  if (impl_->compact_fast_path) {
    if (parse_compact_book(buf.data(), bytes.size(), m)) return;
    reset(m);
  }
  od::document doc;
  check(impl_->parser.iterate(buf.data(), bytes.size(), buf.size()).get(doc), "not JSON");
  od::object root;
  check(doc.get_object().get(root), "top level is not an object");
  bool have_data = false;
  for (auto field : root) {
    std::string_view key;
    check(field.unescaped_key().get(key), "key");
    od::value v;
    check(field.value().get(v), "value");
    if (key == "topic") {
      std::string_view topic;
      check(v.get_string().get(topic), "topic");
      m.topic.assign(topic);
      if (topic.rfind("orderbook.", 0) == 0)
        m.kind = PublicKind::orderbook;
      else if (topic.rfind("publicTrade.", 0) == 0)
        m.kind = PublicKind::trade;
      else if (topic.rfind("kline.", 0) == 0)
        m.kind = PublicKind::kline;
      else if (topic.rfind("tickers.", 0) == 0)
        m.kind = PublicKind::ticker;
      else
        fail("unknown topic '" + std::string(topic.substr(0, 60)) + "'");
    } else if (key == "type") {
      std::string_view type;
      check(v.get_string().get(type), "type");
      m.snapshot = type == "snapshot";
    } else if (key == "ts") {
      check(v.get_int64().get(m.ts_ms), "ts");
    } else if (key == "cts") {
      check(v.get_int64().get(m.cts_ms), "cts");
    } else if (key == "data") {
      have_data = true;
      switch (m.kind) {
        case PublicKind::orderbook:
          parse_book(v, m);
          break;
        case PublicKind::trade:
          parse_trades(v, m);
          break;
        case PublicKind::kline:
          parse_klines(v, m);
          break;
        case PublicKind::ticker:
          parse_ticker(v, m);
          break;
        default:
          fail("data before topic");
      }
    } else if (key == "op") {
      std::string_view op;
      check(v.get_string().get(op), "op");
      m.op.assign(op);
      if (m.kind == PublicKind::none) m.kind = PublicKind::control;
    } else if (key == "success") {
      check(v.get_bool().get(m.success), "success");
    } else if (key == "ret_msg") {
      std::string_view msg;
      check(v.get_string().get(msg), "ret_msg");
      m.ret_msg.assign(msg);
    }
  }
  if (m.kind == PublicKind::none) fail("neither a topic nor an op");
  if (m.kind != PublicKind::control && !have_data) fail("topic '" + m.topic + "' without data");
}

}  // namespace mmh::bybit
