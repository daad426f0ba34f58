// The matching side of the fake Bybit: one spot symbol, one account. It keeps orders, a wallet
// with locked amounts, and executions the way PROTOCOL.md §5 describes them, and answers the
// private REST endpoints with Bybit-shaped bodies. Resting orders fill when a test trades
// through them (trade()); takers (IOC, FOK, Market) fill at once against the touch
// (set_touch()). Fees follow §5.9 with positive rates: a Buy pays in base, a Sell in quote.
// Every change is recorded as a private WS push (order / execution / wallet) for the server to
// send. Not thread-safe: the server calls it under its lock.
#pragma once

#include "ledger/amount.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mmh::test {

struct FakeOrder {
  std::string order_id;
  std::string link_id;
  std::string side;  // Buy / Sell
  std::string type;  // Limit / Market
  std::string tif;   // GTC / PostOnly / IOC / FOK
  std::string status = "New";
  std::string reject_reason = "EC_NoError";
  std::string cancel_type = "UNKNOWN";
  std::string market_unit;
  int64_t price_e8 = 0;
  int64_t qty_e8 = 0;
  int64_t cum_qty_e8 = 0;
  int64_t cum_value_e8 = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  bool open() const { return status == "New" || status == "PartiallyFilled"; }
};

struct FakeExecution {
  std::string exec_id;
  std::string order_id;
  std::string link_id;
  std::string side;
  int64_t price_e8 = 0;
  int64_t qty_e8 = 0;
  mmh::amount_e18 fee = 0;  // exact, as Bybit reports it (0.1% of 101.782892 = 0.1017827742)
  std::string fee_coin;
  bool maker = false;
  int64_t ms = 0;
};

struct FakeReply {
  int64_t ret_code = 0;
  std::string ret_msg = "OK";
  std::string result = "{}";  // JSON of `result`
  std::string ext_info = "{}";
};

class FakeExchange {
 public:
  FakeExchange(std::string symbol, std::string base, std::string quote, int64_t tick_e8,
               int64_t lot_e8);

  void set_balance(const std::string& coin, int64_t wallet_e8);
  void set_fee_bps(int64_t maker_bps, int64_t taker_bps);
  // Any rate, e.g. 73'000 = 0.00073 (VIP tiers have rates that leave fees with 10+ decimals).
  void set_fee_rate_e8(int64_t maker_rate_e8, int64_t taker_rate_e8);
  // A fill races every cancel: the order fills in full (maker, at its price) just before the
  // cancel arrives, which then answers 110001 "Order does not exist".
  void set_fill_on_cancel(bool on) { fill_on_cancel_ = on; }
  // Fees charged in a third coin (Bybit charges some accounts' fees in other coins): the
  // execution reports `coin` as its fee currency; the wallet pays nothing in base or quote.
  void set_fee_coin(std::string coin) { fee_coin_override_ = std::move(coin); }
  // The touch takers fill at (0 = none on that side).
  void set_touch(int64_t bid_e8, int64_t ask_e8);
  // A trade of someone else at `price_e8`: resting orders it crosses fill (makers), best price
  // first, up to `qty_e8` in total.
  void trade(bool taker_buy, int64_t price_e8, int64_t qty_e8, int64_t now_ms);

  // Private REST (bodies/queries as Bybit takes them).
  FakeReply create(const std::string& body, int64_t now_ms);
  FakeReply create_batch(const std::string& body, int64_t now_ms);
  FakeReply amend(const std::string& body, int64_t now_ms);
  FakeReply cancel(const std::string& body, int64_t now_ms);
  FakeReply cancel_all(const std::string& body, int64_t now_ms);
  FakeReply realtime(const std::map<std::string, std::string>& query) const;
  // The next n order queries by orderLinkId find nothing (an exchange slow to list a new order).
  void hide_from_queries(int n) { hidden_queries_ = n; }
  FakeReply executions(const std::map<std::string, std::string>& query) const;
  FakeReply wallet(const std::map<std::string, std::string>& query) const;

  // Private WS pushes produced since the last call (full message texts), in order.
  std::vector<std::string> take_pushes();

  const std::map<std::string, FakeOrder>& orders() const { return orders_; }  // by orderId
  std::vector<FakeOrder> open_orders() const;
  const std::vector<FakeExecution>& execution_log() const { return execs_; }
  int64_t wallet_e8(const std::string& coin) const;  // rounded down to 1e-8
  int64_t locked_e8(const std::string& coin) const;
  mmh::amount_e18 wallet_e18(const std::string& coin) const;  // exact
  const std::vector<FakeExecution>& executions() const { return execs_; }
  // Create requests that named an orderLinkId already used (duplicates refused).
  uint64_t duplicate_creates() const { return duplicate_creates_; }

 private:
  struct Coin {
    mmh::amount_e18 wallet = 0;  // fees leave more than 8 decimals
    mmh::amount_e18 locked = 0;
  };
  FakeReply place(const std::map<std::string, std::string>& req, int64_t now_ms);
  void fill(FakeOrder& o, int64_t price_e8, int64_t qty_e8, bool maker, int64_t now_ms);
  void close(FakeOrder& o, const std::string& status, const std::string& reason, int64_t now_ms);
  int64_t lock_for(const FakeOrder& o, int64_t open_qty_e8) const;
  FakeOrder* find(const std::map<std::string, std::string>& req);
  void push_order(const FakeOrder& o);
  void push_wallet();

  std::string symbol_, base_, quote_;
  int64_t tick_e8_, lot_e8_;
  int64_t maker_rate_e8_ = 100'000, taker_rate_e8_ = 100'000;  // 0.1%
  bool fill_on_cancel_ = false;
  std::string fee_coin_override_;
  int64_t bid_e8_ = 0, ask_e8_ = 0;
  std::map<std::string, Coin> coins_;
  std::map<std::string, FakeOrder> orders_;     // orderId -> order
  std::map<std::string, std::string> by_link_;  // orderLinkId -> orderId
  std::vector<FakeExecution> execs_;
  std::vector<std::string> pushes_;
  uint64_t next_order_ = 1900000000000000001ull;
  uint64_t next_exec_ = 2100000000000000001ull;
  uint64_t duplicate_creates_ = 0;
  uint64_t push_id_ = 0;
  mutable int hidden_queries_ = 0;
};

}  // namespace mmh::test
