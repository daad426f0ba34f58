// The run's report as text: what `mmhost run` and `mmhost backtest` print at the end.
#include "app/format.hpp"
#include "app/run_command.hpp"
#include "engine/event_time.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/interval.hpp>

#include <algorithm>
#include <ostream>

namespace mmh {

void print_run_report(const RunReport& r, std::ostream& out) {
  const StrategySpec& s = r.spec;
  out << "strategy   " << s.path << (s.name.empty() ? "" : " (" + s.name + ")") << ": " << s.symbol
      << ", ltf " << sdk::format_interval(s.ltf_interval_ns) << ", htf "
      << sdk::format_interval(s.htf_interval_ns) << "\n";
  out << "source     " << s.data_plugin << " " << r.data_plugin_version;
  if (!r.source_file.empty()) out << ": " << r.source_file;
  if (!r.live_venue.empty()) out << ": live, " << r.live_venue;
  out << (r.source.from_cache ? " (binary cache)" : "") << "\n";
  if (r.instrument) {
    const std::string min_value = step_text(r.instrument->min_order_value);
    out << "instrument " << r.instrument->symbol << ": tick " << step_text(r.instrument->tick_size)
        << ", lot " << step_text(r.instrument->lot_size) << ", min order value "
        << (min_value.empty() ? std::string("none") : min_value)
        << (min_value.empty() ? "" : " " + s.quote_asset) << "\n";
  }
  if (!r.live_venue.empty()) {
    out << "live       " << with_commas(r.ltf_bars) << " bars fed to the core ("
        << with_commas(r.bars_dropped) << " repeated, dropped), "
        << with_commas(r.stats.events_by_kind[MMH_EVENT_BOOK_SNAPSHOT]) << " book snapshots, "
        << with_commas(r.stats.events_by_kind[MMH_EVENT_BOOK_DELTA]) << " book deltas, "
        << with_commas(r.stats.events_by_kind[MMH_EVENT_TRADE]) << " trades";
    if (r.execution) out << "; quotes pulled " << r.execution->quote_pulls << " times";
    out << "\n";
  } else if (r.source.interval_ns > 0) {
    out << "data       " << with_commas(r.source.record_count) << " "
        << sdk::format_interval(r.source.interval_ns) << " candles, "
        << with_commas(r.source.gap_count) << " gaps";
    if (r.source.gap_count > 0)
      out << " (" << with_commas(r.source.missing_bars) << " bars missing, largest "
          << sdk::format_interval(r.source.largest_gap_ns) << ")";
    out << "\n";
  } else if (r.source.record_count > 0) {
    out << "data       " << with_commas(r.source.record_count) << " "
        << event_kind_name(r.source.primary_kind) << " records";
    if (r.bars_from_trades)
      out << " -> " << with_commas(r.ltf_bars) << " " << sdk::format_interval(s.ltf_interval_ns)
          << " bars built from the tape";
    out << "\n";
  }
  for (const auto& [file, info] : r.market_sources)
    out << "ticks      " << file << ": " << with_commas(info.record_count) << " "
        << (info.primary_kind == MMH_EVENT_BOOK_DELTA ? "book" : event_kind_name(info.primary_kind))
        << " records (for the venue)\n";
  out << "events    ";
  for (uint32_t k = 1; k < MMH_EVENT_KIND_COUNT; ++k)
    if (r.stats.events_by_kind[k] > 0)
      out << " " << event_kind_name(k) << " " << with_commas(r.stats.events_by_kind[k]);
  out << " (total " << with_commas(r.stats.total_events()) << ")\n";
  out << "htf bars   " << with_commas(r.htf_bars) << " " << sdk::format_interval(s.htf_interval_ns)
      << " bars";
  if (r.htf_partial_bars > 0) out << " (" << with_commas(r.htf_partial_bars) << " partial)";
  out << "\n";
  if (r.stats.total_events() > 0)
    out << "time       " << iso_time(r.stats.first_event_ns) << " -> "
        << iso_time(r.stats.last_event_ns) << " (event time; candles at close)\n";
  const DecisionSummary& d = r.decisions;
  if (!d.core_name.empty()) {
    char hash[24];
    std::snprintf(hash, sizeof(hash), "%016llx", static_cast<unsigned long long>(d.hash()));
    out << "core       " << d.core_name << " " << d.core_version << ": " << with_commas(d.total)
        << " decisions, hash " << hash << "\n";
    for (const auto& [kind, count] : d.by_kind) {
      std::string line = "  " + kind;
      line.resize(std::max<size_t>(line.size() + 1, 22), ' ');
      out << line << with_commas(count);
      auto sub = d.by_subkind.find(kind);
      if (sub != d.by_subkind.end()) {
        out << "  (";
        bool first = true;
        for (const auto& [name, n] : sub->second) {
          out << (first ? "" : ", ") << name << " " << with_commas(n);
          first = false;
        }
        out << ")";
      }
      out << "\n";
    }
    if (r.script_errors > 0)
      out << "script     " << with_commas(r.script_errors)
          << " callback errors (script_error decisions; see the log)\n";
    if (d.reloads_ok + d.reloads_failed > 0)
      out << "reloads    " << d.reloads_ok << " ok, " << d.reloads_failed << " failed\n";
    if (d.has_desired) {
      uint64_t bids = 0, asks = 0;
      for (const auto& o : d.desired) (o.side == MMH_SIDE_BUY ? bids : asks)++;
      out << "desired    "
          << (d.desired.empty() ? std::string("no orders")
                                : d.desired_mode + ": " + std::to_string(bids) + " bids, " +
                                      std::to_string(asks) + " asks")
          << " (at the end of the data)\n";
    }
  }
  if (r.execution && r.execution->ledger) {
    const ExecutionReport& x = *r.execution;
    const Ledger& l = *x.ledger;
    const std::string quote = " " + s.quote_asset;
    out << "venue      " << x.venue_name << " " << x.venue_version << ": "
        << with_commas(l.maker_fills()) << " maker + " << with_commas(l.taker_fills())
        << " taker fills, " << with_commas(x.orders.placed) << " orders placed, "
        << with_commas(x.orders.rejected) << " rejects\n";
    out << "pnl        net " << format_e18(l.net_pnl_e18()) << quote << " ("
        << fixed(static_cast<double>(l.net_pnl_e8()) /
                     static_cast<double>(std::max<int64_t>(1, l.start_equity_e8())) * 100.0,
                 3)
        << "%) = gross " << format_e18(l.gross_pnl_e18()) << " - fees "
        << format_e18(l.fees_quote_value_e18()) << "; max drawdown "
        << fixed(l.max_drawdown_pct(), 3) << "%\n";
    if (r.capital)
      out << "capital    " << describe(*r.capital, l.base_asset(), s.quote_asset) << "\n";
    // Shown once the gate had something to do, or the strategy set a loss or order limit.
    const RiskStats& risk = x.risk.stats();
    const RiskLimits& limits = x.risk.limits();
    if (!risk.trips.empty() || !risk.vetoes.empty() || risk.stale_pulls > 0 ||
        risk.state_changes > 0 || x.risk.state() != TradingState::active ||
        limits.daily_loss_pct > 0 || limits.max_drawdown_pct > 0 ||
        limits.max_order_notional_e8 > 0 || limits.price_band_bps > 0) {
      out << "risk       " << trading_state_name(x.risk.state()) << " at the end; trips:";
      if (risk.trips.empty()) out << " none";
      for (const auto& [why, n] : risk.trips) out << " " << why << " " << with_commas(n);
      out << "; " << with_commas(risk.state_changes) << " state changes, "
          << with_commas(risk.bars_halted) << " bars halted";
      if (risk.bars_reducing > 0) out << ", " << with_commas(risk.bars_reducing) << " reducing";
      if (risk.stale_pulls > 0)
        out << "; quotes pulled " << with_commas(risk.stale_pulls) << "x for stale data";
      out << "; orders vetoed:";
      if (risk.vetoes.empty()) out << " none";
      for (const auto& [why, n] : risk.vetoes) out << " " << why << " " << with_commas(n);
      out << "\n";
    }
    out << "holdings   " << format_e18(l.base_e18()) << " "
        << "base, " << format_e18(l.quote_e18()) << quote << ", equity "
        << format_e18(l.equity_e18()) << quote << " at " << sdk::format_e8(l.mid_e8()) << "\n";
    if (x.live) {
      // The exchange's last word against the ledger's own sums of fills and fees.
      out << "orders     prefix " << x.order_prefix << ": " << x.open_orders_at_end
          << " open at the end"
          << (x.cancelled_all
                  ? " (stopped by a signal: every open " + s.symbol + " order cancelled)"
                  : " (this run's open orders cancelled at the stop)")
          << "\n";
      if (!x.stop_error.empty()) out << "WARNING    " << x.stop_error << "\n";
      bool equal = true;
      out << "wallet    ";
      for (const auto& [asset, mine] :
           {std::pair<std::string, amount_e18>{l.base_asset(), l.base_e18()},
            std::pair<std::string, amount_e18>{s.quote_asset, l.quote_e18()}}) {
        const auto [free, locked] = l.venue_balance(asset);
        out << " " << asset << " exchange " << format_e18(free + locked) << " (locked "
            << format_e18(locked) << "), ledger " << format_e18(mine) << ";";
        equal = equal && free + locked == mine;
      }
      out << (equal ? " equal" : " DIFFERENT") << "\n";
    }
    char hash[24];
    std::snprintf(hash, sizeof(hash), "%016llx", static_cast<unsigned long long>(x.event_hash));
    out << "event hash " << hash << " (" << with_commas(x.events) << " events)\n";
  }
  for (const auto& [name, m] : r.metrics) {
    std::string line = "metric     " + name;
    line.resize(std::max<size_t>(line.size() + 1, 32), ' ');
    out << line << "last " << fixed(m.last, 4) << ", min " << fixed(m.min, 4) << ", max "
        << fixed(m.max, 4) << ", mean " << fixed(m.sum / static_cast<double>(m.count), 4) << " ("
        << with_commas(m.count) << " samples)\n";
  }
  const double rate =
      r.elapsed_s > 0 ? static_cast<double>(r.stats.total_events()) / r.elapsed_s : 0.0;
  out << "elapsed    " << fixed(r.elapsed_s * 1000.0, 3) << " ms, " << human_rate(rate)
      << " events/s\n";
}

}  // namespace mmh
