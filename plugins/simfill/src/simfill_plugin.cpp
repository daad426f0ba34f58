// The `simfill` venue: a simulated Bybit-like spot exchange for backtests. Settings (all strings):
//   symbol_id, base_asset, quote_asset, tick_size, lot_size, min_order_qty, min_order_value
//   balance.base, balance.quote            starting balances (decimal)
//   fees.maker, fees.taker                 rates, 0.001 = 0.1% (negative = rebate)
//   latency.entry|amend|cancel|market_data "25", "uniform:10:40", "normal:25:5", "lognormal:20:0.5"
//   seed                                   for drawn latencies (default 1)
//   fill_model                             candle (default) | trades | book
//   through_ticks, participation           candle model
//   queue_trades                           trades model
//   queue_model                            book model: risk_averse | power:N (default power:2) |
//   log spread_ticks, slippage                 "bps:1" (default) or "atr:0.05" (candle model only);
//                                          not for the book model (takers walk the book)
#include "book_fill_model.hpp"
#include "candle_fill_model.hpp"
#include "trade_fill_model.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/plugin.hpp>

#include <memory>
#include <optional>

namespace mmh::sim {
namespace {

int64_t decimal_setting(const sdk::Config& config, const std::string& key, int64_t fallback) {
  if (!config.has(key)) return fallback;
  int64_t v = 0;
  if (sdk::parse_e8(config.get(key), v) != sdk::ParseDecimal::ok || v < 0)
    throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, "setting '" + key +
                                                   "' must be a non-negative decimal with at most "
                                                   "8 places, got '" +
                                                   config.get(key) + "'");
  return v;
}

template <class Fn>
auto invalid_as_error(Fn fn) {
  try {
    return fn();
  } catch (const std::invalid_argument& e) {
    throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
  }
}

class SimfillVenue {
 public:
  SimfillVenue(const sdk::Config& config, void* host_handle) : handle_(host_handle) {
    config.allow_only({"symbol",        "symbol_id",     "base_asset",     "quote_asset",
                       "tick_size",     "lot_size",      "min_order_qty",  "min_order_value",
                       "balance.base",  "balance.quote", "fees.maker",     "fees.taker",
                       "latency.entry", "latency.amend", "latency.cancel", "latency.market_data",
                       "seed",          "fill_model",    "through_ticks",  "participation",
                       "queue_trades",  "spread_ticks",  "slippage",       "queue_model"});
    SimInstrument inst;
    inst.symbol_id = static_cast<uint32_t>(config.get_int("symbol_id", 1));
    inst.base_asset = config.get("base_asset", inst.base_asset);
    inst.quote_asset = config.get("quote_asset", inst.quote_asset);
    inst.tick_e8 = decimal_setting(config, "tick_size", inst.tick_e8);
    inst.lot_e8 = decimal_setting(config, "lot_size", inst.lot_e8);
    inst.min_qty_e8 = decimal_setting(config, "min_order_qty", 0);
    inst.min_value_e8 = decimal_setting(config, "min_order_value", 0);
    const FeeRates rates{config.get_double("fees.maker", 0.001),
                         config.get_double("fees.taker", 0.001)};
    LatencyConfig latency;
    invalid_as_error([&] {
      latency.entry = LatencySpec::parse(config.get("latency.entry", "0"));
      latency.amend =
          LatencySpec::parse(config.get("latency.amend", config.get("latency.entry", "0")));
      latency.cancel =
          LatencySpec::parse(config.get("latency.cancel", config.get("latency.entry", "0")));
      latency.market_data = LatencySpec::parse(config.get("latency.market_data", "0"));
      return 0;
    });
    latency.seed = static_cast<uint64_t>(config.get_int("seed", 1));
    venue_.emplace(invalid_as_error([&] {
      return SimVenue(inst, FeeModel(rates), LatencyModel(latency),
                      decimal_setting(config, "balance.base", 0),
                      decimal_setting(config, "balance.quote", 0));
    }));
    const std::string model = config.get("fill_model", "candle");
    const int64_t spread = config.get_int("spread_ticks", 1);
    if (model == "candle") {
      CandleModelConfig c;
      c.through_ticks = config.get_int("through_ticks", c.through_ticks);
      c.participation = config.get_double("participation", c.participation);
      c.spread_ticks = spread;
      invalid_as_error([&] {
        CandleModelConfig::parse_slippage(config.get("slippage", "bps:1"), c);
        return 0;
      });
      candle_ = invalid_as_error([&] { return std::make_unique<CandleFillModel>(c); });
    } else if (model == "trades") {
      TradeModelConfig c;
      c.queue_trades = config.get_double("queue_trades", c.queue_trades);
      c.spread_ticks = spread;
      CandleModelConfig s;
      invalid_as_error([&] {
        CandleModelConfig::parse_slippage(config.get("slippage", "bps:1"), s);
        return 0;
      });
      if (s.slippage != CandleModelConfig::Slippage::bps)
        throw sdk::Error(MMH_ERR_INVALID_ARGUMENT, "the trades model takes slippage in bps only");
      c.slippage_bps = s.slippage_value;
      trades_ = invalid_as_error([&] { return std::make_unique<TradeFillModel>(c); });
    } else if (model == "book") {
      for (const char* key : {"slippage", "spread_ticks"})
        if (config.has(key))
          throw sdk::Error(MMH_ERR_INVALID_ARGUMENT,
                           std::string("setting '") + key +
                               "' does not apply to the book model (takers walk the book)");
      book_ = std::make_unique<BookFillModel>(invalid_as_error(
          [&] { return BookModelConfig::parse_queue(config.get("queue_model", "power:2")); }));
    } else {
      throw sdk::Error(MMH_ERR_INVALID_ARGUMENT,
                       "fill_model '" + model + "' is not one of: candle, trades, book");
    }
  }

  void submit(const mmh_order_command& command) {
    venue_->submit(command);
    flush();
  }

  void on_market(const mmh_batch& batch) {
    const char* p = static_cast<const char*>(batch.records);
    for (size_t i = 0; i < batch.count; ++i, p += batch.record_size) {
      switch (batch.kind) {
        case MMH_EVENT_CANDLE: {
          const auto& c = *reinterpret_cast<const mmh_candle*>(p);
          if (candle_)
            candle_->on_candle(*venue_, c);
          else if (trades_)
            trades_->advance(*venue_, c.open_ts_ns + c.interval_ns);
          else
            book_->advance(*venue_, c.open_ts_ns + c.interval_ns);
          break;
        }
        case MMH_EVENT_TRADE:
          if (trades_) trades_->on_trade(*venue_, *reinterpret_cast<const mmh_trade*>(p));
          if (book_) book_->on_trade(*venue_, *reinterpret_cast<const mmh_trade*>(p));
          break;
        case MMH_EVENT_BOOK_SNAPSHOT:
        case MMH_EVENT_BOOK_DELTA:
          if (book_)
            book_->on_book(*venue_, *reinterpret_cast<const mmh_book_update*>(p),
                           batch.kind == MMH_EVENT_BOOK_SNAPSHOT);
          break;
        case MMH_EVENT_TICKER:
          if (trades_) trades_->on_ticker(*venue_, *reinterpret_cast<const mmh_ticker*>(p));
          break;
        default:
          break;
      }
    }
    flush();
  }

  std::string describe() const {
    std::string out = "venue: simfill (simulated spot exchange)\n";
    out += "fill_model: " +
           (candle_   ? candle_->describe()
            : trades_ ? trades_->describe()
                      : book_->describe()) +
           "\n";
    out += std::string("biases: ") +
           (candle_   ? CandleFillModel::biases()
            : trades_ ? TradeFillModel::biases()
                      : BookFillModel::biases()) +
           "\n";
    out += "fees: " + venue_->fees().describe() + "\n";
    out += "latency: " + venue_->latency().describe() +
           " (an order acts market-data + entry delay after the decision)\n";
    return out;
  }

 private:
  // Posts the venue's output in order, one batch per run of one kind.
  void flush() {
    venue_->end_batch();
    std::vector<VenueEvent>& events = venue_->events();
    const mmh_host_api* host = sdk::host();
    size_t i = 0;
    while (i < events.size()) {
      const uint32_t kind = events[i].kind;
      size_t j = i;
      while (j < events.size() && events[j].kind == kind) ++j;
      // Straight from the event list, a record per VenueEvent (the stride is longer than the
      // record: the host takes the record's size of each, as from a newer writer's struct).
      const VenueEvent& first = events[i];
      mmh_batch batch{};
      batch.size = sizeof(batch);
      batch.kind = kind;
      batch.record_size = static_cast<uint32_t>(sizeof(VenueEvent));
      batch.count = j - i;
      batch.records = kind == MMH_EVENT_FILL           ? static_cast<const void*>(&first.fill)
                      : kind == MMH_EVENT_ORDER_UPDATE ? static_cast<const void*>(&first.update)
                                                       : static_cast<const void*>(&first.balance);
      if (host != nullptr && host->post_batch != nullptr) {
        const mmh_status status = host->post_batch(host->host, handle_, &batch);
        if (status != MMH_OK)
          throw sdk::Error(status, "the host refused the venue's events (status " +
                                       std::to_string(status) + ")");
      }
      i = j;
    }
    events.clear();
  }

  void* handle_;
  std::optional<SimVenue> venue_;
  std::unique_ptr<CandleFillModel> candle_;
  std::unique_ptr<TradeFillModel> trades_;
  std::unique_ptr<BookFillModel> book_;
};

}  // namespace
}  // namespace mmh::sim

MMH_SDK_PLUGIN("simfill", "0.1.0",
               "Simulated spot venue: fees, latency, candle, trade-tape and L2 book fill models",
               mmh::sdk::venue<mmh::sim::SimfillVenue>)
