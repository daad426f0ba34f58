// The live market-data side of the bybit_spot plugin, independent of the plugin ABI glue:
// at start, the instrument's trading rules (/v5/market/instruments-info) and the last closed
// bars (/v5/market/kline) as warm-up; then the public stream (book, trades, closed klines) on its
// own I/O thread. Everything goes out through one `emit` callback as mmh_* batches, in order.
// When the book becomes unusable (gap, stale stream, disconnect) it emits an EMPTY book snapshot:
// the book is unknown until the next non-empty snapshot, and the host pulls its quotes meanwhile.
#pragma once

#include "public_stream.hpp"
#include "rest_client.hpp"
#include "venue_config.hpp"

#include <mmhost/plugin.h>
#include <mmhost/sdk/fixed_point.hpp>

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace mmh::bybit {

struct MarketSourceSettings {
  std::string symbol;
  uint32_t symbol_id = 1;
  int64_t interval_ns = 60'000'000'000;  // LTF bars: must be a Bybit kline interval
  int depth = 50;
  int warmup_bars = 1000;  // closed bars fetched at start (0..1000)
  int64_t stale_ms = 10000;
  bool trades = true;
  bool tickers = true;
};

// "0.01" -> {1, -2}; throws std::invalid_argument.
using sdk::decimal_from_text;
// a - b exactly (both as decimal_from_text makes them: at most 19 digits each).
mmh_decimal decimal_minus(const mmh_decimal& a, const mmh_decimal& b);

class MarketSource {
 public:
  using Emit = std::function<void(const mmh_batch& batch)>;
  MarketSource(VenueConfig venue, MarketSourceSettings settings, Emit emit, LogFn log);
  ~MarketSource();

  // Fetches the instrument and the warm-up bars (emitted before it returns), then starts the
  // stream thread. Throws BybitError / std::invalid_argument with what failed.
  void start();
  // Stops the stream and logs what it received (messages, connects, book messages, gaps, stale
  // spells, tickers and the last traded price); no emit happens after it returns.
  void stop();
  // The exchange's trading rules of the symbol, once start() has fetched them.
  const std::optional<mmh_instrument>& instrument() const { return instrument_; }

 private:
  boost::asio::awaitable<void> fetch_instrument(RestClient& rest);
  boost::asio::awaitable<void> fetch_warmup(RestClient& rest);
  void emit_book(const OrderBook& book, const PublicMessage& message);
  void emit_invalid();

  VenueConfig venue_;
  MarketSourceSettings settings_;
  Emit emit_;
  LogFn log_;
  boost::asio::io_context ioc_;
  std::shared_ptr<PublicStream> stream_;
  std::thread thread_;
  std::vector<mmh_trade> trades_;
  std::optional<mmh_instrument> instrument_;  // set inside start(), before it returns
  // The exchange's time of the last book message and the wall time it came: a lost book is
  // stamped with the exchange's time now as they estimate it, so it stays on the data's clock.
  int64_t last_book_exchange_ms_ = 0;
  int64_t last_book_wall_ms_ = 0;
};

}  // namespace mmh::bybit
