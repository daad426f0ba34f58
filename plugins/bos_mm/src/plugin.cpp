// The bos_mm plugin: the ABI shim around the pure core. It routes candles to the structure (HTF)
// and execution (LTF) timeframes by interval, turns fills and balances into the core's units,
// and hands decisions and the desired order set back to the host.
#include "core.hpp"
#include "params.hpp"
#include "publication.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/plugin.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace mmh::bos;

// A decimal (mantissa * 10^exponent) in 1e-8 units; throws when it is not exact.
int64_t decimal_e8(const mmh_decimal& d, const char* what) {
  int64_t v = d.mantissa;
  int32_t e = d.exponent + 8;
  for (; e > 0; --e) v *= 10;
  for (; e < 0; ++e) {
    if (v % 10 != 0)
      throw mmh::sdk::Error(MMH_ERR_DATA, std::string(what) + " has more than 8 decimals");
    v /= 10;
  }
  return v;
}

// An amount the venue reports (fee, balance) in 1e-8 units, at whatever precision it came:
// digits past the 8th decimal round toward `up` (fees up, balances down, so the core never
// believes it holds more than it does), and values past int64 saturate. The ledger in the host
// keeps them exactly; the core only sizes orders from them.
int64_t reported_e8(const mmh_decimal& d, bool up) {
  __extension__ using wide = __int128;
  constexpr wide kMax = INT64_MAX;
  wide v = d.mantissa;
  int32_t e = d.exponent + 8;
  for (; e > 0 && v < kMax && v > -kMax; --e) v *= 10;
  if (e < 0) {
    wide div = 1;
    for (; e < 0 && div < kMax; ++e) div *= 10;
    wide q = v / div;
    if (v % div != 0 && up == (v > 0)) q += v > 0 ? 1 : -1;
    v = q;
  }
  return static_cast<int64_t>(std::clamp(v, -kMax, kMax));
}

int64_t setting_e8(const mmh::sdk::Config& config, const char* key, int64_t fallback) {
  if (!config.has(key)) return fallback;
  int64_t v = 0;
  if (mmh::sdk::parse_e8(config.get(key), v) != mmh::sdk::ParseDecimal::ok || v < 0)
    throw mmh::sdk::Error(
        MMH_ERR_INVALID_ARGUMENT,
        std::string("setting '") + key + "' must be a decimal, got '" + config.get(key) + "'");
  return v;
}

// A view, not a string: the names come from to_string() as C strings, once per bar.
void copy_text(char* out, size_t capacity, std::string_view text) {
  const size_t n = text.size() < capacity - 1 ? text.size() : capacity - 1;
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

CoreSetup setup_from(const mmh::sdk::Config& config) {
  CoreSetup setup;
  for (const auto& [key, value] : config.values()) {
    if (key.rfind("param.", 0) != 0) continue;
    try {
      set_param(setup, key.substr(6), value);
    } catch (const std::invalid_argument& e) {
      throw mmh::sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
    }
  }
  Instrument& inst = setup.params.instrument;
  inst.tick_e8 = setting_e8(config, "tick_size", inst.tick_e8);
  inst.lot_e8 = setting_e8(config, "lot_size", inst.lot_e8);
  inst.min_qty_e8 = setting_e8(config, "min_order_qty", inst.min_qty_e8);
  inst.min_value_e8 = setting_e8(config, "min_order_value", inst.min_value_e8);
  return setup;
}

class BosMmPlugin {
 public:
  BosMmPlugin(const mmh::sdk::Config& config, void*)
      : setup_(validated(config)), core_(make_core(setup_)) {
    htf_ns_ = mmh::sdk::parse_interval_ns(config.get("htf_interval", "5m"));
    ltf_ns_ =
        mmh::sdk::parse_interval_ns(config.get("ltf_interval", config.get("htf_interval", "5m")));
    if (htf_ns_ <= 0 || ltf_ns_ <= 0 || htf_ns_ % ltf_ns_ != 0)
      throw mmh::sdk::Error(MMH_ERR_INVALID_ARGUMENT,
                            "htf_interval must be a multiple of ltf_interval (e.g. 5m and 1m)");
    const std::string symbol = config.get("symbol", "ETHUSDT");
    quote_asset_ = config.get("quote_asset", "USDT");
    base_asset_ =
        config.get("base_asset", symbol.size() > quote_asset_.size() &&
                                         symbol.compare(symbol.size() - quote_asset_.size(),
                                                        quote_asset_.size(), quote_asset_) == 0
                                     ? symbol.substr(0, symbol.size() - quote_asset_.size())
                                     : symbol);
  }

  // Every tunable with its unit, default and range (ABI 1.4).
  static std::span<const mmh_core_param> describe_params() { return param_descriptions(); }

  // Bars, the book's top (the spread policy input), fills, the wallet and the instrument.
  uint64_t event_interest() const {
    return MMH_EVENT_BIT(MMH_EVENT_CANDLE) | MMH_EVENT_BIT(MMH_EVENT_TICKER) |
           MMH_EVENT_BIT(MMH_EVENT_FILL) | MMH_EVENT_BIT(MMH_EVENT_BALANCE) |
           MMH_EVENT_BIT(MMH_EVENT_INSTRUMENT);
  }

  void on_events(const mmh_batch& batch) {
    if (batch.kind != MMH_EVENT_CANDLE && batch.count > 0)
      publication_.before_input(core_, 0, 0, htf_ns_);
    if (batch.kind == MMH_EVENT_BALANCE) return on_balances(batch);
    const char* p = static_cast<const char*>(batch.records);
    for (size_t i = 0; i < batch.count; ++i, p += batch.record_size) {
      switch (batch.kind) {
        case MMH_EVENT_CANDLE: {
          const auto& c = *reinterpret_cast<const mmh_candle*>(p);
          publication_.before_input(core_, c.open_ts_ns, c.interval_ns, htf_ns_);
          on_candle(c);
          if (c.interval_ns == ltf_ns_) publication_.after_ltf_bar(c.open_ts_ns + c.interval_ns);
          break;
        }
        case MMH_EVENT_TICKER: {
          const auto& t = *reinterpret_cast<const mmh_ticker*>(p);
          core_.on_quote(t.ts_ns, t.bid_price_e8, t.ask_price_e8);
          break;
        }
        case MMH_EVENT_FILL:
          on_fill(*reinterpret_cast<const mmh_fill*>(p));
          break;
        case MMH_EVENT_INSTRUMENT:
          on_instrument(*reinterpret_cast<const mmh_instrument*>(p));
          break;
        default:
          break;  // trades and books: not used by this core
      }
    }
  }

  // Hot reload: the same settings as at create, all of them; the running core keeps its state.
  void reconfigure(const mmh::sdk::Config& config) {
    const CoreSetup next = validated(config);
    if (next.wallet.base_e8 != setup_.wallet.base_e8 ||
        next.wallet.quote_e8 != setup_.wallet.quote_e8)
      throw mmh::sdk::Error(MMH_ERR_INVALID_ARGUMENT,
                            "capital.* cannot change while running (the wallet is live)");
    const std::string htf = config.get("htf_interval", "5m");
    if (mmh::sdk::parse_interval_ns(htf) != htf_ns_ ||
        mmh::sdk::parse_interval_ns(config.get("ltf_interval", htf)) != ltf_ns_)
      throw mmh::sdk::Error(MMH_ERR_INVALID_ARGUMENT,
                            "market.htf and market.ltf cannot change while running");
    try {
      core_.reconfigure(next.params);
    } catch (const std::invalid_argument& e) {
      throw mmh::sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
    }
    setup_ = next;
  }

  // ABI 1.5: the host takes decisions only when there are some (most bars make none).
  uint64_t decisions_queued() const { return core_.events().size(); }
  // ABI 1.6: the host asks for the desired set only when this moved (never 0: "cannot say").
  uint64_t desired_version() const { return core_.desired_changes() + 1; }

  void take_decisions(mmh_batch& out) {
    decisions_.clear();
    for (const Event& e : core_.events()) {
      publication_.count(e);
      mmh_decision d{};
      d.ts_ns = e.ts_ns;
      copy_text(d.kind, sizeof(d.kind), to_string(e.kind));
      write_event_detail(e, d.detail, sizeof(d.detail));
      decisions_.push_back(d);
    }
    core_.clear_events();
    out.kind = MMH_EVENT_DECISION;
    out.record_size = sizeof(mmh_decision);
    out.count = decisions_.size();
    out.records = decisions_.data();
  }

  // Values a strategy script may read (mmhost.structure, .market, .inventory, .balances, .pnl,
  // .facts). Each value is named where it is set, so names and values cannot drift apart; the
  // set and order never change, so the host indexes them once.
  void snapshot(mmh_core_snapshot& out) {
    // Slots are overwritten in place (the host reads this every bar): after the first call no
    // allocation and no push_back.
    size_t n = 0;
    auto put = [&](const char* name, uint32_t type, double number, const char* text = nullptr) {
      if (n == values_.size()) values_.emplace_back();
      values_[n++] = mmh_core_value{name, type, 0, number, text};
    };
    auto text = [&](const char* name, const char* v) { put(name, MMH_VALUE_TEXT, 0, v); };
    auto number = [&](const char* name, double v) { put(name, MMH_VALUE_NUMBER, v); };
    auto price = [&](const char* name, int64_t e8) {
      put(name, MMH_VALUE_NUMBER, static_cast<double>(e8) / 1e8);
    };
    const PolicyInputs& in = core_.policy_inputs();
    const StructureTracker& st = core_.structure();
    text("state", to_string(core_.state()));
    text("policy", to_string(core_.policy()));
    if (out.wanted != 0 && n >= out.wanted) {  // the host reads these two every bar
      out.count = n;
      out.values = values_.data();
      return;
    }
    number("bars_in_state", static_cast<double>(core_.machine().bars_in_state()));
    price("structure.close", core_.last_close_e8());
    number("structure.atr", core_.atr_e8() / 1e8);
    price("structure.last_high", st.last_high() ? st.last_high()->price_e8 : 0);
    price("structure.last_low", st.last_low() ? st.last_low()->price_e8 : 0);
    price("structure.protect_low", core_.protect_low_e8());
    text("structure.trend", to_string(st.trend()));
    number("structure.bars_since_bos", static_cast<double>(in.bars_since_bos));
    number("market.atr_pct", in.atr_pct);
    number("market.volatility_pct", in.volatility_pct);
    number("market.spread_bps", in.spread_bps);
    price("inventory.base", core_.wallet().base_e8);
    number("inventory.share", core_.inventory_share());
    number("inventory.target_share", core_.params().grid.target_base_share);
    price("balances.base", core_.wallet().base_e8);
    price("balances.quote", core_.wallet().quote_e8);
    const double equity = core_.equity() / 1e8;
    const double start = core_.initial_equity() / 1e8;
    number("pnl.equity", equity);
    number("pnl.start_equity", start);
    number("pnl.change", equity - start);
    number("pnl.change_pct", start > 0 ? (equity - start) / start * 100.0 : 0.0);
    number("pnl.drawdown_pct", core_.drawdown_pct());
    number("pnl.setup_drawdown_pct", core_.setup_drawdown_pct());
    const uint32_t facts = core_.current_facts();
    for (int f = 0; f < kFactCount; ++f)
      put(fact_names_[static_cast<size_t>(f)].c_str(), MMH_VALUE_FLAG, (facts >> f) & 1u);
    out.count = n;
    out.values = values_.data();
  }

  void publish(mmh_core_publication& out) { publication_.publish(core_, out); }

  void set_hooks(const mmh_core_hooks* hooks) {
    if (hooks == nullptr) {
      core_.set_hooks(nullptr);
      return;
    }
    bridge_.hooks = *hooks;
    core_.set_hooks(&bridge_);
  }

  void desired_state(mmh_desired_state& out) {
    const Desired& d = core_.desired();
    // The host asks after every bar; the orders change far less often.
    if (orders_changes_ != core_.desired_changes()) {
      orders_changes_ = core_.desired_changes();
      build_orders(d);
    }
    out.count = orders_.size();
    out.orders = orders_.data();
    copy_text(out.mode, sizeof(out.mode), to_string(d.mode));
  }

 private:
  void build_orders(const Desired& d) {
    orders_.clear();
    for (int i = 0; i < d.orders.bid_count; ++i) {
      const GridLevel& l = d.orders.bids[static_cast<size_t>(i)];
      orders_.push_back({MMH_SIDE_BUY, MMH_ORDER_TYPE_LIMIT, l.price_ticks, l.qty_lots});
    }
    for (int i = 0; i < d.orders.ask_count; ++i) {
      const GridLevel& l = d.orders.asks[static_cast<size_t>(i)];
      const uint32_t type = d.marketable ? MMH_ORDER_TYPE_MARKET : MMH_ORDER_TYPE_LIMIT;
      orders_.push_back({MMH_SIDE_SELL, type, l.price_ticks, l.qty_lots});
    }
  }

  static CoreSetup validated(const mmh::sdk::Config& config) {
    config.allow_only(
        {"symbol", "symbol_id", "htf_interval", "ltf_interval", "base_asset", "quote_asset",
         "tick_size", "lot_size", "min_order_qty", "min_order_value", "cache_dir"},
        "param.");
    return setup_from(config);
  }

  static Core make_core(const CoreSetup& setup) {
    try {
      return Core(setup.params, setup.wallet);
    } catch (const std::invalid_argument& e) {
      throw mmh::sdk::Error(MMH_ERR_INVALID_ARGUMENT, e.what());
    }
  }

  void on_candle(const mmh_candle& c) {
    // At equal close times the LTF bar comes first; when both timeframes are the same interval,
    // each bar is both.
    if (c.interval_ns == ltf_ns_) core_.on_ltf_bar(c);
    if (c.interval_ns == htf_ns_) core_.on_htf_bar(c);
    if (c.interval_ns != ltf_ns_ && c.interval_ns != htf_ns_)
      throw mmh::sdk::Error(MMH_ERR_DATA, "candle interval " +
                                              mmh::sdk::format_interval(c.interval_ns) +
                                              " is neither the htf nor the ltf interval");
  }

  void on_fill(const mmh_fill& f) {
    const Instrument& inst = core_.params().instrument;
    const int64_t fee = reported_e8(f.fee, true);
    const bool fee_in_base = base_asset_ == f.fee_asset;
    core_.on_fill(f.ts_ns, f.side, inst.price_e8(f.price_ticks), inst.qty_e8(f.qty_lots),
                  fee_in_base ? 0 : fee, fee_in_base ? fee : 0);
  }

  // A balance report names one asset; the other keeps the core's view. The batch's reports are
  // applied together, so a report of both assets is one wallet change, not two.
  void on_balances(const mmh_batch& batch) {
    Wallet wallet = core_.wallet();
    int64_t ts_ns = 0;
    bool ours = false;
    const char* p = static_cast<const char*>(batch.records);
    for (size_t i = 0; i < batch.count; ++i, p += batch.record_size) {
      const auto& b = *reinterpret_cast<const mmh_balance*>(p);
      const int64_t total = reported_e8(b.free, false) + reported_e8(b.locked, false);
      if (base_asset_ == b.asset)
        wallet.base_e8 = total;
      else if (quote_asset_ == b.asset)
        wallet.quote_e8 = total;
      else
        continue;
      ours = true;
      ts_ns = b.ts_ns;
    }
    if (ours) core_.on_balances(ts_ns, wallet.base_e8, wallet.quote_e8);
  }

  void on_instrument(const mmh_instrument& i) {
    Instrument inst;
    inst.tick_e8 = decimal_e8(i.tick_size, "tick_size");
    inst.lot_e8 = decimal_e8(i.lot_size, "lot_size");
    inst.min_qty_e8 = decimal_e8(i.min_order_qty, "min_order_qty");
    inst.min_value_e8 = decimal_e8(i.min_order_value, "min_order_value");
    try {
      core_.set_instrument(inst);
    } catch (const std::invalid_argument& e) {
      throw mmh::sdk::Error(MMH_ERR_DATA, e.what());
    }
  }

  // Turns the C hook table into the core's CoreHooks.
  struct HookBridge final : CoreHooks {
    mmh_core_hooks hooks{};
    bool policy(int64_t ts_ns, PolicyLevel suggested, PolicyLevel& level) override {
      if (hooks.policy == nullptr) return false;
      const char* answer = hooks.policy(hooks.user, ts_ns, to_string(suggested));
      if (answer == nullptr) return false;
      for (PolicyLevel l : {PolicyLevel::disabled, PolicyLevel::defensive, PolicyLevel::normal})
        if (std::strcmp(answer, to_string(l)) == 0) {
          level = l;
          return true;
        }
      return false;  // the host validates answers; an unknown one keeps the suggestion
    }
    bool guard(int64_t ts_ns, const Edge& edge) override {
      return hooks.guard != nullptr && hooks.guard(hooks.user, ts_ns, to_string(edge.from),
                                                   to_string(edge.to), edge.reason.c_str()) != 0;
    }
    void transition(int64_t ts_ns, const Edge& edge) override {
      if (hooks.transition != nullptr)
        hooks.transition(hooks.user, ts_ns, to_string(edge.from), to_string(edge.to),
                         edge.reason.c_str());
    }
  };

  CoreSetup setup_;
  Core core_;
  Publication publication_;
  HookBridge bridge_;
  std::vector<mmh_core_value> values_;
  const std::vector<std::string> fact_names_ = [] {
    std::vector<std::string> names;
    for (int f = 0; f < kFactCount; ++f)
      names.push_back(std::string("facts.") + fact_name(1u << f));
    return names;
  }();
  int64_t htf_ns_ = 0;
  int64_t ltf_ns_ = 0;
  std::string base_asset_;
  std::string quote_asset_;
  std::vector<mmh_decision> decisions_;
  std::vector<mmh_desired_order> orders_;
  uint64_t orders_changes_ = UINT64_MAX;  // desired_changes() orders_ was built at
};

}  // namespace

MMH_SDK_PLUGIN("bos_mm", "1.0.0",
               "Structure-driven spot market making: BOS, pullback, policy, state machine, grid",
               mmh::sdk::core<BosMmPlugin>)
