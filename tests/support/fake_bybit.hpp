// A loopback fake of Bybit's V5 REST API for tests (the WebSocket side grows here too). It runs
// on its own thread on 127.0.0.1 with an ephemeral port, over TLS (a fresh test certificate) or
// plain HTTP, serves klines from real candles and fixture payloads from ../shared/bybit/fixtures,
// checks signatures and timestamps of private requests the way Bybit does (10002, 10003, 10004),
// and injects faults on demand: HTTP statuses (403, 5xx), retCodes (10006, 10002, ...), slow
// responses and dropped connections. Tests start and stop it themselves.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mmh::test {

class FakeExchange;

struct FakeRequest {
  std::string method;
  std::string path;
  std::string query;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

enum class FaultKind {
  http_status,  // answer with HTTP `value` (e.g. 403, 502) and a plain body
  ret_code,     // HTTP 200 with retCode `value` (10006 also sets the limit headers)
  delay,        // answer `value` ms late
  disconnect,   // close the connection without answering
  lose_reply,   // private endpoints: do what was asked, then close without answering
};

struct Fault {
  std::string path;  // exact request path, e.g. /v5/market/kline
  FaultKind kind = FaultKind::http_status;
  int64_t value = 0;
  int times = 1;  // how many matching requests it hits; -1 = every one
  int skip = 0;   // matching requests let through first
};

class FakeBybit {
 public:
  struct Options {
    bool tls = true;
    std::string api_key = "TESTKEY0123456789";
    std::string api_secret = "TESTSECRETabcdefghijklmnopqrstuvwxyz0123";
  };
  explicit FakeBybit(Options options);
  FakeBybit();
  ~FakeBybit();
  FakeBybit(const FakeBybit&) = delete;
  FakeBybit& operator=(const FakeBybit&) = delete;

  std::string rest_url() const;  // https://127.0.0.1:<port> (http:// without TLS)
  // The certificate clients must trust (PEM), empty without TLS.
  const std::string& ca_pem() const;
  // Writes a venue file pointing every URL at this server (and the CA at a file beside it);
  // `extra` lines are appended (e.g. "max_attempts: 3").
  std::string write_venue_file(const std::string& dir, const std::string& extra = {}) const;

  // 1-minute candles the kline endpoint serves (longer minute intervals are aggregated).
  void set_candles(std::vector<mmh_candle> one_minute);
  // The server clock: wall clock + offset, or a fixed time when fixed_now_ms != 0.
  void set_clock(int64_t offset_ms, int64_t fixed_now_ms = 0);
  // A market clock from `start_ms` running `speed` times the wall clock (a soak carries a day of
  // market data in two hours): REST times and the times on stream messages follow it.
  void set_market_clock(int64_t start_ms, int64_t speed);
  int64_t now_ms() const;
  void inject(Fault fault);
  void clear_faults();

  std::vector<FakeRequest> requests() const;
  size_t count(const std::string& path) const;
  size_t connections() const;

  // --- public WebSocket (/v5/public/spot) -------------------------------------------------
  // The fake's book for `symbol`: a subscriber to orderbook.{depth}.{symbol} first gets it as
  // a snapshot (u = the current update id), then the deltas published below.
  void set_book(const std::string& symbol, std::vector<mmh_book_level> bids,
                std::vector<mmh_book_level> asks, uint64_t first_update_id = 1000);
  // Applies levels (qty 0 removes) and sends them as one delta with the next u.
  void publish_book_delta(std::vector<mmh_book_level> bids, std::vector<mmh_book_level> asks);
  // Loses the next delta: u advances, nothing is sent (subscribers see a gap).
  void drop_next_book_delta();
  // The exchange restarted its book service: a snapshot with u == 1.
  void restart_book();
  // Sends the text as is to every subscriber of `topic` (duplicates, out-of-order, garbage).
  void publish_raw(const std::string& topic, const std::string& text);
  // A confirmed kline of the book's symbol to kline.{interval} subscribers.
  void publish_kline(const std::string& interval, const mmh_candle& bar, bool confirm = true);
  void publish_trade(int64_t ts_ms, int64_t price_e8, int64_t qty_e8, bool taker_buy);
  // Closes every WebSocket connection (clients must reconnect and resubscribe).
  void drop_ws_connections();
  // While silent nothing is sent on WebSockets, not even pongs (clients must detect staleness).
  void set_ws_silent(bool silent);
  // The last delta's text (for replaying it as a duplicate).
  std::string last_book_message() const;
  size_t ws_connections() const;
  // Subscribe requests received for a topic (first subscriptions and resubscriptions).
  size_t subscribes(const std::string& topic) const;

  // --- the account (private REST + /v5/private) -------------------------------------------
  // Runs fn on the exchange (orders, wallet, executions; fake_exchange.hpp) under the server's
  // lock, then pushes what changed to authenticated `order`/`execution`/`wallet` subscribers.
  void with_exchange(const std::function<void(FakeExchange&)>& fn);
  // Someone else's trade at `price_e8`: our resting orders it crosses fill as makers.
  void trade_through(bool taker_buy, int64_t price_e8, int64_t qty_e8);
  size_t private_auths() const;
  // Closes the private WebSocket connections only.
  void drop_private_connections();
  // While down, private connections are closed and new ones refused (a long outage).
  void set_private_down(bool down);
  // The account's Disconnected Cancel All for spot (/v5/account/query-dcp-info): on with this
  // window in seconds, or off (0, the default: an empty dcpInfos). dcp_window_set() is what a
  // client set with /v5/order/disconnected-cancel-all (0: nothing).
  void set_dcp(int64_t window_s);
  int64_t dcp_window_set() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A fixture payload from ../shared/bybit/fixtures.
std::string bybit_fixture(const std::string& name);

}  // namespace mmh::test
