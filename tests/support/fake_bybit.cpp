#include "fake_bybit.hpp"

#include "fake_exchange.hpp"
#include "signer.hpp"
#include "test_support.hpp"
#include "test_tls.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <mutex>
#include <set>
#include <thread>

namespace mmh::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string bybit_fixture(const std::string& name) {
  const std::string path = std::string(MMHOST_TEST_SHARED_DATA_DIR) + "/../bybit/fixtures/" + name;
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + ": fixture missing");
  return read_file(path);
}

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string pair = query.substr(pos, amp - pos);
    const size_t eq = pair.find('=');
    out[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
    pos = amp + 1;
  }
  return out;
}

struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t delay_ms = 0;
  bool disconnect = false;
};

std::string envelope(int64_t code, const std::string& msg, const std::string& result,
                     int64_t time_ms, const std::string& ext_info = "{}") {
  return "{\"retCode\":" + std::to_string(code) + ",\"retMsg\":\"" + msg +
         "\",\"result\":" + result + ",\"retExtInfo\":" + ext_info +
         ",\"time\":" + std::to_string(time_ms) + "}";
}

}  // namespace

// One WebSocket client of the fake: what it subscribed to and what waits to be sent to it.
struct WsPeer {
  std::deque<std::string> outbox;
  std::unique_ptr<asio::steady_timer> wake;
  std::set<std::string> topics;
  bool is_private = false;  // connected to /v5/private
  bool authed = false;
  bool alive = true;
  std::function<void()> close;
};

std::string levels_json(const std::vector<mmh_book_level>& levels) {
  std::string out = "[";
  for (size_t i = 0; i < levels.size(); ++i)
    out += (i ? ",[\"" : "[\"") + sdk::format_e8(levels[i].price_e8) + "\",\"" +
           sdk::format_e8(levels[i].qty_e8) + "\"]";
  return out + "]";
}

struct FakeBybit::Impl {
  Options options;
  TestCertificate cert;
  std::unique_ptr<ssl::context> tls;  // outlives the sessions the io_context destroys
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  uint16_t port = 0;

  mutable std::mutex mutex;
  std::vector<mmh_candle> candles;  // 1m, ascending
  int64_t clock_offset_ms = 0;
  int64_t fixed_now_ms = 0;
  // An accelerated market clock (set_market_clock): REST and stream times both follow it.
  std::atomic<int64_t> market_start_ms{0};
  std::atomic<int64_t> market_wall0_ms{0};
  std::atomic<int64_t> market_speed{0};  // 0: off
  int64_t market_now_ms() const {
    return market_start_ms + (wall_ms() - market_wall0_ms) * market_speed;
  }
  // The time stamped on stream messages: the wall clock unless a market clock runs.
  int64_t stream_ts() const { return market_speed > 0 ? market_now_ms() : wall_ms(); }
  std::vector<Fault> faults;
  std::vector<FakeRequest> log;
  int64_t dcp_window_s = 0;               // the account's Disconnected Cancel All for spot (0: off)
  int64_t dcp_window_set_s = 0;           // what a client set it to
  std::atomic<bool> private_down{false};  // private WebSocket upgrades refused
  size_t connections = 0;

  // Public WebSocket state: touched on the io thread only (the API posts and waits).
  std::vector<std::shared_ptr<WsPeer>> peers;
  std::string book_symbol = "ETHUSDT";
  std::map<int64_t, int64_t> book_bids;  // price -> qty
  std::map<int64_t, int64_t> book_asks;
  uint64_t book_u = 1000;
  uint64_t book_seq = 5000000;
  bool ws_silent = false;
  std::string last_delta;
  std::map<std::string, size_t> subscribe_counts;
  size_t ws_connection_count = 0;
  size_t private_auths = 0;
  FakeExchange exchange{"ETHUSDT", "ETH", "USDT", 1000000, 1000};

  // Under the lock: takers on the exchange fill at the public book's touch.
  void sync_touch() {
    exchange.set_touch(book_bids.empty() ? 0 : book_bids.rbegin()->first,
                       book_asks.empty() ? 0 : book_asks.begin()->first);
  }

  // Under the lock, on the io thread: the exchange's pushes to authenticated subscribers.
  void flush_pushes() {
    for (std::string& text : exchange.take_pushes()) {
      const size_t at = text.find("\"topic\":\"");
      const std::string topic = text.substr(at + 9, text.find('"', at + 9) - at - 9);
      for (auto& p : peers)
        if (p->is_private && p->authed && p->topics.count(topic)) send(*p, text);
    }
  }
  uint64_t trade_id = 2290000000050703789ull;

  template <typename Fn>
  auto on_io(Fn fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    asio::post(ioc, [&task] { task(); });
    return result.get();
  }

  void send(WsPeer& peer, std::string text) {
    if (ws_silent || !peer.alive) return;
    peer.outbox.push_back(std::move(text));
    peer.wake->cancel();
  }

  void broadcast(const std::string& topic, const std::string& text) {
    for (auto& p : peers)
      if (p->topics.count(topic)) send(*p, text);
  }

  std::string book_message(const std::string& topic, bool snapshot,
                           const std::vector<mmh_book_level>& bids,
                           const std::vector<mmh_book_level>& asks, uint64_t u) {
    const int64_t ts = stream_ts();
    return "{\"topic\":\"" + topic + "\",\"ts\":" + std::to_string(ts) + ",\"type\":\"" +
           (snapshot ? "snapshot" : "delta") + "\",\"data\":{\"s\":\"" + book_symbol +
           "\",\"b\":" + levels_json(bids) + ",\"a\":" + levels_json(asks) +
           ",\"u\":" + std::to_string(u) + ",\"seq\":" + std::to_string(++book_seq) +
           "},\"cts\":" + std::to_string(ts) + "}";
  }

  std::string snapshot_for(const std::string& topic, uint64_t u) {
    std::vector<mmh_book_level> bids, asks;
    for (auto it = book_bids.rbegin(); it != book_bids.rend(); ++it)
      bids.push_back({it->first, it->second});
    for (const auto& [p, q] : book_asks) asks.push_back({p, q});
    return book_message(topic, true, bids, asks, u);
  }

  void on_ws_message(WsPeer& peer, const std::string& text) {
    nlohmann::json msg = nlohmann::json::parse(text, nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) return;
    const std::string op = msg.value("op", "");
    if (op == "ping") {
      if (peer.is_private)  // the private pong shape (PROTOCOL.md §6.1)
        send(peer, "{\"req_id\":\"\",\"op\":\"pong\",\"args\":[\"" + std::to_string(wall_ms()) +
                       "\"],\"conn_id\":\"fake-private\"}");
      else
        send(peer, R"({"success":true,"ret_msg":"pong","conn_id":"fake-conn","op":"ping"})");
      return;
    }
    if (op == "auth" && peer.is_private) {
      // args: [api key, expires ms, HMAC("GET/realtime" + expires)]; expired requests fail.
      const auto& a = msg["args"];
      bool ok = a.is_array() && a.size() == 3 && a[0] == options.api_key && a[1].is_number();
      if (ok) {
        const int64_t expires = a[1].get<int64_t>();
        const bybit::Credentials creds{options.api_key, options.api_secret};
        ok = expires > wall_ms() && a[2] == bybit::ws_auth_signature(creds, expires);
      }
      peer.authed = ok;
      {
        std::lock_guard lock(mutex);
        if (ok) ++private_auths;
      }
      send(peer, std::string("{\"success\":") + (ok ? "true" : "false") + ",\"ret_msg\":\"" +
                     (ok ? "" : "Params Error") +
                     "\",\"op\":\"auth\",\"conn_id\":\"fake-private\"}");
      return;
    }
    if (op != "subscribe" && op != "unsubscribe") return;
    if (peer.is_private && !peer.authed) {
      send(
          peer,
          R"({"success":false,"ret_msg":"Request not authorized","op":"subscribe","conn_id":"fake-private"})");
      return;
    }
    std::vector<std::string> args;
    if (msg.contains("args") && msg["args"].is_array())
      for (const auto& a : msg["args"])
        if (a.is_string()) args.push_back(a.get<std::string>());
    send(peer, "{\"success\":true,\"ret_msg\":\"" + op + "\",\"conn_id\":\"fake-conn\",\"op\":\"" +
                   op + "\"}");
    for (const std::string& topic : args) {
      if (op == "unsubscribe") {
        peer.topics.erase(topic);
        continue;
      }
      peer.topics.insert(topic);
      {
        std::lock_guard lock(mutex);
        ++subscribe_counts[topic];
      }
      if (topic.rfind("orderbook.", 0) == 0) send(peer, snapshot_for(topic, book_u));
      if (topic.rfind("tickers.", 0) == 0 && !book_bids.empty()) {
        // Bybit answers a tickers subscription with a snapshot; the fake's last price is its
        // best bid.
        send(peer, "{\"topic\":\"" + topic + "\",\"ts\":" + std::to_string(stream_ts()) +
                       ",\"type\":\"snapshot\",\"cs\":1,\"data\":{\"symbol\":\"" + topic.substr(8) +
                       "\",\"lastPrice\":\"" + sdk::format_e8(book_bids.rbegin()->first) + "\"}}");
      }
    }
  }

  template <typename Stream>
  asio::awaitable<void> ws_session(Stream stream, http::request<http::string_body> req) {
    struct Holder {
      websocket::stream<Stream> ws;
      explicit Holder(Stream&& s) : ws(std::move(s)) {}
    };
    auto holder = std::make_shared<Holder>(std::move(stream));
    auto [aec] = co_await holder->ws.async_accept(req, asio::as_tuple(asio::use_awaitable));
    if (aec) co_return;
    auto peer = std::make_shared<WsPeer>();
    peer->is_private = req.target().starts_with("/v5/private");
    peer->wake = std::make_unique<asio::steady_timer>(ioc);
    peer->close = [holder] {
      beast::error_code ignored;
      beast::get_lowest_layer(holder->ws).socket().close(ignored);
    };
    peers.push_back(peer);
    {
      std::lock_guard lock(mutex);
      ++ws_connection_count;
    }
    // Writer: drains the outbox in order.
    asio::co_spawn(ioc, ws_writer(holder, peer), asio::detached);
    beast::flat_buffer buffer;
    for (;;) {
      buffer.clear();
      auto [rec, n] = co_await holder->ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
      (void)n;
      if (rec) break;
      on_ws_message(*peer, beast::buffers_to_string(buffer.data()));
    }
    peer->alive = false;
    peer->wake->cancel();
    peers.erase(std::remove(peers.begin(), peers.end(), peer), peers.end());
  }

  template <typename Holder>
  static asio::awaitable<void> ws_writer(std::shared_ptr<Holder> holder,
                                         std::shared_ptr<WsPeer> peer) {
    while (peer->alive) {
      if (peer->outbox.empty()) {
        peer->wake->expires_at(asio::steady_timer::time_point::max());
        co_await peer->wake->async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      std::string text = std::move(peer->outbox.front());
      peer->outbox.pop_front();
      holder->ws.text(true);
      auto [wec, n] =
          co_await holder->ws.async_write(asio::buffer(text), asio::as_tuple(asio::use_awaitable));
      (void)n;
      if (wec) peer->alive = false;
    }
  }

  int64_t now_locked() const {
    if (market_speed > 0) return market_now_ms();
    return fixed_now_ms != 0 ? fixed_now_ms : wall_ms() + clock_offset_ms;
  }

  // Under the lock.
  std::optional<Reply> fault_for(const std::string& path, int64_t now) {
    for (Fault& f : faults) {
      if (f.path != path || f.times == 0) continue;
      if (f.skip > 0) {
        --f.skip;
        continue;
      }
      if (f.times > 0) --f.times;
      Reply r;
      switch (f.kind) {
        case FaultKind::http_status:
          r.status = static_cast<int>(f.value);
          r.body = "injected HTTP " + std::to_string(f.value);
          return r;
        case FaultKind::ret_code:
          r.body = envelope(f.value, f.value == 10006 ? "Too many visits!" : "injected", "{}", now);
          if (f.value == 10006)
            r.headers = {{"X-Bapi-Limit", "20"},
                         {"X-Bapi-Limit-Status", "0"},
                         {"X-Bapi-Limit-Reset-Timestamp", std::to_string(wall_ms() + 200)}};
          return r;
        case FaultKind::delay:
          r.delay_ms = f.value;
          r.status = 0;  // answer normally, late
          return r;
        case FaultKind::disconnect:
          r.disconnect = true;
          return r;
        case FaultKind::lose_reply:
          r.status = -1;  // handled by the caller: process, then hang up
          return r;
      }
    }
    return std::nullopt;
  }

  // Bybit's private-request checks (PROTOCOL.md §3.1), in its order: key, timestamp, sign.
  std::optional<std::string> check_auth(const FakeRequest& req, int64_t now) {
    auto header = [&](const char* name) {
      auto it = req.headers.find(name);
      return it == req.headers.end() ? std::string() : it->second;
    };
    const std::string key = header("x-bapi-api-key");
    if (key != options.api_key) return envelope(10003, "API key is invalid.", "{}", now);
    const std::string ts_text = header("x-bapi-timestamp");
    const std::string rw_text = header("x-bapi-recv-window");
    int64_t ts = 0, rw = 5000;
    try {
      ts = std::stoll(ts_text);
      if (!rw_text.empty()) rw = std::stoll(rw_text);
    } catch (const std::exception&) {
      return envelope(10001, "bad timestamp", "{}", now);
    }
    if (!(now - rw <= ts && ts < now + 1000))
      return envelope(10002,
                      "invalid request, please check your server timestamp or recv_window param. "
                      "req_timestamp[" +
                          ts_text + "],server_timestamp[" + std::to_string(now) + "],recv_window[" +
                          std::to_string(rw) + "]",
                      "{}", now);
    const std::string payload = req.method == "POST" ? req.body : req.query;
    bybit::Credentials creds{options.api_key, options.api_secret};
    if (bybit::rest_signature(creds, ts, rw, payload) != header("x-bapi-sign"))
      return envelope(10004, "error sign! origin_string[" + ts_text + key + rw_text + payload + "]",
                      "{}", now);
    return std::nullopt;
  }

  std::string klines(const std::map<std::string, std::string>& q, int64_t now) {
    auto get = [&](const char* k) {
      auto it = q.find(k);
      return it == q.end() ? std::string() : it->second;
    };
    if (get("category") != "spot") return envelope(10001, "category must be spot here", "{}", now);
    const std::string interval = get("interval");
    int64_t minutes = 0;
    for (int m : {1, 3, 5, 15, 30, 60, 120, 240, 360, 720})
      if (interval == std::to_string(m)) minutes = m;
    if (interval == "D") minutes = 1440;
    if (minutes == 0) return envelope(10001, "Invalid period!", "{}", now);
    const int64_t step = minutes * 60000;
    const int64_t start = get("start").empty() ? 0 : std::stoll(get("start"));
    const int64_t end = get("end").empty() ? now : std::stoll(get("end"));
    const int64_t limit = get("limit").empty() ? 200 : std::stoll(get("limit"));
    if (limit < 1 || limit > 1000) return envelope(10001, "limit out of range", "{}", now);
    // Aggregate the 1m candles into the requested bars (open time on the interval grid).
    std::map<int64_t, mmh_candle> bars;
    for (const mmh_candle& c : candles) {
      const int64_t t = c.open_ts_ns / 1000000;
      if (t > now) break;  // the future does not exist yet
      const int64_t bar = t - ((t % step) + step) % step;
      if (bar + step <= start || bar > end) continue;
      auto [it, fresh] = bars.try_emplace(bar, c);
      mmh_candle& b = it->second;
      if (fresh) continue;
      b.high_e8 = std::max(b.high_e8, c.high_e8);
      b.low_e8 = std::min(b.low_e8, c.low_e8);
      b.close_e8 = c.close_e8;
      b.volume_e8 += c.volume_e8;
    }
    std::string list;
    int64_t n = 0;
    for (auto it = bars.rbegin(); it != bars.rend() && n < limit; ++it, ++n) {
      const mmh_candle& b = it->second;
      list += (n ? "," : "");
      list += "[\"" + std::to_string(it->first) + "\"";
      for (int64_t v : {b.open_e8, b.high_e8, b.low_e8, b.close_e8, b.volume_e8})
        list += ",\"" + sdk::format_e8(v) + "\"";
      list += ",\"" + sdk::format_e8(sdk::value_e8(b.close_e8, b.volume_e8)) + "\"]";
    }
    return envelope(
        0, "OK",
        "{\"symbol\":\"" + get("symbol") + "\",\"category\":\"spot\",\"list\":[" + list + "]}",
        now);
  }

  static bool private_route(const std::string& path) {
    return path.rfind("/v5/order/", 0) == 0 || path == "/v5/execution/list" ||
           path == "/v5/account/wallet-balance";
  }

  FakeReply exchange_call(const FakeRequest& req, const std::map<std::string, std::string>& q,
                          int64_t now) {
    const bool post = req.method == "POST";
    if (post && req.path == "/v5/order/create") return exchange.create(req.body, now);
    if (post && req.path == "/v5/order/create-batch") return exchange.create_batch(req.body, now);
    if (post && req.path == "/v5/order/amend") return exchange.amend(req.body, now);
    if (post && req.path == "/v5/order/cancel") return exchange.cancel(req.body, now);
    if (post && req.path == "/v5/order/cancel-all") return exchange.cancel_all(req.body, now);
    if (!post && req.path == "/v5/order/realtime") return exchange.realtime(q);
    if (!post && req.path == "/v5/execution/list") return exchange.executions(q);
    if (!post && req.path == "/v5/account/wallet-balance") return exchange.wallet(q);
    return FakeReply{10001, "no such endpoint or method", "{}", "{}"};
  }

  Reply handle(const FakeRequest& req) {
    std::lock_guard lock(mutex);
    log.push_back(req);
    const int64_t now = now_locked();
    Reply r;
    bool lose_reply = false;
    if (auto fault = fault_for(req.path, now)) {
      lose_reply = fault->status == -1;
      if (!lose_reply && (fault->status != 0 || fault->disconnect)) return *fault;
      r.delay_ms = fault->delay_ms;
    }
    const auto q = parse_query(req.query);
    if (req.path == "/v5/market/time") {
      r.body = envelope(0, "OK",
                        "{\"timeSecond\":\"" + std::to_string(now / 1000) + "\",\"timeNano\":\"" +
                            std::to_string(now) + "000000\"}",
                        now);
    } else if (req.path == "/v5/market/kline") {
      r.body = klines(q, now);
    } else if (req.path == "/v5/market/instruments-info") {
      // The 2023 capture lists BTCUSDT and ETHUSDT; filtered by symbol like the exchange.
      nlohmann::json doc =
          nlohmann::json::parse(bybit_fixture("rest_instruments_info_spot_2023.json"));
      auto symbol = q.find("symbol");
      if (symbol != q.end()) {
        nlohmann::json kept = nlohmann::json::array();
        for (const auto& item : doc["result"]["list"])
          if (item.value("symbol", "") == symbol->second) kept.push_back(item);
        doc["result"]["list"] = kept;
      }
      doc["time"] = now;
      r.body = doc.dump();
    } else if (req.path == "/v5/account/query-dcp-info" ||
               req.path == "/v5/order/disconnected-cancel-all") {
      if (auto denied = check_auth(req, now)) {
        r.body = *denied;
      } else if (req.method == "GET") {
        r.body = envelope(
            0, "success",
            dcp_window_s > 0 ? R"({"dcpInfos":[{"product":"SPOT","dcpStatus":"ON","timeWindow":")" +
                                   std::to_string(dcp_window_s) + R"("}]})"
                             : R"({"dcpInfos":[]})",
            now);
      } else {
        const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.contains("timeWindow") ||
            body.value("product", "") != "SPOT") {
          r.body = envelope(10001, "params error", "{}", now);
        } else {
          dcp_window_set_s = body["timeWindow"].get<int64_t>();
          r.body = envelope(0, "success", "{}", now);
        }
      }
    } else if (private_route(req.path)) {
      if (auto denied = check_auth(req, now)) {
        r.body = *denied;
      } else {
        const FakeReply x = exchange_call(req, q, now);
        r.body = envelope(x.ret_code, x.ret_msg, x.result, now, x.ext_info);
        r.headers = {{"X-Bapi-Limit", "50"},
                     {"X-Bapi-Limit-Status", "49"},
                     {"X-Bapi-Limit-Reset-Timestamp", std::to_string(wall_ms())}};
        flush_pushes();
      }
      if (lose_reply) r.disconnect = true;  // done, but the client never hears it
    } else {
      r.status = 404;
      r.body = "no route " + req.path;
    }
    return r;
  }

  template <typename Stream>
  asio::awaitable<void> serve(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] =
          co_await http::async_read(stream, buffer, req, asio::as_tuple(asio::use_awaitable));
      (void)n;
      if (ec) co_return;
      if (websocket::is_upgrade(req)) {
        // A private connection while it is down: refused (the client retries with backoff).
        if (private_down && req.target().starts_with("/v5/private")) co_return;
        co_await ws_session(std::move(stream), std::move(req));
        co_return;
      }
      FakeRequest fr;
      fr.method = std::string(req.method_string());
      const std::string target(req.target());
      const size_t qm = target.find('?');
      fr.path = target.substr(0, qm);
      fr.query = qm == std::string::npos ? "" : target.substr(qm + 1);
      fr.body = req.body();
      for (const auto& field : req) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        fr.headers[name] = std::string(field.value());
      }
      Reply reply = handle(fr);
      if (reply.disconnect) co_return;
      if (reply.delay_ms > 0) {
        asio::steady_timer timer(stream.get_executor(), std::chrono::milliseconds(reply.delay_ms));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      res.set(http::field::content_type, reply.status == 200 ? "application/json" : "text/plain");
      for (const auto& [name, value] : reply.headers) res.set(name, value);
      res.keep_alive(req.keep_alive());
      res.body() = std::move(reply.body);
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
      (void)wn;
      if (wec || !req.keep_alive()) co_return;
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    if (!tls) {
      beast::tcp_stream stream(std::move(socket));
      co_await serve(stream);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server,
                                                asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    co_await serve(stream);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }
};

FakeBybit::FakeBybit() : FakeBybit(Options{}) {}

FakeBybit::FakeBybit(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.tls) {
    impl_->cert = make_test_certificate();
    impl_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    impl_->tls->use_certificate_chain(
        asio::buffer(impl_->cert.certificate_pem.data(), impl_->cert.certificate_pem.size()));
    impl_->tls->use_private_key(
        asio::buffer(impl_->cert.private_key_pem.data(), impl_->cert.private_key_pem.size()),
        ssl::context::pem);
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

FakeBybit::~FakeBybit() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeBybit::rest_url() const {
  return std::string(impl_->options.tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(impl_->port);
}

const std::string& FakeBybit::ca_pem() const {
  return impl_->cert.certificate_pem;
}

std::string FakeBybit::write_venue_file(const std::string& dir, const std::string& extra) const {
  const std::string ws = std::string(impl_->options.tls ? "wss" : "ws") +
                         "://127.0.0.1:" + std::to_string(impl_->port);
  std::string text = "name: fake\nrest_url: " + rest_url() + "\nws_public_url: " + ws +
                     "/v5/public/spot\nws_private_url: " + ws + "/v5/private\n";
  if (impl_->options.tls) {
    write_file(dir + "/fake-ca.pem", ca_pem());
    text += "ca_file: fake-ca.pem\n";
  }
  text += extra;
  return write_file(dir + "/fake.yaml", text);
}

void FakeBybit::set_candles(std::vector<mmh_candle> one_minute) {
  std::lock_guard lock(impl_->mutex);
  impl_->candles = std::move(one_minute);
}

void FakeBybit::set_clock(int64_t offset_ms, int64_t fixed_now_ms) {
  std::lock_guard lock(impl_->mutex);
  impl_->clock_offset_ms = offset_ms;
  impl_->fixed_now_ms = fixed_now_ms;
}

void FakeBybit::set_market_clock(int64_t start_ms, int64_t speed) {
  impl_->market_wall0_ms = wall_ms();
  impl_->market_start_ms = start_ms;
  impl_->market_speed = speed;
}

int64_t FakeBybit::now_ms() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->now_locked();
}

void FakeBybit::inject(Fault fault) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(std::move(fault));
}

void FakeBybit::clear_faults() {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.clear();
}

void FakeBybit::set_book(const std::string& symbol, std::vector<mmh_book_level> bids,
                         std::vector<mmh_book_level> asks, uint64_t first_update_id) {
  impl_->on_io([&] {
    impl_->book_symbol = symbol;
    impl_->book_bids.clear();
    impl_->book_asks.clear();
    for (const auto& l : bids) impl_->book_bids[l.price_e8] = l.qty_e8;
    for (const auto& l : asks) impl_->book_asks[l.price_e8] = l.qty_e8;
    impl_->book_u = first_update_id;
    std::lock_guard lock(impl_->mutex);
    impl_->sync_touch();
    return 0;
  });
}

void FakeBybit::publish_book_delta(std::vector<mmh_book_level> bids,
                                   std::vector<mmh_book_level> asks) {
  impl_->on_io([&] {
    Impl& i = *impl_;
    for (const auto& l : bids) {
      if (l.qty_e8 == 0)
        i.book_bids.erase(l.price_e8);
      else
        i.book_bids[l.price_e8] = l.qty_e8;
    }
    for (const auto& l : asks) {
      if (l.qty_e8 == 0)
        i.book_asks.erase(l.price_e8);
      else
        i.book_asks[l.price_e8] = l.qty_e8;
    }
    ++i.book_u;
    {
      std::lock_guard lock(i.mutex);
      i.sync_touch();
    }
    for (auto& p : i.peers)
      for (const std::string& topic : p->topics)
        if (topic.rfind("orderbook.", 0) == 0) {
          i.last_delta = i.book_message(topic, false, bids, asks, i.book_u);
          i.send(*p, i.last_delta);
        }
    return 0;
  });
}

void FakeBybit::drop_next_book_delta() {
  impl_->on_io([&] { return ++impl_->book_u; });
}

void FakeBybit::restart_book() {
  impl_->on_io([&] {
    Impl& i = *impl_;
    i.book_u = 1;
    for (auto& p : i.peers)
      for (const std::string& topic : p->topics)
        if (topic.rfind("orderbook.", 0) == 0) i.send(*p, i.snapshot_for(topic, 1));
    return 0;
  });
}

void FakeBybit::publish_raw(const std::string& topic, const std::string& text) {
  impl_->on_io([&] {
    impl_->broadcast(topic, text);
    return 0;
  });
}

void FakeBybit::publish_kline(const std::string& interval, const mmh_candle& bar, bool confirm) {
  impl_->on_io([&] {
    Impl& i = *impl_;
    const std::string topic = "kline." + interval + "." + i.book_symbol;
    const int64_t start = bar.open_ts_ns / 1000000;
    const int64_t end = start + bar.interval_ns / 1000000 - 1;
    const std::string text =
        "{\"topic\":\"" + topic + "\",\"data\":[{\"start\":" + std::to_string(start) +
        ",\"end\":" + std::to_string(end) + ",\"interval\":\"" + interval + "\",\"open\":\"" +
        sdk::format_e8(bar.open_e8) + "\",\"close\":\"" + sdk::format_e8(bar.close_e8) +
        "\",\"high\":\"" + sdk::format_e8(bar.high_e8) + "\",\"low\":\"" +
        sdk::format_e8(bar.low_e8) + "\",\"volume\":\"" + sdk::format_e8(bar.volume_e8) +
        "\",\"turnover\":\"0\",\"confirm\":" + (confirm ? "true" : "false") +
        ",\"timestamp\":" + std::to_string(i.stream_ts()) +
        "}],\"ts\":" + std::to_string(i.stream_ts()) + ",\"type\":\"snapshot\"}";
    i.broadcast(topic, text);
    return 0;
  });
}

void FakeBybit::publish_trade(int64_t ts_ms, int64_t price_e8, int64_t qty_e8, bool taker_buy) {
  impl_->on_io([&] {
    Impl& i = *impl_;
    const std::string topic = "publicTrade." + i.book_symbol;
    const std::string text =
        "{\"topic\":\"" + topic + "\",\"ts\":" + std::to_string(ts_ms) +
        ",\"type\":\"snapshot\",\"data\":[{\"i\":\"" + std::to_string(++i.trade_id) +
        "\",\"T\":" + std::to_string(ts_ms) + ",\"p\":\"" + sdk::format_e8(price_e8) +
        "\",\"v\":\"" + sdk::format_e8(qty_e8) + "\",\"S\":\"" + (taker_buy ? "Buy" : "Sell") +
        "\",\"s\":\"" + i.book_symbol + "\",\"BT\":false,\"RPI\":false,\"seq\":1}]}";
    i.broadcast(topic, text);
    return 0;
  });
}

void FakeBybit::drop_ws_connections() {
  impl_->on_io([&] {
    for (auto& p : impl_->peers) p->close();
    return 0;
  });
}

void FakeBybit::set_ws_silent(bool silent) {
  impl_->on_io([&] { return impl_->ws_silent = silent; });
}

std::string FakeBybit::last_book_message() const {
  return impl_->on_io([&] { return impl_->last_delta; });
}

size_t FakeBybit::ws_connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->ws_connection_count;
}

size_t FakeBybit::subscribes(const std::string& topic) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->subscribe_counts.find(topic);
  return it == impl_->subscribe_counts.end() ? 0 : it->second;
}

std::vector<FakeRequest> FakeBybit::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

size_t FakeBybit::count(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<size_t>(std::count_if(impl_->log.begin(), impl_->log.end(),
                                           [&](const FakeRequest& r) { return r.path == path; }));
}

void FakeBybit::with_exchange(const std::function<void(FakeExchange&)>& fn) {
  impl_->on_io([&] {
    std::lock_guard lock(impl_->mutex);
    fn(impl_->exchange);
    impl_->flush_pushes();
    return 0;
  });
}

void FakeBybit::trade_through(bool taker_buy, int64_t price_e8, int64_t qty_e8) {
  // On the exchange's clock, like every other timestamp it hands out.
  with_exchange(
      [&](FakeExchange& x) { x.trade(taker_buy, price_e8, qty_e8, impl_->now_locked()); });
}

size_t FakeBybit::private_auths() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->private_auths;
}

void FakeBybit::drop_private_connections() {
  impl_->on_io([&] {
    for (auto& p : impl_->peers)
      if (p->is_private) p->close();
    return 0;
  });
}

void FakeBybit::set_private_down(bool down) {
  impl_->private_down = down;
  if (down) drop_private_connections();
}

void FakeBybit::set_dcp(int64_t window_s) {
  std::lock_guard lock(impl_->mutex);
  impl_->dcp_window_s = window_s;
}

int64_t FakeBybit::dcp_window_set() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->dcp_window_set_s;
}

size_t FakeBybit::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

}  // namespace mmh::test
