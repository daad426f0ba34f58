// `mmhost backtest`: one strategy over candles (or bars built from a trade tape) through the
// simulated venue (candle, trade-tape or L2 book fill model), with the
// results written to a run directory: summary.json, events.jsonl, fills.csv, equity.csv.
#pragma once

#include "app/run_command.hpp"

#include <nlohmann/json.hpp>

#include <mmhost/plugin.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace mmh {

class HostContext;

struct BacktestOptions {
  std::string strategy_path;
  std::string symbol;  // --symbol (default: the script's market.symbol)
  // Intervals: "5" (minutes, as on Bybit), "30s", "1h".
  std::string interval;      // --interval: one timeframe, LTF = HTF
  std::string htf_interval;  // --htf-interval
  std::string ltf_interval;  // --ltf-interval
  std::string start;         // --start YYYY-MM-DD[THH:MM] (UTC), inclusive
  std::string end;           // --end, exclusive
  std::string cache;         // --cache: the candle CSV, or a trade tape to build bars from
  std::string fill_model = "candle";
  std::string trades;         // --trades: trade tape for the trades/book models
  std::string book;           // --book: L2 depth CSV for the book model
  std::string queue_model;    // --queue-model (book model)
  std::string fees;           // --fees MAKER[,TAKER] as fractions (0.001 = 0.1%)
  std::string latency_ms;     // --latency-ms: order entry/amend/cancel delay spec
  std::string md_latency_ms;  // --md-latency-ms: age of the data decisions are made on
  std::string slippage;       // --slippage bps:N | atr:X
  uint64_t seed = 1;
  std::vector<std::string> risk;  // --risk NAME=VALUE (host limits the strategy can tighten)
  std::vector<std::string> set;   // --set NAME=VALUE: core parameters over the script's
  bool summary_only = false;      // --summary-only: summary.json alone (a sweep's children)
  std::string out_dir;            // --out (default: runs/<strategy>-<utc time>)
  bool progress = true;           // shown only when stderr is a terminal
};

// Candles of --cache already in memory (a backtest worker keeps them between runs): the run
// reads them instead of the file, with the same results.
struct InMemoryCandles {
  const std::vector<mmh_candle>* bars = nullptr;
  int64_t interval_ns = 0;
  std::string file;
  std::optional<mmh_instrument> instrument;  // from the file's sidecar, if it has one
};

// Thrown for bad options or missing inputs; the message says what to do. `candles`, when given,
// are --cache's (used only when the run's execution interval is theirs).
int run_backtest(HostContext& host, const BacktestOptions& options, std::ostream& out,
                 const InMemoryCandles* candles = nullptr);

// The run options of a backtest (intervals, window, fill model, fees, latency, ...) without
// its data file or output; throws RunError for a bad option.
RunOptions backtest_run_options(const BacktestOptions& options);
// SHA-256 (hex) over each source file's name and the SHA-256 of its bytes as loaded: which
// script (and libs) produced a run, even if they were edited since.
std::string script_hash(const StrategySpec& spec);
// summary.json of a finished backtest (fields: docs/backtesting.md), as JSON text.
std::string backtest_summary_json(const RunReport& report, const BacktestOptions& options,
                                  int indent = 2);
// What a core published (ABI 1.3) into summary.json, each dotted name one level deeper (bos_mm's
// "stage1.bos_confirmed"); a first segment the host writes itself ("fills", "risk") goes under
// "core" instead of replacing the host's figure. Counters are integers, gauges 6 decimals.
void add_core_metrics(nlohmann::ordered_json& summary,
                      const std::vector<CorePublication::Metric>& metrics);

// "2026-01-01" or "2026-01-01T12:30" (UTC) -> ns; throws std::invalid_argument.
int64_t parse_utc_date_ns(const std::string& text);
// The same for a command-line flag: a RunError that names the flag and the value.
int64_t parse_utc_date_flag(const char* flag, const std::string& text);

}  // namespace mmh
