// `mmhost run`: loads the strategy, opens its data connector, streams every event through the
// engine on the simulated clock and reports what went through.
#pragma once

#include "app/execution.hpp"
#include "app/start_capital.hpp"
#include "app/strategy_runtime.hpp"
#include "engine/engine.hpp"
#include "hash/bulk_hash.hpp"
#include "loader/core_instance.hpp"
#include "lua/strategy_spec.hpp"

#include <mmhost/plugin.h>

#include <climits>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mmh {

class HostContext;

struct RunOptions {
  std::string strategy_path;
  std::string replay_file;       // overrides market.file
  bool print_decisions = false;  // --events: one line per decision, as it is made
  // --speed: replay at this multiple of real time (event time against the wall clock); 0 = as
  // fast as possible. Paced runs check for a script reload before every bar.
  double speed = 0.0;
  // Called at each event boundary with the close time of the next bar, before the reload check
  // (tests use it to edit the script at a chosen point of the replay).
  std::function<void(int64_t next_close_ns)> at_boundary;

  // `mmhost backtest` overrides of the strategy's market table (empty / 0: keep the script's).
  std::string symbol;
  int64_t ltf_interval_ns = 0;
  int64_t htf_interval_ns = 0;
  int64_t start_ns = INT64_MIN;  // only bars that open in [start_ns, end_ns)
  int64_t end_ns = INT64_MAX;
  // Tick streams (trade tape, L2 book CSVs) replayed beside the main data for the venue's fill
  // model. When the main data is itself a trade tape, LTF bars are built from it.
  std::vector<std::string> market_files;
  // Venue settings on top of the run's own (fees.maker, latency.entry, fill_model, ...).
  std::map<std::string, std::string> venue_settings;
  bool execute = true;            // false: decisions only, no venue (the core never fills)
  ExecutionSink* sink = nullptr;  // backtest files
  // Paper trading: the live connector's (connectors.live) public data (whatever the script's
  // market.data says) and the strategy's simulated venue with the L2 book fill model.
  bool paper = false;
  std::string venue;        // Bybit environment: mainnet, testnet, demo or a venue .yaml
  int warmup_bars = 1000;   // closed LTF bars fetched at start to warm the core up
  int64_t duration_ns = 0;  // live runs: stop after this long (0 = until Ctrl-C / SIGTERM)
  // Live trading: the live connector's data and real orders through its venue. Needs keys
  // (BYBIT_API_KEY/BYBIT_API_SECRET or key_file) and confirm_live.
  bool live = false;
  bool confirm_live = false;
  std::string key_file;
  // Batch backtests: candles loaded once and shared read-only (they replace the data plugin;
  // `candles_file` names them in the report), core parameters set over the script's
  // ("grid.step_atr" -> "0.3"), and no reload watching.
  const std::vector<mmh_candle>* candles = nullptr;
  std::string candles_file;
  std::optional<mmh_instrument> instrument;  // the shared candles' (a sidecar), if any
  std::map<std::string, std::string> param_overrides;
  // Paced replays, paper and live runs reload the strategy when its files change (or on
  // SIGHUP); runs on the simulated clock never do. false = never (`run --no-reload`, batch).
  bool hot_reload = true;
  // Paced replays, paper and live runs: the run directory (control.sock, risk_state.json);
  // empty = a new one under runs/. Starting again with the same directory restores the
  // trading state it kept (a halted run stays halted until `mmhost resume`).
  std::string run_dir;
  // Paper and live runs: carry on the run in run_dir where it stopped (its order ids, ledger
  // and fills from its journal, open orders reconciled with the venue) instead of a fresh run.
  bool resume = false;
  // What a resumed run does with its orders the venue still has open: cancel them before it
  // quotes (default), or adopt them as working orders.
  bool resume_adopt_orders = false;
  // Wall-clock runs: serve Prometheus text at this address ("127.0.0.1:9464"; empty: none).
  std::string metrics_address;
  // Wall-clock runs: a status line this often (log and RUN_DIR/status.jsonl); 0: none.
  int64_t status_every_ns = 10'000'000'000;
  // With MMHOST_ALERT_WEBHOOK set: stale market data alerts after this long.
  int64_t alert_stale_ns = 30'000'000'000;
  // Live runs: the venue's private connection lost longer than this: every open order of the
  // run is cancelled before it quotes again (0: never).
  int64_t cancel_on_disconnect_ns = 30'000'000'000;
  // The host's RiskGate limits (defaults, `--risk NAME=VALUE`): the strategy's `risk` group can
  // only tighten them.
  RiskLimits risk_limits;
  // Called every few thousand bars and at the end: bars done, bars in the data, event time.
  std::function<void(uint64_t done, uint64_t total, int64_t ts_ns)> progress;
};

// What the venue and the ledger made of the run (when it executed).
struct ExecutionReport {
  std::string venue_name;
  std::string venue_version;
  std::string venue_description;  // the venue's "key: value" lines (models, biases)
  std::optional<Ledger> ledger;
  ExecutionStats stats;
  OrderManagerStats orders;
  size_t open_orders_at_end = 0;
  uint64_t event_hash = 0;   // XXH3-64 of the events.jsonl bytes
  uint64_t quote_pulls = 0;  // live: times the book was lost and every order cancelled
  uint64_t events = 0;
  // Live trading: this run's orderLinkId prefix and how the stop went (orders the venue still
  // believes open after cancelling, or the error).
  bool live = false;
  std::string order_prefix;
  std::string stop_error;
  bool cancelled_all = false;  // stopped by a signal: every open order of the symbol cancelled
  // The RiskGate as the run left it: its limits, trips, vetoes and trading state.
  RiskGate risk;
};

// What the core decided over the run: counts, a hash of the whole stream (same inputs -> same
// hash), and the order set it wanted at the end.
struct DecisionSummary {
  std::string core_name;
  std::string core_version;
  uint64_t total = 0;
  std::map<std::string, uint64_t, std::less<>> by_kind;
  // By the detail's first word when it has no '=' (e.g. "bullish", "idle->bos").
  std::map<std::string, std::map<std::string, uint64_t, std::less<>>, std::less<>> by_subkind;
  bool has_desired = false;
  std::string desired_mode;
  std::vector<mmh_desired_order> desired;
  uint64_t reloads_ok = 0;
  uint64_t reloads_failed = 0;
  void add(const mmh_decision& decision);
  // XXH3-64 over (ts_ns, kind, NUL, detail, NUL) of every decision so far.
  uint64_t hash() const;

 private:
  // The decisions' bytes are hashed 64 KiB at a time (a stream's hash does not depend on how it
  // is cut): one update per decision cost more than the bytes. The buffer holds the threshold
  // and one more decision, so a decision is written without a size check per field.
  static constexpr size_t kHashChunkBytes = 64 * 1024;
  mutable std::vector<char> unhashed_;
  mutable size_t unhashed_used_ = 0;
  mutable BulkHash64 hasher_;
};

struct RunReport {
  StrategySpec spec;
  std::string data_plugin_version;
  std::string source_file;
  mmh_source_info source{};
  bool bars_from_trades = false;  // the main data is a trade tape; LTF bars were built from it
  std::vector<std::pair<std::string, mmh_source_info>> market_sources;  // file, what it holds
  EngineStats stats;
  uint64_t htf_bars = 0;
  uint64_t htf_partial_bars = 0;
  double elapsed_s = 0.0;
  DecisionSummary decisions;   // empty core_name: the strategy names no core
  uint64_t script_errors = 0;  // failed script callbacks (each also a script_error decision)
  std::map<std::string, MetricStats> metrics;         // mmhost.metric(name, value) over the run
  std::vector<CorePublication::Metric> core_metrics;  // what the core published at the end
  std::optional<ExecutionReport> execution;           // empty when the run did not execute
  std::optional<StartCapital> capital;                // what the core traded with, and from where
  uint64_t ltf_bars = 0;                              // bars fed (after --start/--end)
  uint64_t bars_dropped = 0;  // bars at or before the last bar fed (a repeated kline), not fed
  std::string live_venue;     // live runs: the Bybit environment and stream
  std::optional<mmh_instrument> instrument;  // the trading rules the data connector reported
  std::string run_dir;      // paced, paper and live runs: where control.sock and the state are
  std::string metrics_url;  // --metrics: where the run served them
};

// A run that cannot start or fails on its input (message says why; exit code 1).
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad command line (an option's value, or options that exclude each other): the command
// exits 2 and creates nothing.
class UsageError : public RunError {
 public:
  using RunError::RunError;
};

// The prefix of a live run's client order ids (Bybit's orderLinkIds): "mmh-" and the run's
// start second in base 36, e.g. "mmh-s44we8": every order names its run, ids stay short.
std::string run_order_prefix(int64_t run_start_ns);

// A new run directory's path: runs/<strategy's stem>[-<mode>]-<UTC time>[-N]; with `create`
// the directory is made too (the first free name, taken atomically). Throws filesystem_error.
std::filesystem::path default_run_dir(const std::string& strategy, const std::string& mode,
                                      bool create = false);

// The host's risk limits from `--risk NAME=VALUE` flags over the defaults; a UsageError names
// the flag that is wrong.
RiskLimits risk_limits_from_flags(const std::vector<std::string>& flags);

// `decision_out` receives the --events lines.
RunReport run_strategy(HostContext& host, const RunOptions& options, std::ostream& decision_out);
void print_run_report(const RunReport& report, std::ostream& out);

}  // namespace mmh
