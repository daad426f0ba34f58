#include "public_stream.hpp"

#include "backoff.hpp"
#include "keep_alive.hpp"
#include "ws_connection.hpp"

#include <mmhost/plugin.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <functional>

namespace mmh::bybit {

namespace asio = boost::asio;

namespace {

std::string subscribe_request(const char* op, const std::vector<std::string>& topics) {
  std::string text = std::string("{\"op\":\"") + op + "\",\"args\":[";
  for (size_t i = 0; i < topics.size(); ++i) text += (i ? ",\"" : "\"") + topics[i] + "\"";
  return text + "]}";
}

}  // namespace

PublicStream::PublicStream(asio::any_io_executor executor, PublicStreamSettings settings,
                           PublicStreamEvents events)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      events_(std::move(events)),
      book_(static_cast<size_t>(settings_.depth)) {}

std::vector<std::string> PublicStream::topics() const {
  std::vector<std::string> t = {"orderbook." + std::to_string(settings_.depth) + "." +
                                settings_.symbol};
  if (settings_.trades) t.push_back("publicTrade." + settings_.symbol);
  if (!settings_.kline_interval.empty())
    t.push_back("kline." + settings_.kline_interval + "." + settings_.symbol);
  if (settings_.tickers) t.push_back("tickers." + settings_.symbol);
  return t;
}

void PublicStream::log(int level, const std::string& message) const {
  if (events_.log) events_.log(level, message);
}

void PublicStream::invalidate(const std::string& reason) {
  const bool was_valid = book_.valid();
  book_.invalidate();
  if (was_valid && events_.on_book_invalid) events_.on_book_invalid(reason);
}

void PublicStream::stop() {
  stopped_ = true;
  if (ws_) ws_->close();
  if (ping_timer_) ping_timer_->cancel();
}

asio::awaitable<void> PublicStream::run() {
  auto self = shared_from_this();
  int failures = 0;
  while (!stopped_) {
    const uint64_t messages_before = stats_.messages;
    try {
      co_await session();
    } catch (const BybitError& e) {
      if (!stopped_) log(MMH_LOG_WARN, std::string("bybit public stream: ") + e.what());
    }
    if (ping_timer_) ping_timer_->cancel();  // the session's pinger ends with it
    invalidate("public stream disconnected");
    if (stopped_) break;
    failures = stats_.messages > messages_before ? 1 : failures + 1;
    const int64_t delay =
        backoff_delay_ms(failures, settings_.backoff_initial_ms, settings_.backoff_max_ms, rng_);
    log(MMH_LOG_INFO, "bybit public stream: reconnecting in " + std::to_string(delay) + " ms");
    asio::steady_timer timer(executor_, std::chrono::milliseconds(delay));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> PublicStream::pinger(std::shared_ptr<WsConnection> ws) {
  // Ticks often enough to notice a silent stream within a fraction of stale_ms.
  const int64_t tick = std::max<int64_t>(10, std::min(settings_.ping_ms, settings_.stale_ms) / 4);
  ping_timer_ = std::make_shared<asio::steady_timer>(executor_);
  // Named, not a temporary inside the co_await: GCC 12 destroys such temporaries twice.
  std::function<bool(int64_t)> check = [this, ws](int64_t now) {
    if (stopped_) return false;
    if (awaiting_snapshot_since_ms_ != 0 &&
        now - awaiting_snapshot_since_ms_ >= settings_.stale_ms) {
      log(MMH_LOG_WARN, "bybit public stream: no book snapshot " +
                            std::to_string(now - awaiting_snapshot_since_ms_) +
                            " ms after subscribing; asking again");
      resubscribe_book(*ws);
    }
    if (now - last_message_ms_ < settings_.stale_ms) return true;
    ++stats_.stale;
    log(MMH_LOG_WARN, "bybit public stream: no message for " +
                          std::to_string(now - last_message_ms_) +
                          " ms; the book is stale, reconnecting");
    invalidate("stale public stream");
    ws->close();
    return false;
  };
  co_await keep_alive(ws, ping_timer_, settings_.ping_ms, tick, std::move(check));
}

asio::awaitable<void> PublicStream::session() {
  ws_ = WsConnection::create(executor_, parse_url(settings_.url), settings_.ca_file,
                             std::chrono::milliseconds(settings_.connect_timeout_ms));
  std::shared_ptr<WsConnection> ws = ws_;
  co_await ws->connect();
  ++stats_.connects;
  log(MMH_LOG_INFO, "bybit public stream: connected to " + settings_.url);
  last_message_ms_ = steady_ms();
  // Public spot takes at most 10 topics per request; we send 3.
  ws->send(subscribe_request("subscribe", topics()));
  awaiting_snapshot_since_ms_ = last_message_ms_;
  asio::co_spawn(executor_, pinger(ws), asio::detached);
  for (;;) {
    const std::string text = co_await ws->read();
    last_message_ms_ = steady_ms();
    ++stats_.messages;
    handle(text, *ws);
  }
}

void PublicStream::resubscribe_book(WsConnection& ws) {
  ++stats_.resubscribes;
  const std::vector<std::string> book_topic = {topics().front()};
  ws.send(subscribe_request("unsubscribe", book_topic));
  ws.send(subscribe_request("subscribe", book_topic));
  awaiting_snapshot_since_ms_ = steady_ms();
}

void PublicStream::handle(const std::string& text, WsConnection& ws) {
  try {
    parser_.parse(text, message_);
  } catch (const BybitError& e) {
    ++stats_.parse_errors;
    log(MMH_LOG_WARN, std::string("bybit public stream: ") + e.what());
    return;
  }
  switch (message_.kind) {
    case PublicKind::orderbook: {
      const OrderBook::Result r = book_.apply(message_);
      switch (r) {
        case OrderBook::Result::snapshot:
          ++stats_.book_snapshots;
          awaiting_snapshot_since_ms_ = 0;
          if (events_.on_book) events_.on_book(book_, message_);
          break;
        case OrderBook::Result::applied:
          ++stats_.book_deltas;
          if (events_.on_book) events_.on_book(book_, message_);
          break;
        case OrderBook::Result::duplicate:
          ++stats_.duplicates;
          break;
        case OrderBook::Result::gap:
        case OrderBook::Result::no_snapshot: {
          if (r == OrderBook::Result::gap) {
            ++stats_.gaps;
            log(MMH_LOG_WARN, "bybit public stream: book gap (u " +
                                  std::to_string(message_.update_id) + " after " +
                                  std::to_string(book_.last_update_id()) +
                                  "); book invalid, resubscribing for a fresh snapshot");
            if (events_.on_book_invalid) events_.on_book_invalid("book sequence gap");
          } else if (awaiting_snapshot_since_ms_ != 0) {
            break;  // deltas still in flight: the snapshot we asked for is on its way
          }
          resubscribe_book(ws);
          break;
        }
      }
      break;
    }
    case PublicKind::trade:
      if (events_.on_trades && !message_.trades.empty()) events_.on_trades(message_.trades);
      break;
    case PublicKind::kline:
      for (const KlineUpdate& bar : message_.klines)
        if (bar.confirm && bar.start_ms > last_kline_start_ms_) {
          last_kline_start_ms_ = bar.start_ms;
          if (events_.on_kline_closed) events_.on_kline_closed(bar);
        }
      break;
    case PublicKind::ticker:
      ++stats_.tickers;
      // Spot tickers are snapshots; a message without lastPrice leaves the last one standing.
      if (message_.last_price_e8 > 0) stats_.last_price_e8 = message_.last_price_e8;
      break;
    case PublicKind::control:
      if (message_.is_pong()) {
        ++stats_.pongs;
      } else if (!message_.success &&
                 (message_.op == "subscribe" || message_.op == "unsubscribe")) {
        log(MMH_LOG_ERROR, "bybit public stream: " + message_.op + " refused: " + message_.ret_msg);
      }
      break;
    default:
      break;
  }
}

}  // namespace mmh::bybit
