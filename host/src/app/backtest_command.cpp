#include "app/backtest_command.hpp"

#include "app/format.hpp"
#include "app/host_context.hpp"
#include "app/progress_file.hpp"
#include "app/run_command.hpp"
#include "app/run_file_writer.hpp"
#include "hash/sha256.hpp"
#include "lua/lua_state.hpp"
#include "report/report_html.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

namespace mmh {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// Writes the per-event files of a run as they happen (a `--summary-only` run has none: a sweep's
// children, like a batch's runs, keep their figures only).
class FileSink final : public ExecutionSink {
 public:
  explicit FileSink(const fs::path& dir) try : files_(dir / "events.jsonl", dir / "equity.csv") {
    open(fills_, buffer_, dir / "fills.csv");
    fills_ << "time,ts_ns,id,side,price,qty,value,fee,fee_asset,fee_value,maker,base,quote,"
              "realized_pnl\n";
  } catch (const std::runtime_error& e) {
    throw RunError(e.what());  // a file that cannot be created: the run's error, not a crash
  }

  // equity.csv's last columns are the core's per-bar values; the chart's shading and markers
  // are the core's too.
  void publication(const CorePublication& pub) override {
    bar_values_ = pub.bar_values;
    report.set_publication(pub);
  }

  void event_records(std::vector<char>& records, size_t used) override {
    files_.take_events(records, used);
  }

  void fill(const mmh_fill& f, int64_t price, int64_t qty, const Ledger& l) override {
    bool rounded = false;
    const amount_e18 fee = decimal_to_e18_rounded(f.fee, rounded).value_or(0);  // exact
    const bool fee_in_base = l.quote_asset() != f.fee_asset;
    // One line written into a buffer without stream insertions or strings (a fill's line cost
    // ~7,000 instructions that way).
    char line[kIsoTimeMaxChars + 24 + sizeof(f.client_id) + 4 + 3 * sdk::kE8MaxChars +
              5 * kE18MaxChars + sizeof(f.fee_asset) + 24];
    char* p = write_iso_time(line, f.ts_ns);
    *p++ = ',';
    p = std::to_chars(p, p + 24, f.ts_ns).ptr;
    *p++ = ',';
    p = std::copy_n(f.client_id, strnlen(f.client_id, sizeof(f.client_id)), p);
    p = std::copy_n(f.side == MMH_SIDE_BUY ? ",buy," : ",sell,", f.side == MMH_SIDE_BUY ? 5 : 6, p);
    for (const int64_t v : {price, qty, sdk::value_e8(price, qty)}) {
      p = sdk::write_e8(p, v);
      *p++ = ',';
    }
    p = write_e18(p, fee);
    *p++ = ',';
    p = std::copy_n(f.fee_asset, strnlen(f.fee_asset, sizeof(f.fee_asset)), p);
    *p++ = ',';
    p = write_e18(p,
                  fee_in_base ? value_e18(price, fee < 0 ? -fee : fee) * (fee < 0 ? -1 : 1) : fee);
    p = std::copy_n(f.is_maker ? ",maker," : ",taker,", 7, p);
    for (const amount_e18 v : {l.base_e18(), l.quote_e18(), l.realized_e18()}) {
      p = write_e18(p, v);
      *p++ = ',';
    }
    p[-1] = '\n';
    fills_.write(line, p - line);
    report.fill(f.ts_ns, f.side == MMH_SIDE_BUY, f.is_maker != 0);
  }

  void expect_bars(uint64_t ltf_bars) override { report.expect_bars(ltf_bars); }
  void bar(const mmh_candle& bar) override { report.bar(bar); }
  void decision(const mmh_decision& d) override { report.decision(d.ts_ns, d.kind, d.detail); }

  // equity.csv: the numbers here, the line on the writing thread.
  void mark(int64_t ts_ns, const Ledger& l, int64_t equity_e8, double base_share,
            const std::vector<std::string>& values) override {
    if (!equity_header_) write_equity_header();
    files_.add_equity_row(EquityRow{ts_ns, l.mid_e8(), l.base_e18(), l.quote_e18(), l.equity_e18(),
                                    l.drawdown_pct(equity_e8), base_share},
                          values);
    static const std::string kNoBand;
    report.mark(sdk::e8_to_double(equity_e8), base_share,
                values.empty() ? kNoBand : values.front());
  }

  void close() {
    if (!equity_header_) write_equity_header();
    try {
      files_.close();
    } catch (const std::runtime_error& e) {
      throw RunError(e.what());
    }
    fills_.flush();
    if (!fills_) throw RunError("writing the run files failed (disk full?)");
  }

  ReportCollector report;

 private:
  // With a 1 MiB buffer: the stream's default wrote a run's ~50 MB in 8 KiB system calls.
  static void open(std::ofstream& f, std::vector<char>& buffer, const fs::path& p) {
    buffer.resize(size_t{1} << 20);
    f.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    f.open(p, std::ios::binary | std::ios::trunc);
    if (!f) throw RunError(p.string() + ": cannot write");
  }
  void write_equity_header() {
    equity_header_ = true;
    std::string header = "time,ts_ns,mid,base,quote,equity,drawdown_pct,base_share";
    for (const std::string& name : bar_values_) header += ',' + name;
    files_.add_equity_text(header + '\n');
  }

  RunFileWriter files_;       // events.jsonl and equity.csv, on their own thread
  std::vector<char> buffer_;  // fills.csv's; declared before the stream: it outlives it
  std::ofstream fills_;
  std::vector<std::string> bar_values_;
  bool equity_header_ = false;
};

// The run's files are written into a staging directory beside the run directory and moved
// into it only when the run has succeeded: a refused or failed backtest leaves nothing behind,
// and a rerun into the same --out replaces each file whole.
class StagedRunDir {
 public:
  explicit StagedRunDir(fs::path dir) : final_(std::move(dir)) {
    final_ = final_.lexically_normal();
    if (!final_.has_filename()) final_ = final_.parent_path();  // "runs/eth/"
    staging_ = final_.parent_path() /
               ("." + final_.filename().string() + ".partial-" + std::to_string(::getpid()));
    std::error_code ec;
    if (fs::exists(final_, ec) && !fs::is_directory(final_, ec))
      throw UsageError("--out " + final_.string() + ": exists and is not a directory");
    fs::remove_all(staging_, ec);
    fs::create_directories(staging_);
  }
  ~StagedRunDir() {
    std::error_code ec;
    if (!committed_) fs::remove_all(staging_, ec);
  }
  StagedRunDir(const StagedRunDir&) = delete;
  StagedRunDir& operator=(const StagedRunDir&) = delete;

  const fs::path& path() const { return staging_; }
  const fs::path& final_path() const { return final_; }

  void commit() {
    fs::create_directories(final_);
    for (const fs::directory_entry& entry : fs::directory_iterator(staging_)) {
      const fs::path target = final_ / entry.path().filename();
      try {
        sdk::check_replaceable(target.string());
      } catch (const sdk::FileError& e) {
        throw RunError(e.what());
      }
      fs::rename(entry.path(), target);
    }
    fs::remove(staging_);
    committed_ = true;
  }

 private:
  fs::path final_;
  fs::path staging_;
  bool committed_ = false;
};

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string script_hash(const StrategySpec& spec) {
  Sha256 h;
  for (size_t i = 0; i < spec.source_files.size(); ++i) {
    const std::string name = fs::path(spec.source_files[i]).filename().string();
    h.add(name.data(), name.size() + 1);
    h.add(i < spec.source_sha256.size() ? spec.source_sha256[i] : std::string("(not loaded)"));
  }
  return h.hex();
}

namespace {

// Annualised (365 days: crypto trades every day) Sharpe and Sortino of daily returns; null with
// fewer than two days or no dispersion.
std::pair<json, json> sharpe_sortino(const std::vector<std::pair<int64_t, int64_t>>& daily,
                                     int64_t start_equity_e8) {
  std::vector<double> r;
  double prev = static_cast<double>(start_equity_e8);
  for (const auto& [day, equity] : daily) {
    if (prev > 0) r.push_back(static_cast<double>(equity) / prev - 1.0);
    prev = static_cast<double>(equity);
  }
  if (r.size() < 2) return {nullptr, nullptr};
  double mean = 0;
  for (double x : r) mean += x;
  mean /= static_cast<double>(r.size());
  double var = 0, down = 0;
  for (double x : r) {
    var += (x - mean) * (x - mean);
    down += x < 0 ? x * x : 0.0;
  }
  const double sd = std::sqrt(var / static_cast<double>(r.size() - 1));
  const double dd = std::sqrt(down / static_cast<double>(r.size()));
  const double annual = std::sqrt(365.0);
  return {sd > 0 ? json(mean / sd * annual) : json(nullptr),
          dd > 0 ? json(mean / dd * annual) : json(nullptr)};
}

double round6(double v) {
  return std::round(v * 1e6) / 1e6;
}

}  // namespace

void add_core_metrics(json& j, const std::vector<CorePublication::Metric>& metrics) {
  // (json is nlohmann::ordered_json)
  std::set<std::string> host_keys;
  for (auto it = j.begin(); it != j.end(); ++it) host_keys.insert(it.key());
  for (const CorePublication::Metric& m : metrics) {
    json* at = host_keys.count(m.name.substr(0, m.name.find('.'))) != 0 ? &j["core"] : &j;
    size_t from = 0;
    for (size_t dot = m.name.find('.'); dot != std::string::npos; dot = m.name.find('.', from)) {
      json& next = (*at)[m.name.substr(from, dot - from)];
      if (!next.is_null() && !next.is_object()) next = json::object();  // a value, then a group
      at = &next;
      from = dot + 1;
    }
    json& leaf = (*at)[m.name.substr(from)];
    if (leaf.is_object()) continue;  // a group already has that name
    if (m.counter && m.value >= 0 && m.value <= 9e15 && m.value == std::floor(m.value))
      leaf = static_cast<uint64_t>(m.value);
    else
      leaf = round6(m.value);
  }
}

namespace {

json summary_json(const RunReport& r, const BacktestOptions& o) {
  const ExecutionReport& x = *r.execution;
  const Ledger& l = *x.ledger;
  const DecisionSummary& d = r.decisions;
  const double start = static_cast<double>(l.start_equity_e8());
  json j;
  j["strategy"] = r.spec.name.empty() ? r.spec.path : r.spec.name;
  j["symbol"] = r.spec.symbol;
  j["ltf_interval"] = sdk::format_interval(r.spec.ltf_interval_ns);
  j["htf_interval"] = sdk::format_interval(r.spec.htf_interval_ns);
  j["data_file"] = r.source_file;
  j["period"] = {{"first_bar_close", iso_time(r.stats.first_event_ns)},
                 {"last_bar_close", iso_time(r.stats.last_event_ns)},
                 {"ltf_bars", r.ltf_bars},
                 {"htf_bars", r.htf_bars}};
  j["start_equity"] = format_e18(l.start_equity_e18());
  if (r.capital)
    j["capital"] = {{"source", capital_source_name(r.capital->source)},
                    {"base", format_e18(r.capital->base_e18)},
                    {"quote", format_e18(r.capital->quote_e18)}};
  j["end_equity"] = format_e18(l.equity_e18());
  j["net_pnl"] = format_e18(l.net_pnl_e18());
  j["gross_pnl"] = format_e18(l.gross_pnl_e18());
  j["realized_pnl"] = format_e18(l.realized_e18());
  j["unrealized_pnl"] = format_e18(l.unrealized_e18());
  j["fees_total"] = format_e18(l.fees_quote_value_e18());
  j["return_pct"] = round6(static_cast<double>(l.net_pnl_e8()) / start * 100.0);
  j["max_drawdown_pct"] = round6(l.max_drawdown_pct());
  const auto [sharpe, sortino] = sharpe_sortino(x.stats.daily_equity_e8, l.start_equity_e8());
  j["sharpe_daily"] = sharpe.is_null() ? sharpe : json(round6(sharpe.get<double>()));
  j["sortino_daily"] = sortino.is_null() ? sortino : json(round6(sortino.get<double>()));
  j["days"] = x.stats.daily_equity_e8.size();
  j["fills"] = {{"maker", l.maker_fills()},
                {"taker", l.taker_fills()},
                {"total", l.maker_fills() + l.taker_fills()}};
  j["turnover"] = format_e18(l.turnover_e18());
  json fees = json::object();
  for (const auto& [asset, f] : l.fees())
    fees[asset] = {{"amount", format_e18(f.amount)}, {"quote_value", format_e18(f.quote_value)}};
  j["fees_by_currency"] = fees;
  j["avg_spread_captured_bps"] = round6(l.avg_spread_captured_bps());
  const double bars = static_cast<double>(std::max<uint64_t>(1, x.stats.bars));
  j["inventory"] = {
      {"final_base", format_e18(l.base_e18())},
      {"final_quote", format_e18(l.quote_e18())},
      {"mean_base_share", round6(x.stats.base_share_sum / bars)},
      {"max_base_share", round6(x.stats.base_share_max)},
      {"time_holding_base_share", round6(static_cast<double>(x.stats.bars_holding_base) / bars)}};
  j["orders"] = {{"placed", x.orders.placed},
                 {"amended", x.orders.amended},
                 {"cancel_requests", x.orders.cancelled},
                 {"rejected", x.orders.rejected},
                 {"open_at_end", x.open_orders_at_end}};
  // The RiskGate: limits (0 = off), trips, orders it held back, time in each state.
  const RiskLimits& limits = x.risk.limits();
  const RiskStats& risk = x.risk.stats();
  j["risk"] = {{"limits",
                {{"daily_loss_pct", limits.daily_loss_pct},
                 {"daily_loss_from_peak", limits.daily_loss_from_peak},
                 {"max_drawdown_pct", limits.max_drawdown_pct},
                 {"max_order_notional", sdk::e8_to_double(limits.max_order_notional_e8)},
                 {"price_band_bps", limits.price_band_bps},
                 {"max_open_orders", limits.max_open_orders},
                 {"places_per_s", limits.places_per_s},
                 {"amends_per_s", limits.amends_per_s},
                 {"stale_ms", limits.stale_ms}}},
               {"state_at_end", trading_state_name(x.risk.state())},
               {"trips", risk.trips},
               {"vetoes", risk.vetoes},
               {"state_changes", risk.state_changes},
               {"bars_halted", risk.bars_halted},
               {"bars_reducing", risk.bars_reducing},
               {"bars_stale", risk.bars_stale},
               {"stale_pulls", risk.stale_pulls},
               {"time_halted_share", round6(static_cast<double>(risk.bars_halted) / bars)},
               {"time_reducing_share", round6(static_cast<double>(risk.bars_reducing) / bars)}};

  j["event_hash"] = hex64(x.event_hash);
  j["events"] = x.events;
  j["decision_hash"] = hex64(d.hash());
  j["plugins"] = json::array({
      {{"role", "data"}, {"name", r.spec.data_plugin}, {"version", r.data_plugin_version}},
      {{"role", "core"}, {"name", d.core_name}, {"version", d.core_version}},
      {{"role", "venue"}, {"name", x.venue_name}, {"version", x.venue_version}},
  });
  j["script"] = {{"path", r.spec.path}, {"sha256", script_hash(r.spec)}};
  json models = json::object();
  std::istringstream lines(x.venue_description);
  for (std::string line; std::getline(lines, line);) {
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) models[line.substr(0, colon)] = line.substr(colon + 2);
  }
  j["models"] = models;
  j["options"] = {{"fill_model", o.fill_model},
                  {"fees", o.fees.empty() ? "default" : o.fees},
                  {"latency_ms", o.latency_ms.empty() ? "0" : o.latency_ms},
                  {"md_latency_ms", o.md_latency_ms.empty() ? "0" : o.md_latency_ms},
                  {"seed", o.seed}};
  if (o.fill_model == "book")
    j["options"]["queue_model"] = o.queue_model.empty() ? "power:2" : o.queue_model;
  json ticks = json::array();
  for (const auto& [file, info] : r.market_sources)
    ticks.push_back({{"file", file},
                     {"kind", info.primary_kind == MMH_EVENT_BOOK_DELTA ? "book" : "trades"},
                     {"records", info.record_count}});
  j["tick_files"] = ticks;
  j["bars_from_trades"] = r.bars_from_trades;
  add_core_metrics(j, r.core_metrics);
  return j;
}

}  // namespace

int64_t parse_utc_date_ns(const std::string& text) {
  // Exactly YYYY-MM-DD or YYYY-MM-DDTHH:MM, every field a real one: 2025-02-31 is refused, not
  // carried into March by timegm.
  const auto digits = [&](size_t at, size_t n, int& out) {
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  const bool shape =
      (text.size() == 10 || (text.size() == 16 && text[10] == 'T' && text[13] == ':' &&
                             digits(11, 2, h) && digits(14, 2, mi))) &&
      text[4] == '-' && text[7] == '-' && digits(0, 4, y) && digits(5, 2, mo) && digits(8, 2, d);
  const std::chrono::year_month_day day{std::chrono::year(y),
                                        std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!shape || !day.ok() || h > 23 || mi > 59)
    throw std::invalid_argument("'" + text +
                                "' is not a UTC date (YYYY-MM-DD or YYYY-MM-DDTHH:MM, a real day)");
  const auto days = std::chrono::sys_days(day).time_since_epoch().count();
  return ((static_cast<int64_t>(days) * 24 + h) * 60 + mi) * 60 * 1'000'000'000;
}

int64_t parse_utc_date_flag(const char* flag, const std::string& text) {
  try {
    return parse_utc_date_ns(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string(flag) + " " + e.what());
  }
}

RunOptions backtest_run_options(const BacktestOptions& o) {
  if (!o.interval.empty() && (!o.htf_interval.empty() || !o.ltf_interval.empty()))
    throw UsageError("give either --interval (one timeframe) or --htf-interval/--ltf-interval");
  if (o.fill_model != "candle" && o.fill_model != "trades" && o.fill_model != "book")
    throw UsageError("--fill-model " + o.fill_model + ": expected candle, trades or book");
  for (const auto& [flag, file] : {std::pair{"--trades", &o.trades}, {"--book", &o.book}})
    if (!file->empty() && !fs::exists(*file))
      throw UsageError(std::string(flag) + " " + *file + ": no such file");
  if (!o.book.empty() && o.fill_model != "book")
    throw UsageError("--book is for --fill-model book (the " + o.fill_model +
                     " model does not read a book)");
  if (!o.queue_model.empty() && o.fill_model != "book")
    throw UsageError("--queue-model is for --fill-model book");

  RunOptions run;
  run.strategy_path = o.strategy_path;
  run.symbol = o.symbol;
  auto interval = [](const char* flag, const std::string& text) {
    const int64_t ns = sdk::parse_interval_ns(text);
    if (ns == 0)
      throw UsageError(std::string(flag) + " " + text +
                       ": not an interval (5 = 5 minutes; 30s, 15m, 1h also work)");
    return ns;
  };
  if (!o.interval.empty())
    run.ltf_interval_ns = run.htf_interval_ns = interval("--interval", o.interval);
  if (!o.ltf_interval.empty()) run.ltf_interval_ns = interval("--ltf-interval", o.ltf_interval);
  if (!o.htf_interval.empty()) run.htf_interval_ns = interval("--htf-interval", o.htf_interval);
  if (!o.trades.empty()) run.market_files.push_back(o.trades);
  if (!o.book.empty()) run.market_files.push_back(o.book);
  if (!o.queue_model.empty()) run.venue_settings["queue_model"] = o.queue_model;
  if (!o.start.empty()) run.start_ns = parse_utc_date_flag("--start", o.start);
  if (!o.end.empty()) run.end_ns = parse_utc_date_flag("--end", o.end);
  if (run.start_ns >= run.end_ns) throw UsageError("--start must be before --end");
  run.venue_settings["fill_model"] = o.fill_model;
  run.venue_settings["seed"] = std::to_string(o.seed);
  if (!o.fees.empty()) {
    const size_t comma = o.fees.find(',');
    run.venue_settings["fees.maker"] = o.fees.substr(0, comma);
    run.venue_settings["fees.taker"] =
        comma == std::string::npos ? o.fees : o.fees.substr(comma + 1);
  }
  if (!o.latency_ms.empty()) run.venue_settings["latency.entry"] = o.latency_ms;
  if (!o.md_latency_ms.empty()) run.venue_settings["latency.market_data"] = o.md_latency_ms;
  if (!o.slippage.empty()) run.venue_settings["slippage"] = o.slippage;
  run.risk_limits = risk_limits_from_flags(o.risk);
  for (const std::string& pair : o.set) {
    const size_t eq = pair.find('=');
    if (eq == 0 || eq == std::string::npos || eq + 1 == pair.size())
      throw RunError("--set " + pair + ": expected NAME=VALUE, e.g. --set grid.levels=6");
    run.param_overrides[pair.substr(0, eq)] = pair.substr(eq + 1);
  }

  return run;
}

std::string backtest_summary_json(const RunReport& report, const BacktestOptions& options,
                                  int indent) {
  return summary_json(report, options).dump(indent);
}

int run_backtest(HostContext& host, const BacktestOptions& o, std::ostream& out,
                 const InMemoryCandles* candles) {
  // Every option first: the fetch command suggested below must not repeat a bad date.
  RunOptions run = backtest_run_options(o);
  if (o.cache.empty() || !fs::exists(o.cache)) {
    std::ostringstream why;
    why << (o.cache.empty() ? std::string("no candle file given") : o.cache + ": no such file")
        << ".\nGet the candles with\n  mmhost fetch --symbol "
        << (o.symbol.empty() ? "ETHUSDT" : o.symbol) << " --interval "
        << (!o.ltf_interval.empty() ? o.ltf_interval
            : !o.interval.empty()   ? o.interval
                                    : std::string("1"))
        << (o.start.empty() ? "" : " --start " + o.start)
        << (o.end.empty() ? "" : " --end " + o.end) << " --cache "
        << (o.cache.empty() ? "data/ETHUSDT_1m.csv" : o.cache)
        << "\n(the bybit_spot connector), or pass --cache FILE with candles as "
           "ts_ms,open,high,low,close,volume, or a trade tape as ts_ms,price,qty,side "
           "(docs/data-formats.md).";
    throw UsageError(why.str());
  }
  if (candles != nullptr && candles->bars != nullptr &&
      (run.ltf_interval_ns == 0 || run.ltf_interval_ns == candles->interval_ns)) {
    run.candles = candles->bars;
    run.candles_file = candles->file;
    run.instrument = candles->instrument;
    run.ltf_interval_ns = candles->interval_ns;
  } else {
    run.replay_file = o.cache;
  }

  StagedRunDir staged(o.out_dir.empty() ? default_run_dir(o.strategy_path, "")
                                        : fs::path(o.out_dir));
  const fs::path& dir = staged.path();
  // --summary-only: no sink at all, so no line is even rendered.
  std::optional<FileSink> sink;
  if (!o.summary_only) sink.emplace(dir);
  run.sink = sink ? &*sink : nullptr;

  const bool tty = o.progress && isatty(fileno(stderr)) != 0;
  const auto wall_start = std::chrono::steady_clock::now();
  ProgressFile progress_file;
  if (tty || progress_file.active())
    run.progress = [&, tty](uint64_t done, uint64_t total, int64_t ts_ns) {
      const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
      progress_file.update(frac);
      if (!tty) return;
      std::fprintf(stderr, "\rbacktest %s  %s  %s bars ", progress_bar(frac).c_str(),
                   iso_time(ts_ns).substr(0, 10).c_str(), with_commas(done).c_str());
      if (done == total) std::fputc('\n', stderr);
      std::fflush(stderr);
    };

  const RunReport report = run_strategy(host, run, std::cout);
  if (!report.execution || !report.execution->ledger)
    throw RunError(o.strategy_path + ": the strategy names no core, so there is nothing to trade");
  // summary.json and report.html are written while the file thread finishes events.jsonl and
  // equity.csv; closing it then reports any write error (nothing is committed before that).
  const json summary = summary_json(report, o);
  {
    std::ofstream f(dir / "summary.json", std::ios::binary | std::ios::trunc);
    f << summary.dump(2) << '\n';
    if (!f) throw RunError((dir / "summary.json").string() + ": cannot write");
  }
  try {
    if (sink) sink->report.write(dir / "report.html", summary);
  } catch (const std::runtime_error& e) {
    throw RunError(e.what());
  }
  if (sink) sink->close();
  staged.commit();
  print_run_report(report, out);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  out << "run        " << staged.final_path().string()
      << (sink ? "/ (report.html, summary.json, events.jsonl, fills.csv, equity.csv) in "
               : "/ (summary.json) in ")
      << fixed(wall_s, 2) << " s\n";
  return 0;
}

}  // namespace mmh
