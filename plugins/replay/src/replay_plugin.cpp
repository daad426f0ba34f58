// The `replay` data connector: streams a candle, trade or L2 depth CSV (plain or gzip) in time
// order.
// Settings: file (required), interval (declared bar interval, e.g. "1m"; inferred when absent),
// symbol_id (default 1), cache ("on"/"off"), cache_dir (default: the host's cache_dir), and the
// instrument: symbol, base_asset, quote_asset, instrument.tick_size, instrument.lot_size,
// instrument.min_order_qty, instrument.min_order_value (decimal strings), over the sidecar
// `<file>.instrument.json` (instrument_file.hpp).
#include "instrument_file.hpp"
#include "series_loader.hpp"

#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/plugin.hpp>

#include <cstdio>
#include <map>
#include <optional>
#include <vector>

namespace mmh::replay {
namespace {

class ReplaySource {
 public:
  ReplaySource(const sdk::Config& config, void* /*host_handle*/) {
    const std::string file = config.require("file");
    LoadOptions options;
    if (config.get("cache", "on") != "off")
      options.cache_dir = config.get("cache_dir", sdk::host_config("cache_dir"));
    if (config.has("interval")) {
      options.declared_interval_ns = sdk::parse_interval_ns(config.get("interval"));
      if (options.declared_interval_ns == 0)
        throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, "interval '" + config.get("interval") +
                                                       "' is not an interval (try 1m, 5m, 1h)");
    }
    std::map<std::string, std::string> fields;
    for (const char* name : {"tick_size", "lot_size", "min_order_qty", "min_order_value"}) {
      const std::string key = std::string("instrument.") + name;
      if (config.has(key)) fields[name] = config.get(key);
    }
    try {
      instrument_ = load_instrument(fields, file, config.get("symbol", ""));
    } catch (const std::exception& e) {
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
    }
    if (instrument_) {
      std::snprintf(instrument_->base_asset, sizeof(instrument_->base_asset), "%s",
                    config.get("base_asset", "").c_str());
      std::snprintf(instrument_->quote_asset, sizeof(instrument_->quote_asset), "%s",
                    config.get("quote_asset", "").c_str());
      instrument_->symbol_id = static_cast<uint32_t>(config.get_int("symbol_id", 1));
    }
    series_ = load_series(file, options);
    series_->set_symbol_id(static_cast<uint32_t>(config.get_int("symbol_id", 1)));
    if (!series_->cache_note().empty())
      sdk::log(MMH_LOG_DEBUG, file + ": " + series_->cache_note());
  }

  bool read_batch(mmh_batch& out) { return series_->next_batch(out); }

  bool instrument(mmh_instrument& out) const {
    if (!instrument_) return false;
    out = *instrument_;
    return true;
  }

  void describe(mmh_source_info& info) const {
    info.primary_kind = series_->kind();
    info.record_count = series_->count();
    info.first_ts_ns = series_->first_ts_ns();
    info.last_ts_ns = series_->last_ts_ns();
    info.interval_ns = series_->gaps().interval_ns;
    info.gap_count = series_->gaps().gap_count;
    info.largest_gap_ns = series_->gaps().largest_gap_ns;
    info.missing_bars = series_->gaps().missing_bars;
    info.from_cache = series_->from_cache() ? 1 : 0;
  }

 private:
  std::unique_ptr<LoadedSeries> series_;
  std::optional<mmh_instrument> instrument_;
};

}  // namespace
}  // namespace mmh::replay

MMH_SDK_PLUGIN("replay", "0.1.0",
               "Historical candles, trades and L2 book streams from CSV (plain or gzip)",
               mmh::sdk::data<mmh::replay::ReplaySource>)
