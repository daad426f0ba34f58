#include "market_source.hpp"

#include "kline_fetch.hpp"
#include "run_sync.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/interval.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace mmh::bybit {

namespace asio = boost::asio;

mmh_decimal decimal_minus(const mmh_decimal& a, const mmh_decimal& b) {
  __extension__ using wide = __int128;
  const int32_t exponent = std::min(a.exponent, b.exponent);
  if (std::max(a.exponent, b.exponent) - exponent > 19)
    throw std::invalid_argument("a balance difference beyond 38 digits");
  wide x = a.mantissa, y = b.mantissa;
  for (int32_t e = a.exponent; e > exponent; --e) x *= 10;  // <= 19 + 19 digits: fits
  for (int32_t e = b.exponent; e > exponent; --e) y *= 10;
  wide v = x - y;
  mmh_decimal d{};
  d.exponent = exponent;
  while (v != 0 && v % 10 == 0 && d.exponent < 0) {
    v /= 10;
    ++d.exponent;
  }
  if (v > INT64_MAX || v < INT64_MIN)
    throw std::invalid_argument("a balance difference beyond 19 digits");
  d.mantissa = static_cast<int64_t>(v);
  if (d.mantissa == 0) d.exponent = 0;
  return d;
}

MarketSource::MarketSource(VenueConfig venue, MarketSourceSettings settings, Emit emit, LogFn log)
    : venue_(std::move(venue)),
      settings_(std::move(settings)),
      emit_(std::move(emit)),
      log_(std::move(log)) {}

MarketSource::~MarketSource() {
  stop();
}

asio::awaitable<void> MarketSource::fetch_instrument(RestClient& rest) {
  std::map<std::string, std::string> params;
  params["category"] = "spot";
  params["symbol"] = settings_.symbol;
  const RestReply reply = co_await rest.get("/v5/market/instruments-info", params);
  const std::vector<InstrumentInfo> list = parse_instruments(reply.body);
  auto it = std::find_if(list.begin(), list.end(),
                         [&](const InstrumentInfo& i) { return i.symbol == settings_.symbol; });
  if (it == list.end())
    throw std::invalid_argument("'" + settings_.symbol + "' is not a Bybit spot symbol (" +
                                venue_.name + ")");
  if (it->tick_size.empty() || it->base_precision.empty())
    throw std::invalid_argument(settings_.symbol + ": instruments-info has no tickSize or " +
                                "basePrecision");
  mmh_instrument ins{};
  ins.ts_ns = rest.server_now_ms() * 1'000'000;
  ins.symbol_id = settings_.symbol_id;
  std::snprintf(ins.symbol, sizeof(ins.symbol), "%s", it->symbol.c_str());
  std::snprintf(ins.base_asset, sizeof(ins.base_asset), "%s", it->base_coin.c_str());
  std::snprintf(ins.quote_asset, sizeof(ins.quote_asset), "%s", it->quote_coin.c_str());
  ins.tick_size = decimal_from_text(it->tick_size);
  ins.lot_size = decimal_from_text(it->base_precision);
  if (!it->min_order_qty.empty()) ins.min_order_qty = decimal_from_text(it->min_order_qty);
  if (!it->min_order_amt.empty()) ins.min_order_value = decimal_from_text(it->min_order_amt);
  if (log_)
    log_(MMH_LOG_INFO, "bybit: " + it->symbol + " tick " + it->tick_size + ", lot " +
                           it->base_precision + ", min order " +
                           (it->min_order_amt.empty() ? "-" : it->min_order_amt) + " " +
                           it->quote_coin);
  instrument_ = ins;
  emit_(mmh_batch{sizeof(mmh_batch), MMH_EVENT_INSTRUMENT, sizeof(mmh_instrument), 0, 1, &ins});
}

asio::awaitable<void> MarketSource::fetch_warmup(RestClient& rest) {
  if (settings_.warmup_bars <= 0) co_return;
  const int64_t interval_ms = settings_.interval_ns / 1'000'000;
  // Exactly warmup_bars closed bars: `end` stops before the candle still open (without it Bybit
  // returns that one first and the warm-up came one short), pages of <= 1000 going back.
  const int64_t now_ms = rest.server_now_ms();
  int64_t end_ms = now_ms / interval_ms * interval_ms - 1;
  std::vector<mmh_candle> newest_first;
  const size_t wanted = static_cast<size_t>(settings_.warmup_bars);
  while (newest_first.size() < wanted) {
    std::map<std::string, std::string> params;
    params["category"] = "spot";
    params["symbol"] = settings_.symbol;
    params["interval"] = kline_code_for(settings_.interval_ns);
    params["end"] = std::to_string(end_ms);
    params["limit"] = std::to_string(std::min<size_t>(wanted - newest_first.size(), 1000));
    const RestReply reply = co_await rest.get("/v5/market/kline", params);
    const std::vector<KlineRow> rows = parse_kline_list(reply.body);  // newest first
    size_t added = 0;
    for (const KlineRow& row : rows) {
      if (row.start_ms + interval_ms > now_ms || row.start_ms > end_ms) continue;  // still open
      if (!newest_first.empty() && row.start_ms * 1'000'000 >= newest_first.back().open_ts_ns)
        continue;  // repeated across pages
      if (newest_first.size() == wanted) break;
      newest_first.push_back(mmh_candle{row.start_ms * 1'000'000, settings_.interval_ns,
                                        row.open_e8, row.high_e8, row.low_e8, row.close_e8,
                                        row.volume_e8, settings_.symbol_id, 0});
      ++added;
    }
    if (added == 0) break;  // the exchange has no older bars
    end_ms = newest_first.back().open_ts_ns / 1'000'000 - 1;
  }
  std::vector<mmh_candle> bars(newest_first.rbegin(), newest_first.rend());
  if (log_)
    log_(MMH_LOG_INFO, "bybit: " + std::to_string(bars.size()) + " closed " +
                           sdk::format_interval(settings_.interval_ns) + " bars of warm-up");
  if (!bars.empty())
    emit_(mmh_batch{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, bars.size(),
                    bars.data()});
}

void MarketSource::emit_book(const OrderBook& book, const PublicMessage& m) {
  mmh_book_update u{};
  u.ts_ns = (m.cts_ms > 0 ? m.cts_ms : m.ts_ms) * 1'000'000;
  last_book_exchange_ms_ = u.ts_ns / 1'000'000;
  last_book_wall_ms_ = wall_now_ms();
  u.update_id = m.update_id;
  u.symbol_id = settings_.symbol_id;
  const bool snapshot = m.snapshot || m.update_id == 1;
  // Borrowed for the post: the host copies what it keeps.
  const auto& bids = snapshot ? book.bids() : m.bids;
  const auto& asks = snapshot ? book.asks() : m.asks;
  u.bid_count = static_cast<uint32_t>(bids.size());
  u.ask_count = static_cast<uint32_t>(asks.size());
  u.bids = bids.data();
  u.asks = asks.data();
  emit_(mmh_batch{sizeof(mmh_batch),
                  snapshot ? static_cast<uint32_t>(MMH_EVENT_BOOK_SNAPSHOT)
                           : static_cast<uint32_t>(MMH_EVENT_BOOK_DELTA),
                  sizeof(mmh_book_update), 0, 1, &u});
}

void MarketSource::emit_invalid() {
  mmh_book_update u{};
  const int64_t wall_ms = wall_now_ms();
  u.ts_ns = (last_book_exchange_ms_ > 0 ? last_book_exchange_ms_ + (wall_ms - last_book_wall_ms_)
                                        : wall_ms) *
            1'000'000;
  u.symbol_id = settings_.symbol_id;
  emit_(mmh_batch{sizeof(mmh_batch), MMH_EVENT_BOOK_SNAPSHOT, sizeof(mmh_book_update), 0, 1, &u});
}

void MarketSource::start() {
  if (thread_.joinable()) return;
  {
    RestClient rest(ioc_.get_executor(), venue_, std::nullopt, log_);
    run_sync(ioc_, [&]() -> asio::awaitable<void> {
      co_await rest.sync_time();
      co_await fetch_instrument(rest);
      co_await fetch_warmup(rest);
    }());
  }
  PublicStreamSettings s;
  s.url = venue_.ws_public_url;
  s.ca_file = venue_.ca_file;
  s.symbol = settings_.symbol;
  s.depth = settings_.depth;
  s.kline_interval = kline_code_for(settings_.interval_ns);
  s.trades = settings_.trades;
  s.tickers = settings_.tickers;
  s.stale_ms = settings_.stale_ms;
  s.connect_timeout_ms = venue_.timeout_ms;
  PublicStreamEvents e;
  e.log = log_;
  e.on_book = [this](const OrderBook& book, const PublicMessage& m) { emit_book(book, m); };
  e.on_book_invalid = [this](const std::string&) { emit_invalid(); };
  e.on_trades = [this](const std::vector<PublicTrade>& trades) {
    trades_.clear();
    for (const PublicTrade& t : trades)
      trades_.push_back(mmh_trade{t.ts_ms * 1'000'000, t.price_e8, t.qty_e8, t.trade_id,
                                  settings_.symbol_id, t.taker_side});
    emit_(mmh_batch{sizeof(mmh_batch), MMH_EVENT_TRADE, sizeof(mmh_trade), 0, trades_.size(),
                    trades_.data()});
  };
  e.on_kline_closed = [this](const KlineUpdate& k) {
    const mmh_candle bar{k.start_ms * 1'000'000,
                         settings_.interval_ns,
                         k.open_e8,
                         k.high_e8,
                         k.low_e8,
                         k.close_e8,
                         k.volume_e8,
                         settings_.symbol_id,
                         0};
    emit_(mmh_batch{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, 1, &bar});
  };
  stream_ = std::make_shared<PublicStream>(ioc_.get_executor(), s, e);
  ioc_.restart();
  asio::co_spawn(ioc_, stream_->run(), asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
}

void MarketSource::stop() {
  if (!thread_.joinable()) return;
  asio::post(ioc_, [this] {
    if (stream_) stream_->stop();
  });
  // The stream's coroutines end on their own once stopped; a stuck one is cut by stop().
  for (int i = 0; i < 100 && !ioc_.stopped(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ioc_.stop();
  thread_.join();
  if (!stream_ || !log_) return;
  const PublicStreamStats& st = stream_->stats();
  std::string summary =
      "bybit public stream: " + std::to_string(st.messages) + " messages, " +
      std::to_string(st.connects) + " connect(s), " + std::to_string(st.book_snapshots) +
      " book snapshots, " + std::to_string(st.book_deltas) + " deltas, " + std::to_string(st.gaps) +
      " gaps, " + std::to_string(st.stale) + " stale, " + std::to_string(st.tickers) + " tickers";
  if (st.last_price_e8 > 0) summary += ", last price " + sdk::format_e8(st.last_price_e8);
  log_(MMH_LOG_INFO, summary);
}

}  // namespace mmh::bybit
