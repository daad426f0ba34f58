#include "app/run_plan.hpp"

#include "app/host_context.hpp"
#include "app/metrics_server.hpp"
#include "app/routes.hpp"
#include "loader/plugin_loader.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/interval.hpp>

#include <cstdio>

namespace mmh {

const LoadedPlugin& find_plugin(HostContext& host, const std::string& name, uint32_t kind,
                                const char* kind_name, const std::string& path, const char* key) {
  const LoadedPlugin* plugin = host.plugins().find(name, kind);
  if (plugin != nullptr) return *plugin;
  std::string available;
  for (const auto& p : host.plugins().plugins())
    if (p.kinds & kind) available += (available.empty() ? "" : ", ") + p.name;
  throw RunError(
      path + ": " + key + " names plugin '" + name + "', which was not found among " + kind_name +
      " plugins (" +
      (available.empty() ? "none found; see `mmhost plugins`" : "available: " + available) + ")");
}

RunPlan plan_run(HostContext& host, const RunOptions& options, StrategySpec spec) {
  RunPlan plan;
  if (!options.symbol.empty()) spec.symbol = options.symbol;
  if (options.ltf_interval_ns > 0) spec.ltf_interval_ns = options.ltf_interval_ns;
  if (options.htf_interval_ns > 0) spec.htf_interval_ns = options.htf_interval_ns;
  if (spec.htf_interval_ns % spec.ltf_interval_ns != 0)
    throw RunError("the HTF interval (" + sdk::format_interval(spec.htf_interval_ns) +
                   ") must be a whole multiple of the LTF interval (" +
                   sdk::format_interval(spec.ltf_interval_ns) + ")");
  if (options.live) {
    if (options.paper)
      throw UsageError(
          "--live and --paper exclude each other: --paper simulates the fills, --live places "
          "real orders");
    if (!options.confirm_live)
      throw UsageError("--live places real orders with the account's money on " +
                       (options.venue.empty() ? std::string("mainnet") : options.venue) +
                       "; add --confirm-live to go ahead (try --paper first)");
  }
  // --paper and --live take their data (and --live its orders) from the configured live
  // connector (connectors.live), whatever the script's market.data says.
  if (options.paper || options.live) spec.data_plugin = host.config().live_connector;
  const LoadedPlugin& data =
      find_plugin(host, spec.data_plugin, MMH_KIND_DATA, "data", spec.path, "market.data");
  plan.data_plugin = &data;
  plan.data_connector = data.name;
  // A connector that cannot be read from streams live data: the run is on the wall clock.
  plan.live_data = options.paper || options.live || data.data.read_batch == nullptr;
  plan.wall_clock = plan.live_data || options.speed > 0;
  // Runs on the wall clock can be steered while they run (control.sock) and keep the gate's
  // state across a restart: they have a run directory. Runs on the simulated clock write files
  // only through `mmhost backtest --out`.
  if (!options.run_dir.empty() && !plan.wall_clock)
    throw UsageError(
        "--out is for runs on the wall clock (--speed, --paper, --live); a backtest's files go "
        "to `mmhost backtest --out DIR`");
  if (!options.metrics_address.empty()) {
    if (!plan.wall_clock)
      throw UsageError("--metrics is for runs on the wall clock (--speed, --paper, --live)");
    try {
      check_metrics_address(options.metrics_address);
    } catch (const MetricsError& e) {
      throw UsageError(e.what());
    }
  }
  if (options.resume && !(options.paper || options.live))
    throw UsageError(
        "--resume carries on a paper or live run: add --paper, or --live --confirm-live");
  if (options.resume && spec.venue_plugin.empty() && !options.live)
    throw UsageError("--resume: the strategy names no execution venue, so nothing can be resumed");
  plan.run_dir = options.run_dir;
  plan.resume = options.resume;
  plan.core = spec.core_plugin;
  if (!plan.core.empty()) {
    plan.core_plugin = &find_plugin(host, plan.core, MMH_KIND_CORE, "core", spec.path, "core");
    for (const auto& [name, value] : options.param_overrides) {
      try {
        if (set_host_field(spec, name, value)) continue;
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--set: ") + e.what());
      }
      spec.core_params[name] = value;
    }
    if (options.execute) {
      plan.venue = options.live ? host.config().live_connector : spec.venue_plugin;
      plan.venue_plugin =
          &find_plugin(host, plan.venue, MMH_KIND_VENUE, "venue", spec.path, "execution.venue");
    }
  }
  plan.real_orders = options.live;
  // Only runs on the wall clock reload: a run on the simulated clock (backtest, batch, an
  // unpaced replay) must give the same result whatever happens to its files meanwhile.
  plan.hot_reload = options.hot_reload && plan.wall_clock;
  plan.risk = tighter(options.risk_limits, spec.risk);
  plan.tick_files = options.market_files;
  plan.spec = std::move(spec);
  return plan;
}

void print_run_plan(const RunPlan& p, std::ostream& out) {
  const StrategySpec& s = p.spec;
  out << "strategy   " << s.path << (s.name.empty() ? "" : " (" + s.name + ")") << ": " << s.symbol
      << ", ltf " << sdk::format_interval(s.ltf_interval_ns) << ", htf "
      << sdk::format_interval(s.htf_interval_ns) << "\n";
  out << "data       " << p.data_connector
      << (p.live_data ? " (live stream)" : " (read to its end)") << "\n";
  for (const std::string& file : p.tick_files) out << "ticks      " << file << "\n";
  out << "core       " << (p.core.empty() ? "none (no decisions)" : p.core) << "\n";
  out << "venue      "
      << (p.venue.empty() ? "none (nothing executes)"
                          : p.venue + (p.real_orders ? " (REAL orders)" : " (simulated fills)"))
      << "\n";
  out << "clock      " << (p.wall_clock ? "wall" : "simulated")
      << (p.hot_reload ? "; the strategy reloads when its files change" : "") << "\n";
  const RiskLimits& r = p.risk;
  auto pct = [](double v) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g%%", v);
    return v > 0 ? std::string(text) : std::string("off");
  };
  out << "risk       daily loss " << pct(r.daily_loss_pct)
      << (r.daily_loss_from_peak ? " (from the day's peak)" : "") << ", max drawdown "
      << pct(r.max_drawdown_pct) << ", order notional "
      << (r.max_order_notional_e8 > 0 ? sdk::format_e8(r.max_order_notional_e8) : "off")
      << ", price band "
      << (r.price_band_bps > 0 ? std::to_string(r.price_band_bps) + " bps" : "off")
      << ", open orders " << r.max_open_orders << ", " << r.places_per_s << " places/s, "
      << r.amends_per_s << " amends/s, stale data "
      << (r.stale_ms > 0 ? std::to_string(r.stale_ms) + " ms" : "off") << "\n";
  // The routing table as far as the plan knows it: the core's own interest (event_interest) is
  // known when it starts, and adds its kinds to the core's routes.
  out << "routes     (the core also takes the kinds it declares when it starts)\n";
  Routes::plan({.core = !p.core.empty(),
                .core_interest = 0,
                .venue = !p.venue.empty(),
                .core_wallet_allotted = p.real_orders,
                .script = true,
                .bars_from_trades = false})
      .print(out, "  ");
  if (p.wall_clock)
    out << "run dir    " << (p.run_dir.empty() ? "a new one under runs/" : p.run_dir)
        << (p.resume ? " (resumed: its order ids, ledger and fills from its journal)"
                     : " (control.sock, risk_state.json, journal/)")
        << "\n";
}

}  // namespace mmh
