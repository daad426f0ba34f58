// The `bybit_spot` plugin: Bybit V5 spot as a live market-data connector (paper trading pairs it
// with the simfill venue). Settings: symbol, environment (mainnet, testnet, demo, or a venue
// .yaml; default mainnet) looked up in config_dirs (':'-separated directories of venue files,
// the host's), interval (LTF bars, e.g. 1m), depth (1, 50, 200; default 50), warmup_bars
// (default 1000), stale_ms (default 10000), symbol_id (default 1). It posts, in order: the
// instrument, the warm-up bars, then live book snapshots/deltas, trades and closed bars; an
// EMPTY book snapshot means "book unknown". It also downloads kline history (`mmhost fetch`,
// kline_fetch.hpp).
//
// As a venue (live trading, live_venue.hpp) it takes: symbol, symbol_id, base_asset,
// quote_asset, tick_size, lot_size, environment, config_dirs, order_prefix (the prefix of this
// run's client order ids, its orderLinkIds), key_file (optional; else
// BYBIT_API_KEY/BYBIT_API_SECRET), run_start_ms (executions since then are the run's; a resumed
// run's first start), start_timeout_ms, cancel_on_disconnect_ms (a private connection lost longer
// than this: the run's orders are cancelled before new ones; sets the exchange's DCP window).
#include "credentials.hpp"
#include "kline_fetch.hpp"
#include "live_venue.hpp"
#include "market_source.hpp"
#include "run_sync.hpp"

#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/plugin.hpp>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace mmh::bybit {
namespace {

// The venue file the host's generic settings name: `environment` (a name or a .yaml path)
// searched in `config_dirs` (':'-separated).
VenueConfig venue_from(const sdk::Config& config) {
  std::vector<std::string> dirs;
  const std::string joined = config.get("config_dirs", "");
  for (size_t at = 0; at <= joined.size();) {
    const size_t colon = std::min(joined.find(':', at), joined.size());
    if (colon > at) dirs.push_back(joined.substr(at, colon - at));
    at = colon + 1;
  }
  return find_venue_config(config.get("environment", "mainnet"), dirs);
}

std::string with_commas(size_t n) {
  // Appended, not inserted: GCC 12 warns (falsely, -Wrestrict) on string::insert inlined here.
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Hands a batch to the host from the plugin's own thread (market data, venue reports).
void post_to_host(void* handle, const mmh_batch& batch) {
  const mmh_host_api* host = sdk::host();
  if (host != nullptr && host->post_batch != nullptr) host->post_batch(host->host, handle, &batch);
}

class BybitSource {
 public:
  BybitSource(const sdk::Config& config, void* host_handle) : handle_(host_handle) {
    config.allow_only({"symbol", "environment", "config_dirs", "interval", "depth", "warmup_bars",
                       "stale_ms", "symbol_id", "cache_dir", "trades", "tickers"});
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
      venue_ = venue_from(config);
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
  // `mmhost fetch`: /v5/market/kline into the candle CSV, resumable (kline_fetch.hpp).
  void fetch_history(const mmh_fetch_request& r, mmh_fetch_result& out) {
    FetchRequest req;
    req.symbol = r.symbol != nullptr ? r.symbol : "";
    req.interval = r.interval != nullptr ? r.interval : "1";
    req.start_ms = r.start_ns / 1'000'000;
    req.end_ms = r.end_ns / 1'000'000;
    req.cache_path = r.cache_path != nullptr ? r.cache_path : "";
    req.limit = r.page_limit == 0 ? 1000 : static_cast<int>(r.page_limit);
    int64_t interval_ms = 0;
    try {
      interval_ms = kline_interval_ms(req.interval);
    } catch (const std::invalid_argument& e) {
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
    }
    req.comment = "Bybit spot " + req.symbol + " " + sdk::format_interval(interval_ms * 1'000'000) +
                  " klines (" + venue_.name +
                  "), written by mmhost fetch; ts_ms = bar open time, UTC";
    boost::asio::io_context ioc;
    RestClient rest(ioc.get_executor(), venue_, std::nullopt,
                    [](int level, const std::string& message) {
                      sdk::log(static_cast<uint32_t>(level), message);
                    });
    std::atomic<bool> stop{r.cancelled != nullptr && r.cancelled(r.user) != 0};
    auto progress = [&](const FetchProgress& p) {
      if (r.progress != nullptr) {
        mmh_fetch_progress fp{};
        fp.size = sizeof(fp);
        fp.requests_done = p.windows_done;
        fp.requests_total = p.windows_total;
        fp.bars_new = p.rows_new;
        fp.last_bar_ns = p.last_start_ms * 1'000'000;
        r.progress(r.user, &fp);
      }
      if (r.cancelled != nullptr && r.cancelled(r.user) != 0) stop = true;
    };
    FetchResult result;
    try {
      result = run_sync(ioc, fetch_klines(rest, req, progress, &stop));
    } catch (const std::invalid_argument& e) {
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
    } catch (const std::exception& e) {
      std::string kept;
      try {
        kept = with_commas(read_candle_cache(req.cache_path, interval_ms).size()) + " bars";
      } catch (const std::exception&) {
        kept = "nothing";
      }
      throw sdk::Error(MMH_ERR_IO, std::string(e.what()) + "\n  " + req.cache_path + " keeps " +
                                       kept +
                                       "; run the same command again to fetch only what is "
                                       "missing");
    }
    out.interrupted = result.interrupted ? 1 : 0;
    out.bars_before = result.rows_before;
    out.bars_new = result.rows_new;
    out.bars_total = result.rows_total;
    out.windows = result.windows;
    out.requests = rest.stats().requests;
    out.retries = rest.stats().retries;
    out.unfinished_dropped = result.unfinished_dropped;
    out.gaps = result.gaps.size();
    for (const KlineGap& g : result.gaps) out.missing_bars += static_cast<uint64_t>(g.bars);
    std::snprintf(out.source, sizeof(out.source), "%s (%s)", venue_.rest_url.c_str(),
                  venue_.name.c_str());
    std::string gaps;
    for (size_t i = 0; i < result.gaps.size() && i < 5; ++i)
      gaps += (i ? ", " : "") + utc_text(result.gaps[i].first_missing_ms) + " x" +
              std::to_string(result.gaps[i].bars);
    if (result.gaps.size() > 5) gaps += ", ...";
    std::snprintf(out.gap_list, sizeof(out.gap_list), "%s", gaps.c_str());
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
                       "environment", "config_dirs", "key_file", "order_prefix", "run_start_ms",
                       "start_timeout_ms", "cancel_on_disconnect_ms"});
    LiveVenueSettings s;
    s.symbol = config.require("symbol");
    s.symbol_id = static_cast<uint32_t>(config.get_int("symbol_id", 1));
    s.base_asset = config.require("base_asset");
    s.quote_asset = config.require("quote_asset");
    s.order_prefix = config.require("order_prefix");
    s.start_timeout_ms = config.get_int("start_timeout_ms", s.start_timeout_ms);
    // Executions since then are the run's (a resumed run's began before this process).
    s.run_start_ms = config.get_int("run_start_ms", 0);
    s.cancel_on_disconnect_ms = config.get_int("cancel_on_disconnect_ms", 0);
    std::optional<Credentials> keys;
    try {
      s.tick_size = decimal_from_text(config.require("tick_size"));
      s.lot_size = decimal_from_text(config.require("lot_size"));
      venue_ = venue_from(config);
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
    const LiveVenueStats stats = live_->stats();
    std::string out = "venue: bybit_spot live (" + venue_.name + ", " + venue_.rest_url + ")\n";
    out += "key: " + key_ + "\n";
    out += "orders: orderLinkId prefix " + prefix_ + "\n";
    out += "disconnected cancel all: ";
    out +=
        stats.dcp_on ? "on (" + std::to_string(stats.dcp_window_s) + " s)" : "off for this account";
    out += "\nreconnects: ";  // the host's metrics read this line
    out += std::to_string(stats.private_losses);
    out += "\n";
    return out;
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
