#include "app/run_command.hpp"

#include "app/alerts.hpp"
#include "app/format.hpp"
#include "app/host_context.hpp"
#include "app/live_inbox.hpp"
#include "app/reloader.hpp"
#include "app/routes.hpp"
#include "app/run_plan.hpp"
#include "app/run_recovery.hpp"
#include "app/session.hpp"
#include "app/start_capital.hpp"
#include "app/strategy_runtime.hpp"
#include "engine/clock.hpp"
#include "engine/event_time.hpp"
#include "loader/core_instance.hpp"
#include "loader/data_instance.hpp"
#include "loader/venue_instance.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <ostream>

namespace mmh {
namespace {

// The strategy's market.instrument (validated decimal text) as the ABI's record.
mmh_instrument stated_instrument(const StrategySpec& spec) {
  mmh_instrument ins{};
  std::snprintf(ins.symbol, sizeof(ins.symbol), "%s", spec.symbol.c_str());
  mmh_decimal* fields[] = {&ins.tick_size, &ins.lot_size, &ins.min_order_qty, &ins.min_order_value};
  const char* names[] = {"tick_size", "lot_size", "min_order_qty", "min_order_value"};
  for (int i = 0; i < 4; ++i) {
    const auto it = spec.instrument.find(names[i]);
    if (it != spec.instrument.end()) *fields[i] = sdk::decimal_from_text(it->second);
  }
  return ins;
}

std::string resolve_data_file(const HostContext& host, const RunOptions& options,
                              const StrategySpec& spec) {
  if (!options.replay_file.empty()) return options.replay_file;
  if (spec.replay_file.empty())
    throw RunError(spec.path +
                   ": no market data: pass --replay FILE or set market.file in the strategy");
  // A script names data only inside the data dir: it may come from someone else, and must not
  // point the run at any file the user can read. The command line (--replay) can name any file.
  const std::filesystem::path relative = std::filesystem::path(spec.replay_file).lexically_normal();
  if (relative.is_absolute() || relative.empty() || *relative.begin() == "..")
    throw RunError(spec.path + ": market.file '" + spec.replay_file +
                   "' must be a path inside the data dir '" + host.config().data_dir +
                   "' (no absolute path, no '..'); pass --replay FILE to replay another file");
  const std::filesystem::path file = std::filesystem::path(host.config().data_dir) / relative;
  if (!std::filesystem::exists(file))
    throw RunError(file.string() + ": no such file (market.file of " + spec.path +
                   " is relative to the data dir '" + host.config().data_dir +
                   "'; generate sample data with `mmhost sample-data`, or pass --replay FILE)");
  return file.string();
}

// What the data plugin would say of candles already in memory: count, span and gaps.
mmh_source_info memory_source_info(const std::vector<mmh_candle>& bars, int64_t interval_ns) {
  mmh_source_info info{};
  info.size = sizeof(info);
  info.primary_kind = MMH_EVENT_CANDLE;
  info.record_count = bars.size();
  info.interval_ns = interval_ns;
  if (bars.empty()) return info;
  info.first_ts_ns = bars.front().open_ts_ns;
  info.last_ts_ns = bars.back().open_ts_ns;
  for (size_t i = 1; i < bars.size(); ++i) {
    const int64_t step = bars[i].open_ts_ns - bars[i - 1].open_ts_ns;
    if (interval_ns <= 0 || step <= interval_ns) continue;
    ++info.gap_count;
    info.missing_bars += static_cast<uint64_t>(step / interval_ns - 1);
    info.largest_gap_ns = std::max(info.largest_gap_ns, step - interval_ns);
  }
  return info;
}

int64_t capital_e8(const StrategySpec& spec, const char* key, int64_t fallback) {
  auto it = spec.core_params.find(key);
  if (it == spec.core_params.end()) return fallback;
  int64_t v = 0;
  if (sdk::parse_e8(it->second, v) != sdk::ParseDecimal::ok || v < 0)
    throw RunError(spec.path + ": " + key + " must be a non-negative amount, got '" + it->second +
                   "'");
  return v;
}

// ++map[key] without a string built for a key already there (tens of thousands per run).
template <typename Map>
typename Map::mapped_type& entry(Map& map, std::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::string(key), typename Map::mapped_type{}).first;
  return it->second;
}

}  // namespace

void DecisionSummary::add(const mmh_decision& d) {
  ++total;
  const std::string_view kind(d.kind);
  ++entry(by_kind, kind);
  const std::string_view detail(d.detail);
  const std::string_view first = detail.substr(0, detail.find(' '));
  if (!first.empty() && first.find_first_of("=:") == std::string_view::npos)
    ++entry(entry(by_subkind, kind), first);
  // (ts_ns, kind, NUL, detail, NUL): the NUL separates kind from detail.
  if (unhashed_.empty()) unhashed_.resize(kHashChunkBytes + sizeof(mmh_decision));
  char* p = unhashed_.data() + unhashed_used_;
  std::memcpy(p, &d.ts_ns, sizeof(d.ts_ns));
  p += sizeof(d.ts_ns);
  std::memcpy(p, kind.data(), kind.size() + 1);
  p += kind.size() + 1;
  std::memcpy(p, detail.data(), detail.size() + 1);
  p += detail.size() + 1;
  unhashed_used_ = static_cast<size_t>(p - unhashed_.data());
  if (unhashed_used_ >= kHashChunkBytes) hash();
}

uint64_t DecisionSummary::hash() const {
  hasher_.add(unhashed_.data(), unhashed_used_);
  unhashed_used_ = 0;
  return hasher_.value();
}

std::string run_order_prefix(int64_t run_start_ns) {
  uint64_t v = static_cast<uint64_t>(run_start_ns / 1'000'000'000);
  std::string run;
  do {
    run.insert(run.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  } while (v != 0);
  return "mmh-" + run;
}

std::filesystem::path default_run_dir(const std::string& strategy, const std::string& mode,
                                      bool create) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
  const std::filesystem::path base =
      std::filesystem::path("runs") / (std::filesystem::path(strategy).stem().string() +
                                       (mode.empty() ? "" : "-" + mode) + "-" + stamp);
  if (create) std::filesystem::create_directories(base.parent_path());
  std::filesystem::path dir = base;
  // Taken by creating it: two runs started in the same second never share a directory.
  for (int i = 2; create ? !std::filesystem::create_directory(dir) : std::filesystem::exists(dir);
       ++i)
    dir = base.string() + "-" + std::to_string(i);
  return dir;
}

RiskLimits risk_limits_from_flags(const std::vector<std::string>& flags) {
  RiskLimits limits;
  for (const std::string& flag : flags) {
    const size_t eq = flag.find('=');
    const std::string name = flag.substr(0, eq);
    double value = 0;
    const char* last = flag.c_str() + flag.size();
    const auto parsed = std::from_chars(flag.c_str() + std::min(eq + 1, flag.size()), last, value);
    if (eq == std::string::npos || parsed.ec != std::errc() || parsed.ptr != last)
      throw UsageError("--risk " + flag + ": expected NAME=NUMBER, e.g. --risk daily_loss_pct=2");
    const std::string error = set_risk_limit(limits, name, value);
    if (!error.empty()) throw UsageError("--risk " + flag + ": " + name + " " + error);
  }
  return limits;
}

RunReport run_strategy(HostContext& host, const RunOptions& options, std::ostream& decision_out) {
  RunReport report;
  auto script = std::make_unique<StrategyScript>(options.strategy_path, nullptr);
  const RunPlan plan = plan_run(host, options, script->spec());
  report.spec = plan.spec;
  const StrategySpec& spec = report.spec;
  // One instrument for the core, the venue and the ledger, as the data connector reports it
  // (a replay: the strategy's market.instrument or the sidecar beside its data; a live
  // connector: the exchange's). The host has no instrument numbers of its own.
  std::optional<mmh_instrument> instrument;
  std::string tick_size;
  std::string lot_size;
  const bool quote_suffix = spec.symbol.size() > spec.quote_asset.size() &&
                            spec.symbol.compare(spec.symbol.size() - spec.quote_asset.size(),
                                                spec.quote_asset.size(), spec.quote_asset) == 0;
  if (!spec.core_plugin.empty() && !quote_suffix)
    throw RunError("symbol '" + spec.symbol + "' does not end with the quote asset '" +
                   spec.quote_asset + "' (capital.quote_asset)");
  const std::string base_asset =
      quote_suffix ? spec.symbol.substr(0, spec.symbol.size() - spec.quote_asset.size()) : "";
  const LoadedPlugin* plugin = plan.data_plugin;
  report.data_plugin_version = plugin->version;
  std::map<std::string, std::string> settings = {
      {"symbol", spec.symbol},
      {"symbol_id", "1"},
      {"interval", sdk::format_interval(spec.ltf_interval_ns)},
      {"cache_dir", host.cache_dir()},
  };
  const bool live = plan.live_data;
  const bool steerable = plan.wall_clock;  // it has a run directory (control.sock)
  // A resumed run: who it is and what its journal says it did, read before anything changes.
  std::optional<RunIdentity> identity;
  RecoveredRun recovered;
  if (options.resume) {
    try {
      identity = read_run_identity(options.run_dir);
      recovered = recover_run(options.run_dir, identity->order_prefix);
    } catch (const std::exception& e) {
      throw RunError(std::string("--resume: ") + e.what());
    }
    const std::string mode = options.live ? "live" : "paper";
    if (identity->mode != mode)
      throw RunError("--resume: " + options.run_dir + " holds a " + identity->mode +
                     " run; resume it as one (" +
                     (identity->mode == "live" ? "--live --confirm-live" : "--paper") + ")");
    if (identity->strategy != options.strategy_path)
      throw RunError("--resume: " + options.run_dir + " ran " + identity->strategy +
                     "; resume it with that strategy (edits to it are fine)");
    spdlog::info("resuming {}: {} journal records, {} fills, orders {}-{} on", options.run_dir,
                 recovered.records, recovered.fills.size(), identity->order_prefix,
                 recovered.last_order_number + 1);
  }
  // When the run began (a resumed run: its first start): its order ids and executions.
  const int64_t run_started_ns = identity ? identity->started_ns : WallClock().now_ns();
  if (steerable) {
    std::error_code ec;
    try {
      report.run_dir = options.run_dir.empty() ? default_run_dir(options.strategy_path,
                                                                 options.live ? "live"
                                                                 : live       ? "paper"
                                                                              : "paced",
                                                                 /*create=*/true)
                                                     .string()
                                               : options.run_dir;
      std::filesystem::create_directories(report.run_dir, ec);
    } catch (const std::filesystem::filesystem_error& e) {
      ec = e.code();
      report.run_dir = e.path1().string();
    }
    if (ec) throw RunError(report.run_dir + ": cannot create the run directory: " + ec.message());
  }
  // A run that fails before it has written anything leaves no empty directory behind.
  struct DropEmptyDir {
    const std::string& dir;
    ~DropEmptyDir() {
      std::error_code ignored;
      if (!dir.empty() && std::filesystem::is_empty(dir, ignored))
        std::filesystem::remove(dir, ignored);
    }
  } drop_empty_dir{report.run_dir};
  // A live connector's environment (a name or a file of its own) and where the host keeps such
  // files; what they mean is the connector's business.
  std::string config_dirs;
  for (const std::string& dir : host.venue_search_dirs())
    config_dirs += (config_dirs.empty() ? "" : ":") + dir;
  const std::string environment = options.venue.empty() ? "mainnet" : options.venue;
  if (live) {
    settings["environment"] = environment;
    settings["config_dirs"] = config_dirs;
    report.live_venue = environment;
    settings["warmup_bars"] = std::to_string(options.warmup_bars);
  } else {
    settings["base_asset"] = base_asset;
    settings["quote_asset"] = spec.quote_asset;
    for (const auto& [field, text] : spec.instrument) settings["instrument." + field] = text;
  }
  // The file connector (connectors.files) reads the strategy's market.file or --replay; another
  // readable connector makes its own data and gets a file only when one is named.
  if (!live && options.candles == nullptr &&
      (spec.data_plugin == host.config().file_connector || !options.replay_file.empty() ||
       !spec.replay_file.empty())) {
    // In-memory candles stand in for market.file, which need not exist then.
    report.source_file = resolve_data_file(host, options, spec);
    settings["file"] = report.source_file;
  }

  // Candles already in memory (a batch shares one load between its backtests) replace the data
  // plugin; otherwise the plugin reads the file or streams live data.
  std::unique_ptr<DataInstance> source_owner;
  if (options.candles == nullptr) source_owner = std::make_unique<DataInstance>(*plugin, settings);
  DataInstance* source_ptr = source_owner.get();
  if (options.candles != nullptr && live)
    throw RunError("in-memory candles are for backtests, not --paper or --live");
  if (source_ptr == nullptr) {
    report.source = memory_source_info(*options.candles, spec.ltf_interval_ns);
    report.source_file = options.candles_file;
  }
  if (source_ptr != nullptr && !live && !source_ptr->can_read())
    throw RunError("plugin '" + plugin->name +
                   "' streams live market data: run it with --paper (live public data, simulated "
                   "fills)");
  // Live: the connector's posts are kept until the engine runs; the instrument comes first.
  LiveInbox inbox;
  struct PostReset {
    HostServices& services;
    ~PostReset() { services.set_post(nullptr); }
  } post_reset{host.services()};
  if (live) {
    host.services().set_post([&inbox, source_ptr](void* poster, const mmh_batch& batch) {
      return poster == source_ptr->handle() ? inbox.post(batch) : MMH_ERR_STATE;
    });
    try {
      source_ptr->start();
    } catch (const PluginCallError& e) {
      throw RunError(e.what());
    }
  }
  try {
    if (source_ptr != nullptr) instrument = source_ptr->instrument();
  } catch (const PluginCallError& e) {
    throw RunError(e.what());
  }
  if (!instrument && live) instrument = inbox.instrument();  // connectors before ABI 1.2
  if (!instrument && source_ptr == nullptr)  // shared candles: the strategy's, or their sidecar
    instrument = spec.instrument.empty() ? options.instrument : stated_instrument(spec);
  if (instrument) {
    tick_size = step_text(instrument->tick_size);
    lot_size = step_text(instrument->lot_size);
    if (tick_size.empty() || lot_size.empty())
      throw RunError(spec.symbol + ": the instrument's tick or lot size does not fit 8 decimals");
    if (live && !base_asset.empty() && base_asset != instrument->base_asset)
      throw RunError(spec.symbol + ": the exchange's base asset is " + instrument->base_asset +
                     ", the strategy expects " + base_asset);
    report.instrument = *instrument;
  } else if (!spec.core_plugin.empty()) {
    throw RunError(spec.path + ": the data (" + plugin->name + ") does not say " + spec.symbol +
                   "'s trading rules; state them in the strategy's market table, e.g.\n"
                   "  market = { ..., instrument = { tick_size = \"0.01\", lot_size = \"0.00001\", "
                   "min_order_value = \"1\" } }\n"
                   "(Bybit: priceFilter.tickSize, lotSizeFilter.basePrecision, minOrderAmt of "
                   "/v5/market/instruments-info), or in a file beside the data named " +
                   (report.source_file.empty() ? std::string("DATA") : report.source_file) +
                   ".instrument.json (docs/data-formats.md)");
  }
  // Declared after the inbox and the post routing: the connector stops before they go.
  struct StopSource {
    DataInstance* source;
    ~StopSource() {
      if (source != nullptr) source->stop();
    }
  } stop_source{source_ptr};
  if (source_ptr != nullptr) report.source = source_ptr->describe();
  report.bars_from_trades = report.source.primary_kind == MMH_EVENT_TRADE;
  // A window that misses the file's data is a mistake, not an empty run (whose "PnL" would be
  // the capital, as no bar ever started the ledger). A batch's windows over shared candles are
  // the script's to choose: an empty one is an empty result there.
  if (!live && source_ptr != nullptr && report.source.record_count > 0 &&
      (options.start_ns != INT64_MIN || options.end_ns != INT64_MAX) &&
      (options.start_ns > report.source.last_ts_ns || options.end_ns <= report.source.first_ts_ns))
    throw RunError("--start/--end select no data of " + report.source_file + ": it covers " +
                   iso_time(report.source.first_ts_ns) + " to " +
                   iso_time(report.source.last_ts_ns));
  if (report.source.primary_kind != MMH_EVENT_CANDLE && !report.bars_from_trades)
    throw RunError(report.source_file + ": holds " + event_kind_name(report.source.primary_kind) +
                   " records; the strategy's bars come from candles or a trade tape (a book "
                   "stream goes to the venue: `mmhost backtest --book FILE`)");

  // Tick streams for the venue, always from the replay plugin.
  std::vector<std::unique_ptr<DataInstance>> market;
  bool has_trades = report.bars_from_trades;
  bool has_book = false;
  for (const std::string& file : options.market_files) {
    const LoadedPlugin& replay = find_plugin(host, host.config().file_connector, MMH_KIND_DATA,
                                             "data", spec.path, "market data");
    market.push_back(std::make_unique<DataInstance>(
        replay, std::map<std::string, std::string>{
                    {"file", file}, {"symbol_id", "1"}, {"cache_dir", host.cache_dir()}}));
    const mmh_source_info info = market.back()->describe();
    if (info.primary_kind == MMH_EVENT_CANDLE)
      throw UsageError(file +
                       ": holds candles; tick streams for the venue are trade tapes or L2 "
                       "book streams (docs/data-formats.md)");
    if (info.primary_kind == MMH_EVENT_TRADE) {
      if (has_trades) throw UsageError(file + ": a second trade tape (one run replays one tape)");
      has_trades = true;
    }
    has_book = has_book || info.primary_kind == MMH_EVENT_BOOK_DELTA;
    report.market_sources.emplace_back(file, info);
  }
  if (options.execute && !live) {
    auto it = options.venue_settings.find("fill_model");
    const std::string model = it == options.venue_settings.end() ? "" : it->second;
    if ((model == "trades" || model == "book") && !has_trades)
      throw UsageError("the " + model +
                       " fill model needs the trade tape: pass --trades FILE, or a trade file as "
                       "--cache (bars are then built from it)");
    if (model == "book" && !has_book)
      throw UsageError(
          "the book fill model needs an L2 book stream: pass --book FILE (format: "
          "docs/data-formats.md)");
  }

  std::unique_ptr<CoreInstance> core;
  std::unique_ptr<Reloader> reloader;
  const LoadedPlugin* core_plugin = nullptr;
  const bool reloads = plan.hot_reload;
  if (!plan.core.empty()) {
    core_plugin = plan.core_plugin;
    reloader =
        std::make_unique<Reloader>(spec, core_plugin,
                                   std::map<std::string, std::string>{
                                       {"symbol", spec.symbol},
                                       {"base_asset", base_asset},
                                       {"tick_size", tick_size},
                                       {"lot_size", lot_size},
                                       {"htf_interval", sdk::format_interval(spec.htf_interval_ns)},
                                       {"ltf_interval", sdk::format_interval(spec.ltf_interval_ns)},
                                   },
                                   reloads);
    for (const auto& [name, value] : options.param_overrides)
      if (!is_host_field(name)) reloader->force(name, value);  // host fields are in the spec
    try {
      core = std::make_unique<CoreInstance>(*core_plugin, reloader->settings_for(spec));
    } catch (const PluginCallError& e) {
      throw RunError(core_param_error(spec, core_plugin->name, e.what()));
    }
    report.decisions.core_name = core_plugin->name;
    report.decisions.core_version = core_plugin->version;
    if (live) reloader->set_live_data();
  }
  // The venue: orders out, fills back. Its posts are queued on the instance and drained by the
  // execution between calls.
  std::unique_ptr<AlertSender> alerts;     // MMHOST_ALERT_WEBHOOK: outlives the execution
  std::unique_ptr<JournalWriter> journal;  // wall-clock runs: RUN_DIR/journal/
  amount_e18 resumed_base_e18 = 0;         // a resumed paper run's wallet
  amount_e18 resumed_quote_e18 = 0;
  std::unique_ptr<VenueInstance> venue;
  std::unique_ptr<Execution> exec;
  std::atomic<boost::asio::io_context*> venue_wake{nullptr};  // live venue posts wake the loop
  ExecutionSetup setup;
  const LoadedPlugin* venue_plugin = nullptr;
  if (!plan.venue.empty()) {
    venue_plugin = plan.venue_plugin;
    setup.quote_asset = spec.quote_asset;
    setup.base_asset = base_asset;
    setup.risk = plan.risk;
    if (steerable) {
      journal = std::make_unique<JournalWriter>(report.run_dir);
      setup.journal = journal.get();
      // The webhook's URL is a secret (it often carries a token): from the environment only.
      if (const char* url = std::getenv("MMHOST_ALERT_WEBHOOK"); url != nullptr && *url != '\0') {
        try {
          alerts = std::make_unique<AlertSender>(url, report.run_dir);
        } catch (const AlertError& e) {
          throw RunError(std::string("MMHOST_ALERT_WEBHOOK: ") + e.what());
        }
        setup.alert = [sender = alerts.get()](const std::string& kind, const std::string& message,
                                              int64_t ts_ns) {
          sender->send(kind, message, ts_ns);
        };
        setup.alert_stale_ns = options.alert_stale_ns;
        spdlog::info("alerts go to the webhook in MMHOST_ALERT_WEBHOOK");
      }
      setup.risk_state_file = (std::filesystem::path(report.run_dir) / "risk_state.json").string();
      if (std::filesystem::exists(setup.risk_state_file)) {
        try {
          setup.restored_risk_state = sdk::read_regular_file(setup.risk_state_file, 64 * 1024);
        } catch (const std::exception& e) {
          throw RunError(e.what());
        }
      }
    }
    sdk::parse_e8(tick_size, setup.tick_e8);
    sdk::parse_e8(lot_size, setup.lot_e8);
    setup.start_quote_e18 = e8_to_e18(capital_e8(spec, "capital.allocation", 10'000 * MMH_E8));
    setup.start_base_e18 = e8_to_e18(capital_e8(spec, "capital.base", 0));
    std::map<std::string, std::string> vs = {
        {"symbol", spec.symbol},
        {"symbol_id", "1"},
        {"base_asset", setup.base_asset},
        {"quote_asset", setup.quote_asset},
        {"tick_size", tick_size},
        {"lot_size", lot_size},
        {"balance.base", format_e18(setup.start_base_e18)},
        {"balance.quote", format_e18(setup.start_quote_e18)},
    };
    setup.orders.replace_threshold_ticks = spec.replace_threshold_ticks;
    setup.orders.reprice_by_amend = spec.reprice_by_amend;
    if (options.live) {
      // Real orders: ids "<run prefix>-<n>" tie every order to this run; the exchange's wallet
      // is the ledger's start (below).
      setup.orders.id_prefix = identity ? identity->order_prefix : run_order_prefix(run_started_ns);
      setup.check_venue = false;
      vs = {{"symbol", spec.symbol},
            {"symbol_id", "1"},
            {"base_asset", setup.base_asset},
            {"quote_asset", setup.quote_asset},
            {"tick_size", tick_size},
            {"lot_size", lot_size},
            {"environment", environment},
            {"config_dirs", config_dirs},
            {"order_prefix", setup.orders.id_prefix}};
      // A resumed run's executions began at its first start. The exchange's clock is not ours:
      // look an hour further back (only ids of the run's prefix count, and the ledger takes
      // each fill once). A fresh run's begin at the exchange's clock when the venue starts.
      if (identity) vs["run_start_ms"] = std::to_string(run_started_ns / 1'000'000 - 3'600'000);
      if (!options.key_file.empty()) vs["key_file"] = options.key_file;
      vs["cancel_on_disconnect_ms"] = std::to_string(options.cancel_on_disconnect_ns / 1'000'000);
    } else {
      // Paper: the live book and trades drive the fills.
      if (live) vs["fill_model"] = "book";
      for (const auto& [k, v] : options.venue_settings) vs[k] = v;
      if (identity) {
        // A resumed paper run: the simulated wallet is the run's as its fills left it.
        Ledger now(LedgerConfig{setup.base_asset, setup.quote_asset, setup.tick_e8, setup.lot_e8,
                                identity->start_base_e18, identity->start_quote_e18, false});
        if (recovered.ledger_started) now.start(recovered.start_ts_ns, recovered.start_mid_e8);
        for (const mmh_fill& f : recovered.fills) now.apply_fill(f);
        resumed_base_e18 = now.base_e18();
        resumed_quote_e18 = now.quote_e18();
        vs["balance.base"] = format_e18(resumed_base_e18);
        vs["balance.quote"] = format_e18(resumed_quote_e18);
      }
    }
    setup.wait_for_book = live;
    try {
      venue = std::make_unique<VenueInstance>(*venue_plugin, vs);
    } catch (const PluginCallError& e) {
      // A refused setting that came from the command line (--fees, --latency-ms, ...) is a
      // usage error: nothing has been written yet.
      if (!options.venue_settings.empty())  // only a command line sets them (backtest)
        throw UsageError(std::string(e.what()) + " (a venue option of the command line)");
      throw RunError(e.what());
    }
    VenueInstance* raw = venue.get();
    host.services().set_post([raw, &inbox, source_ptr, &venue_wake, &exec](
                                 void* poster, const mmh_batch& batch) -> mmh_status {
      if (source_ptr != nullptr && poster == source_ptr->handle()) return inbox.post(batch);
      if (poster != raw) return MMH_ERR_STATE;
      const mmh_status status = raw->receive(batch);
      // A live venue posts from its own thread: the engine thread takes the events.
      if (boost::asio::io_context* io = venue_wake.load())
        boost::asio::post(*io, [&exec] {
          if (exec) exec->on_venue_events();
        });
      return status;
    });
    if (options.live) {
      try {
        venue->start();
      } catch (const PluginCallError& e) {
        throw RunError(e.what());
      }
      // The wallet the venue reported at start is the ledger's start; the reports stay queued
      // for the ledger's venue view.
      std::vector<VenueEvent> first;
      venue->take_pending(first);
      for (const VenueEvent& e : first) {
        if (e.kind != MMH_EVENT_BALANCE) continue;
        // At the exchange's precision (fees leave 10+ decimals); only past 10^20 is it refused.
        bool rounded = false;
        const std::optional<amount_e18> free = decimal_to_e18_rounded(e.balance.free, rounded);
        const std::optional<amount_e18> locked = decimal_to_e18_rounded(e.balance.locked, rounded);
        if (!free || !locked)
          throw RunError(std::string("the exchange's ") + e.balance.asset +
                         " balance is beyond 10^20 units");
        if (setup.base_asset == e.balance.asset) setup.start_base_e18 = *free + *locked;
        if (setup.quote_asset == e.balance.asset) setup.start_quote_e18 = *free + *locked;
      }
      venue->requeue_front(first);
      spdlog::info("live trading on {}: wallet {} {}, {} {}; orders {}-<n>", report.live_venue,
                   format_e18(setup.start_base_e18), setup.base_asset,
                   format_e18(setup.start_quote_e18), setup.quote_asset, setup.orders.id_prefix);
    }
  }
  // What the core trades with: the strategy's numbers (backtest, paper), or the exchange's wallet
  // capped by capital.allocation (live; the core is rebuilt for it: it sizes from its wallet).
  if (venue) {
    StartCapital capital =
        strategy_capital(live ? CapitalSource::paper_wallet : CapitalSource::strategy,
                         setup.start_base_e18, setup.start_quote_e18);
    if (options.live) {
      const int64_t price_e8 = inbox.last_close_e8();
      if (price_e8 <= 0 && setup.start_base_e18 > 0)
        throw RunError("the wallet holds " + format_e18(setup.start_base_e18) + " " +
                       setup.base_asset +
                       ", and with no warm-up bar there is no price to weigh it against "
                       "capital.allocation: run with --warmup-bars 1 or more");
      capital = capped_wallet(setup.start_base_e18, setup.start_quote_e18,
                              e8_to_e18(capital_e8(spec, "capital.allocation", 10'000 * MMH_E8)),
                              price_e8);
      // The core warms up holding the capped wallet's worth in quote, and takes the wallet
      // itself with the first live book (Execution::give_core_wallet).
      const amount_e18 worth = value_e18(price_e8, capital.base_e18) + capital.quote_e18;
      reloader->force("capital.allocation", format_e18(worth));
      reloader->force("capital.base", "0");
      setup.core_wallet_at_book = true;
      setup.core_base_e8 = e18_to_e8_floor(capital.base_e18);
      setup.core_quote_e8 = e18_to_e8_floor(capital.quote_e18);
      try {
        core = std::make_unique<CoreInstance>(*core_plugin, reloader->settings_for(spec));
      } catch (const PluginCallError& e) {
        throw RunError(core_param_error(spec, core_plugin->name, e.what()));
      }
      spdlog::info("capital: {}", describe(capital, setup.base_asset, setup.quote_asset));
    }
    if (identity && !options.live && reloader) {
      // A resumed paper run's core trades the wallet as it is now.
      reloader->force("capital.base", sdk::format_e8(e18_to_e8_floor(resumed_base_e18)));
      reloader->force("capital.allocation", sdk::format_e8(e18_to_e8_floor(resumed_quote_e18)));
      try {
        core = std::make_unique<CoreInstance>(*core_plugin, reloader->settings_for(spec));
      } catch (const PluginCallError& e) {
        throw RunError(core_param_error(spec, core_plugin->name, e.what()));
      }
    }
    report.capital = capital;
    if (identity) {
      // The ledger goes on from the run's own start; the journal's fills bring it to now.
      setup.start_base_e18 = identity->start_base_e18;
      setup.start_quote_e18 = identity->start_quote_e18;
      setup.recovered = &recovered;
      setup.venue_repeats_fills = options.live;
      setup.adopt_open_orders = options.resume_adopt_orders;
      setup.orders.last_id = recovered.last_order_number;
    } else if (live) {
      try {
        write_run_identity(report.run_dir,
                           RunIdentity{options.strategy_path, options.live ? "live" : "paper",
                                       setup.orders.id_prefix, run_started_ns, setup.start_base_e18,
                                       setup.start_quote_e18});
      } catch (const std::exception& e) {
        throw RunError(e.what());
      }
    }
  }
  SimulatedClock sim_clock;
  WallClock wall_clock;
  StrategyRuntime runtime(std::move(script), core.get());
  if (reloader) reloader->attach(core.get(), &runtime);
  // One routing table, from what the run has; the engine, the market feed and the execution
  // forward by it.
  const Routes routes = Routes::plan({.core = core != nullptr,
                                      .core_interest = core ? core->interest() : 0,
                                      .venue = venue != nullptr,
                                      .core_wallet_allotted = setup.core_wallet_at_book,
                                      .script = true,
                                      .bars_from_trades = report.bars_from_trades});
  setup.routes = routes;
  // The core hears the instrument first (its minimums size orders: min_order_qty/value).
  if (core && instrument && routes.to(MMH_EVENT_INSTRUMENT, kToCore)) {
    mmh_instrument first = *instrument;
    if (first.ts_ns == 0) first.ts_ns = report.source.first_ts_ns;
    core->on_events(
        mmh_batch{sizeof(mmh_batch), MMH_EVENT_INSTRUMENT, sizeof(mmh_instrument), 0, 1, &first});
  }
  if (venue) {
    if (live) setup.clock = &wall_clock;  // market data is stamped on arrival
    setup.venue_on_market_time = live && !options.live;
    try {
      exec = std::make_unique<Execution>(*venue, core.get(), &runtime, setup, options.sink);
    } catch (const std::runtime_error& e) {  // a kept trading state that cannot be read back
      throw RunError(setup.risk_state_file + ": " + e.what() +
                     "; move the file away to start active");
    }
    if (exec->risk().state() != TradingState::active)
      spdlog::warn("risk: trading {} as {} kept it; `mmhost resume {}` lifts it",
                   trading_state_name(exec->risk().state()), setup.risk_state_file, report.run_dir);
    report.execution.emplace();
    report.execution->venue_name = venue_plugin->name;
    report.execution->venue_version = venue_plugin->version;
    report.execution->venue_description = venue->describe();
    report.execution->live = options.live;
    report.execution->order_prefix = options.live ? setup.orders.id_prefix : "";
  }
  if (journal) {
    // The first record: what runs. A journal left torn by a crash is cut back here.
    try {
      journal->note(WallClock().now_ns(),
                    std::string(identity ? "run resumed: " : "run started: ") + spec.path + " " +
                        (options.live ? "live"
                         : live       ? "paper"
                                      : "paced"));
      journal->flush();
    } catch (const JournalError& e) {
      throw RunError(e.what());
    }
    if (journal->bytes_cut() > 0)
      spdlog::warn("journal: {} bytes of a torn tail cut (the last run did not end cleanly)",
                   journal->bytes_cut());
  }
  Session session({host, plan, options, report, routes, source_ptr, market, core.get(),
                   reloads ? reloader.get() : nullptr, runtime, exec.get(), venue.get(), inbox,
                   venue_wake, live ? static_cast<Clock&>(wall_clock) : sim_clock,
                   live ? nullptr : &sim_clock, decision_out});
  session.run();
  return report;
}
}  // namespace mmh
