// The `bybit_spot` plugin: Bybit V5 spot as a live market-data connector (paper trading pairs it
// with the simfill venue). Settings: symbol, venue_file (a configs/venues/*.yaml), interval (LTF
// bars, e.g. 1m), depth (1, 50, 200; default 50), warmup_bars (default 1000), stale_ms (default
// 10000), symbol_id (default 1). It posts, in order: the instrument, the warm-up bars, then live
// book snapshots/deltas, trades and closed bars; an EMPTY book snapshot means "book unknown".
#include "kline_fetch.hpp"
#include "market_source.hpp"

#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/plugin.hpp>

namespace mmh::bybit {
namespace {

class BybitSource {
 public:
  BybitSource(const sdk::Config& config, void* host_handle) : handle_(host_handle) {
    config.allow_only({"symbol", "venue_file", "interval", "depth", "warmup_bars", "stale_ms",
                       "symbol_id", "cache_dir", "trades"});
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

 private:
  void post(const mmh_batch& batch) {
    const mmh_host_api* host = sdk::host();
    if (host != nullptr && host->post_batch != nullptr)
      host->post_batch(host->host, handle_, &batch);
  }

  void* handle_;
  VenueConfig venue_;
  int64_t interval_ns_ = 0;
  std::unique_ptr<MarketSource> source_;
};

}  // namespace
}  // namespace mmh::bybit

MMH_SDK_PLUGIN("bybit_spot", "0.1.0",
               "Bybit V5 spot: live market data (book, trades, bars) over REST and WebSocket",
               mmh::sdk::data<mmh::bybit::BybitSource>)
