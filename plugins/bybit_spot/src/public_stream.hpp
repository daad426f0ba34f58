// The public market-data session for one symbol (PROTOCOL.md §6): connects, subscribes to the
// order book, trades, klines and tickers, pings every 20 s, keeps the local book (OrderBook) and
// reports what happened through callbacks. It never lets a wrong book through: on a sequence gap it
// marks the book invalid at once and resubscribes the book topic (a fresh snapshot follows); on a
// silent stream (nothing for `stale_ms`) or a dropped connection it marks the book invalid and
// reconnects with exponential backoff and jitter, resubscribing everything. The caller pulls its
// quotes while the book is invalid.
#pragma once

#include "order_book.hpp"
#include "public_message.hpp"
#include "rest_client.hpp"
#include "venue_config.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace mmh::bybit {

struct PublicStreamSettings {
  std::string url;  // wss://stream.bybit.com/v5/public/spot
  std::string ca_file;
  std::string symbol;
  int depth = 50;              // orderbook depth: 1, 50, 200 or 1000
  std::string kline_interval;  // Bybit code ("1"); empty = no klines
  bool trades = true;
  bool tickers = true;  // tickers.{symbol}: the exchange's last traded price
  int64_t ping_ms = 20000;
  int64_t stale_ms = 10000;  // no message at all for this long: the stream is dead
  int64_t connect_timeout_ms = 10000;
  int64_t backoff_initial_ms = 500;
  int64_t backoff_max_ms = 30000;
};

struct PublicStreamStats {
  uint64_t connects = 0;
  uint64_t messages = 0;
  uint64_t book_snapshots = 0;
  uint64_t book_deltas = 0;
  uint64_t duplicates = 0;
  uint64_t gaps = 0;
  uint64_t stale = 0;
  uint64_t resubscribes = 0;
  uint64_t parse_errors = 0;
  uint64_t pongs = 0;
  uint64_t tickers = 0;
  int64_t last_price_e8 = 0;  // from the latest ticker that carried lastPrice; 0 = none yet
};

struct PublicStreamEvents {
  // After every applied book message (snapshot or delta); `message` holds the changed levels.
  std::function<void(const OrderBook& book, const PublicMessage& message)> on_book;
  // The book is unusable from now until the next on_book snapshot: pull quotes.
  std::function<void(const std::string& reason)> on_book_invalid;
  std::function<void(const std::vector<PublicTrade>& trades)> on_trades;
  // A final (confirm = true) candle, once per start time.
  std::function<void(const KlineUpdate& bar)> on_kline_closed;
  LogFn log;
};

class PublicStream : public std::enable_shared_from_this<PublicStream> {
 public:
  PublicStream(boost::asio::any_io_executor executor, PublicStreamSettings settings,
               PublicStreamEvents events);
  // Runs until stop(); reconnects forever.
  boost::asio::awaitable<void> run();
  void stop();
  const PublicStreamStats& stats() const { return stats_; }
  const OrderBook& book() const { return book_; }
  std::vector<std::string> topics() const;

 private:
  boost::asio::awaitable<void> session();
  boost::asio::awaitable<void> pinger(std::shared_ptr<class WsConnection> ws);
  void handle(const std::string& text, class WsConnection& ws);
  void resubscribe_book(class WsConnection& ws);
  void invalidate(const std::string& reason);
  void log(int level, const std::string& message) const;

  boost::asio::any_io_executor executor_;
  PublicStreamSettings settings_;
  PublicStreamEvents events_;
  PublicStreamStats stats_;
  PublicParser parser_;
  PublicMessage message_;
  OrderBook book_;
  std::shared_ptr<class WsConnection> ws_;
  std::shared_ptr<boost::asio::steady_timer> ping_timer_;  // cancelled by stop()
  bool stopped_ = false;
  int64_t last_message_ms_ = 0;
  int64_t last_kline_start_ms_ = -1;
  int64_t awaiting_snapshot_since_ms_ = 0;  // steady ms of the last (re)subscribe; 0 = have one
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace mmh::bybit
