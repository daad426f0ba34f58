// The `bybit_spot` plugin: Bybit V5 spot as a live market-data connector (paper trading pairs it
// with the simfill venue). Settings: symbol, venue_file (a configs/venues/*.yaml), interval (LTF
// bars, e.g. 1m), depth (1, 50, 200; default 50), warmup_bars (default 1000), stale_ms (default
// 10000), symbol_id (default 1). It posts, in order: the instrument, the warm-up bars, then live
// book snapshots/deltas, trades and closed bars; an EMPTY book snapshot means "book unknown".
//
// As a venue (live trading, live_venue.hpp) it takes: symbol, symbol_id, base_asset,
// quote_asset, tick_size, lot_size, venue_file, order_prefix (this run's orderLinkId prefix),
// key_file (optional; else BYBIT_API_KEY/BYBIT_API_SECRET), start_timeout_ms.
#include "credentials.hpp"
#include "kline_fetch.hpp"
#include "live_venue.hpp"
#include "market_source.hpp"

#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/plugin.hpp>

namespace mmh::bybit {
namespace {

// Hands a batch to the host from the plugin's own thread (market data, venue reports).
void post_to_host(void* handle, const mmh_batch& batch) {
  const mmh_host_api* host = sdk::host();
  if (host != nullptr && host->post_batch != nullptr) host->post_batch(host->host, handle, &batch);
}

class BybitSource {
 public:
  BybitSource(const sdk::Config& config, void* host_handle) : handle_(host_handle) {
    config.allow_only({"symbol", "venue_file", "interval", "depth", "warmup_bars", "stale_ms",
                       "symbol_id", "cache_dir", "trades", "tickers"});
    MarketSourceSettings s;
    s.symbol = config.require("symbol");
    s.symbol_id = static_cast<uint32_t>(config.get_int("symbol_id", 1));
    s.interval_ns = sdk::parse_interval_ns(config.get("interval", "1m"));
    s.depth = static_cast<int>(config.get_int("depth", 50));
    if (s.depth != 1 && s.depth != 50 && s.depth != 200)
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, "depth must be 1, 50 or 200");
    s.warmup_bars = static_cast<int>(config.get_int("warmup_bars", 1000));
    if (s.warmup_bars < 0 || s.warmup_bars > 1000)
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, "warmup_bars must be in 0..1000");
    s.stale_ms = config.get_int("stale_ms", 10000);
    s.trades = config.get("trades", "on") != "off";
    s.tickers = config.get("tickers", "on") != "off";
    try {
      kline_code_for(s.interval_ns);
      venue_ = load_venue_config(config.require("venue_file"));
    } catch (const std::exception& e) {
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
    }
    interval_ns_ = s.interval_ns;
    source_ = std::make_unique<MarketSource>(
        venue_, s, [this](const mmh_batch& batch) { post(batch); },
        [](int level, const std::string& message) {
          sdk::log(static_cast<uint32_t>(level), message);
        });
  }

  void start() {
    try {
      source_->start();
    } catch (const std::exception& e) {
      throw sdk::Error(MMH_ERR_IO, std::string("cannot start Bybit market data (") + venue_.name +
                                       ", " + venue_.rest_url + "): " + e.what());
    }
  }
  void stop() { source_->stop(); }

  void describe(mmh_source_info& info) const {
    info.primary_kind = MMH_EVENT_CANDLE;
    info.interval_ns = interval_ns_;
  }
  // instruments-info, as start() fetched it.
  bool instrument(mmh_instrument& out) const {
    if (!source_->instrument()) return false;
    out = *source_->instrument();
    return true;
  }

 private:
  void post(const mmh_batch& batch) { post_to_host(handle_, batch); }

  void* handle_;
  VenueConfig venue_;
  int64_t interval_ns_ = 0;
  std::unique_ptr<MarketSource> source_;
};

class BybitVenue {
 public:
  BybitVenue(const sdk::Config& config, void* host_handle) : handle_(host_handle) {
    config.allow_only({"symbol", "symbol_id", "base_asset", "quote_asset", "tick_size", "lot_size",
                       "venue_file", "key_file", "order_prefix", "start_timeout_ms"});
    LiveVenueSettings s;
    s.symbol = config.require("symbol");
    s.symbol_id = static_cast<uint32_t>(config.get_int("symbol_id", 1));
    s.base_asset = config.require("base_asset");
    s.quote_asset = config.require("quote_asset");
    s.order_prefix = config.require("order_prefix");
    s.start_timeout_ms = config.get_int("start_timeout_ms", s.start_timeout_ms);
    std::optional<Credentials> keys;
    try {
      s.tick_size = decimal_from_text(config.require("tick_size"));
      s.lot_size = decimal_from_text(config.require("lot_size"));
      venue_ = load_venue_config(config.require("venue_file"));
      keys = load_credentials(bybit_environment(), config.get("key_file", ""));
    } catch (const std::exception& e) {
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
    }
    if (!keys)
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT,
                       "live trading needs API keys: set BYBIT_API_KEY and BYBIT_API_SECRET, or "
                       "pass a key file (mode 0600) with api_key: and api_secret: lines");
    key_ = keys->redacted_key();
    prefix_ = s.order_prefix;
    try {
      live_ = std::make_unique<LiveVenue>(
          venue_, *keys, s, [this](const mmh_batch& batch) { post(batch); },
          [](int level, const std::string& message) {
            sdk::log(static_cast<uint32_t>(level), message);
          });
    } catch (const std::exception& e) {
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
    }
  }

  void start() {
    try {
      live_->start();
    } catch (const std::exception& e) {
      throw sdk::Error(MMH_ERR_IO, "cannot start Bybit trading (" + venue_.name + ", " +
                                       venue_.rest_url + "): " + e.what());
    }
  }
  void submit(const mmh_order_command& command) { live_->submit(command); }
  void stop(uint32_t flags) {
    try {
      live_->stop((flags & MMH_VENUE_STOP_CANCEL_ALL) != 0);
    } catch (const std::exception& e) {
      throw sdk::Error(MMH_ERR_IO, e.what());
    }
  }
  std::string describe() const {
    return "venue: bybit_spot live (" + venue_.name + ", " + venue_.rest_url + ")\nkey: " + key_ +
           "\norders: orderLinkId prefix " + prefix_ + "\n";
  }

 private:
  void post(const mmh_batch& batch) { post_to_host(handle_, batch); }

  void* handle_;
  VenueConfig venue_;
  std::string key_;
  std::string prefix_;
  std::unique_ptr<LiveVenue> live_;
};

}  // namespace
}  // namespace mmh::bybit

MMH_SDK_PLUGIN("bybit_spot", "0.2.0",
               "Bybit V5 spot: live market data (book, trades, bars) and live order entry over "
               "REST and WebSocket",
               mmh::sdk::data<mmh::bybit::BybitSource>, mmh::sdk::venue<mmh::bybit::BybitVenue>)
