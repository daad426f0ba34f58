#include "app/cli.hpp"

#include "app/backtest_cli.hpp"
#include "app/backtest_command.hpp"
#include "app/backtest_worker.hpp"

#include "app/event_line.hpp"
#include "app/fetch_command.hpp"
#include "app/format.hpp"
#include "app/host_context.hpp"
#include "app/journal_command.hpp"
#include "app/params_command.hpp"
#include "app/run_command.hpp"
#include "app/run_control.hpp"
#include "app/run_plan.hpp"
#include "app/serve_command.hpp"
#include "batch/batch_command.hpp"
#include "loader/data_instance.hpp"
#include "lua/lua_state.hpp"
#include "lua/strategy_spec.hpp"
#include "sample/sample_data.hpp"

#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#ifndef MMHOST_VERSION
#define MMHOST_VERSION "0.0.0"
#endif

namespace mmh {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int cmd_plugins(HostContext& host, bool json) {
  PluginRegistry& registry = host.plugins();
  if (json) {
    std::cout << "{\"abi\":\"" << MMH_ABI_MAJOR << "." << MMH_ABI_MINOR << "\",\"plugins\":[";
    bool first = true;
    for (const LoadedPlugin& p : registry.plugins()) {
      std::cout << (first ? "" : ",") << "{\"name\":\"" << json_escape(p.name) << "\",\"kinds\":[";
      bool first_kind = true;
      for (const char* k : {"data", "venue", "core"}) {
        const uint32_t bit = std::string(k) == "data"    ? MMH_KIND_DATA
                             : std::string(k) == "venue" ? MMH_KIND_VENUE
                                                         : MMH_KIND_CORE;
        if (p.kinds & bit) {
          std::cout << (first_kind ? "" : ",") << "\"" << k << "\"";
          first_kind = false;
        }
      }
      std::cout << "],\"version\":\"" << json_escape(p.version) << "\",\"abi\":\"" << p.abi_major
                << "." << p.abi_minor << "\",\"path\":\"" << json_escape(p.path)
                << "\",\"description\":\"" << json_escape(p.description) << "\"}";
      first = false;
    }
    std::cout << "],\"rejected\":[";
    first = true;
    for (const PluginFailure& f : registry.failures()) {
      std::cout << (first ? "" : ",") << "{\"path\":\"" << json_escape(f.path)
                << "\",\"problems\":[";
      for (size_t i = 0; i < f.problems.size(); ++i)
        std::cout << (i ? "," : "") << "\"" << json_escape(f.problems[i]) << "\"";
      std::cout << "]}";
      first = false;
    }
    std::cout << "]}\n";
    return 0;
  }
  std::cout << "host plugin ABI " << MMH_ABI_MAJOR << "." << MMH_ABI_MINOR << "; searched:";
  for (const auto& d : host.plugin_search_dirs()) std::cout << " " << d;
  std::cout << "\n";
  if (registry.plugins().empty()) std::cout << "no plugins found\n";
  for (const LoadedPlugin& p : registry.plugins()) {
    char line[512];
    std::snprintf(line, sizeof(line), "%-14s %-12s %-8s abi %u.%u  %s", p.name.c_str(),
                  kinds_to_string(p.kinds).c_str(), p.version.c_str(), p.abi_major, p.abi_minor,
                  p.path.c_str());
    std::cout << line << "\n";
    if (!p.description.empty()) std::cout << "               " << p.description << "\n";
  }
  for (const PluginFailure& f : registry.failures())
    std::cout << "rejected       " << f.summary() << "\n";
  return 0;
}

constexpr double kMinSpeed = 1e-3;
constexpr double kMaxSpeed = 1e9;

int cmd_sample_data(HostContext& host, std::string out, int days, uint64_t seed) {
  if (out.empty())
    out = (std::filesystem::path(host.config().data_dir) / "sample" / "ETHUSDT_1m_synthetic.csv")
              .string();
  if (days <= 0 || days > 3650) {
    std::cerr << "mmhost sample-data: --days must be between 1 and 3650\n";
    return kExitUsage;
  }
  const std::filesystem::path path(out);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  uint64_t rows = 0;
  try {
    // Written beside the target and renamed over it: never a half-written file under the real
    // name, and never a device or FIFO replaced (`--out /dev/null` as root would replace it).
    sdk::TempOutput file_out(out);
    {
      std::ofstream file(file_out.temp_path(), std::ios::binary | std::ios::trunc);
      SampleSpec spec;
      spec.seed = seed;
      spec.days = days;
      rows = write_sample_candles(spec, file);
      file.flush();
      if (!file) throw std::runtime_error(file_out.temp_path() + ": write failed");
    }
    file_out.commit();
  } catch (const sdk::FileError& e) {
    std::cerr << "mmhost sample-data: --out " << e.what() << "\n";
    return kExitUsage;
  }
  std::cout << "wrote " << with_commas(rows) << " synthetic 1m candles (seed " << seed << ", "
            << days << " days) to " << out << "\n";
  return 0;
}

int cmd_event_hash(const std::string& run, std::ostream& out) {
  std::filesystem::path file(run);
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) file /= "events.jsonl";
  std::ifstream in(file, std::ios::binary);
  if (!std::filesystem::is_regular_file(file, ec) || !in) {
    std::cerr << "mmhost event-hash: " << file.string()
              << ": cannot read (a run directory written without --summary-only, or its "
                 "events.jsonl)\n";
    return kExitUsage;
  }
  uint64_t events = 0;
  uint64_t hash = 0;
  try {
    hash = event_hash_of_lines(in, &events);
  } catch (const std::runtime_error& e) {
    std::cerr << "mmhost event-hash: " << file.string() << ": " << e.what() << "\n";
    return kExitFailure;
  }
  char hex[24];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
  out << hex << "  " << file.string() << " (" << with_commas(events) << " events)\n";
  return 0;
}

}  // namespace

int report_command_error(std::ostream& err) {
  try {
    throw;
  } catch (const UsageError& e) {
    err << "mmhost: " << e.what() << "\n";
    return kExitUsage;
  } catch (const ConfigError& e) {
    err << "mmhost: configuration error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const ScriptError& e) {
    err << "mmhost: strategy error: " << e.what() << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    err << "mmhost: " << e.what() << "\n";
    return kExitFailure;
  }
}

int run_cli(int argc, char** argv) {
  CLI::App app{
      "mmhost: plugin-based strategy host for structure-driven market making on Bybit spot.\n"
      "Run `mmhost <command> --help` for each command's options and examples.",
      "mmhost"};
  app.set_version_flag("--version", std::string("mmhost ") + MMHOST_VERSION + " (plugin ABI " +
                                        std::to_string(MMH_ABI_MAJOR) + "." +
                                        std::to_string(MMH_ABI_MINOR) + ", " +
                                        LuaState::runtime_name() + ")");
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the command: `mmhost run s.lua --config f.yaml`
  app.footer(
      "Configuration precedence: command line > MMHOST_* environment > config file > defaults.\n"
      "Docs: docs/quickstart.md, docs/plugin-abi.md, docs/configuration.md");

  CliOverrides cli;
  std::string log_level, log_format, log_file, data_dir, cache_dir;
  app.add_option(
      "--config", cli.config_file,
      "Host configuration YAML (default: $MMHOST_CONFIG, else configs/mmhost.yaml if present)");
  app.add_option("--plugin-path", cli.plugin_paths,
                 "Extra plugin directory, searched first (repeatable)");
  auto* o_level =
      app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  auto* o_format =
      app.add_option("--log-format", log_format, "text or json (one JSON object per line)");
  auto* o_file = app.add_option("--log-file", log_file, "Also append logs to this file");
  auto* o_data = app.add_option(
      "--data-dir", data_dir, "Directory that strategy data paths are relative to (default: data)");
  auto* o_cache =
      app.add_option("--cache-dir", cache_dir, "Binary cache directory (default: ~/.cache/mmhost)");

  bool json = false;
  auto* plugins = app.add_subcommand(
      "plugins", "List discovered plugins: name, kinds, version, ABI version, path");
  plugins->add_flag("--json", json, "Print JSON instead of a table");
  plugins->footer(
      "Example:\n  mmhost plugins\n  MMHOST_PLUGIN_PATH=./my-plugins mmhost plugins --json");

  RunOptions run_options;
  auto* run = app.add_subcommand(
      "run", "Run a strategy script: stream its market data through the engine and summarise");
  run->add_option("strategy", run_options.strategy_path,
                  "Strategy script, e.g. strategies/eth_bos_mm.lua")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option(
         "--replay", run_options.replay_file,
         "Replay this candle/trade CSV (plain or .gz) instead of the strategy's market.file")
      ->check(CLI::ExistingFile);
  std::string speed_text = "max";
  run->add_option("--speed", speed_text,
                  "Replay pace: X times real time (e.g. 60: an hour of bars per minute) or max; "
                  "edit the strategy file during a paced run to hot-reload it")
      ->check([](const std::string& text) -> std::string {
        if (text == "max") return {};
        try {
          size_t used = 0;
          const double v = std::stod(text, &used);
          // Bounded so a bar's wall-clock deadline always fits: 1e-3 paces a minute bar over
          // 17 hours, 1e9 is as good as max.
          if (used == text.size() && v >= kMinSpeed && v <= kMaxSpeed) return {};
        } catch (const std::exception&) {
        }
        return "--speed takes a number from 0.001 to 1e9 (times real time) or max, got '" + text +
               "'";
      })
      ->capture_default_str();
  bool no_reload = false;
  run->add_flag("--no-reload", no_reload,
                "Paced, paper and live runs: do not reload the strategy when its files change "
                "(runs on the simulated clock never do)");
  run->add_flag("--events", run_options.print_decisions,
                "Print every decision of the core (bos_confirmed, transition, ...) as it is made");
  run->add_flag("--paper", run_options.paper,
                "Paper trading: live Bybit public data (book, trades, bars) and simulated fills "
                "from the live book; until Ctrl-C (the default when market.data is bybit_spot)");
  run->add_option(
      "--venue", run_options.venue,
      "Bybit environment for --paper/--live: mainnet (default), testnet, demo, or a venue "
      ".yaml (configs/venues/)");
  run->add_flag("--live", run_options.live,
                "Live trading: live Bybit data and REAL orders through the bybit_spot venue "
                "(keys from BYBIT_API_KEY/BYBIT_API_SECRET or --key-file); needs --confirm-live");
  run->add_flag("--confirm-live", run_options.confirm_live,
                "Confirms --live: orders of this run use the account's money");
  run->add_option("--key-file", run_options.key_file,
                  "Live runs: file with api_key: and api_secret: lines, mode 0600 (instead of "
                  "the environment)");
  std::string duration_text;
  run->add_option("--duration", duration_text,
                  "Live runs: stop after this long (30s, 15m, 2h); default until Ctrl-C");
  run->add_option("--out", run_options.run_dir,
                  "Paced, paper and live runs: run directory (control.sock, risk_state.json; "
                  "default runs/<strategy>-<mode>-<UTC time>); the same directory again keeps "
                  "a halt");
  run->add_option("--metrics", run_options.metrics_address,
                  "Paced, paper and live runs: serve Prometheus metrics at HOST:PORT (e.g. "
                  "127.0.0.1:9464; port 0 takes a free one), GET /metrics");
  std::string status_every_text = "10s";
  run->add_option("--status-every", status_every_text,
                  "Paced, paper and live runs: a status line this often (log and "
                  "RUN_DIR/status.jsonl), e.g. 10s or 1m; 0 turns it off")
      ->capture_default_str();
  std::string alert_stale_text = "30s";
  run->add_option("--alert-stale", alert_stale_text,
                  "With MMHOST_ALERT_WEBHOOK set: alert when market data stays stale this long "
                  "(needs risk.stale_ms)")
      ->capture_default_str();
  std::string cancel_on_disconnect_text = "30s";
  run->add_option("--cancel-on-disconnect", cancel_on_disconnect_text,
                  "Live runs: after the exchange's private connection was lost this long, "
                  "cancel every order of the run before quoting again (and set the exchange's "
                  "Disconnected Cancel All window where the account has it); 0 turns it off")
      ->capture_default_str();
  std::string resume_dir;
  run->add_option("--resume", resume_dir,
                  "Paper and live runs: carry on the run in this directory where it stopped "
                  "(a crash, a kill, a reboot): the same order ids, its ledger and every fill "
                  "once from its journal, its open orders reconciled with the exchange before "
                  "it quotes");
  std::string resume_orders = "cancel";
  run->add_option("--resume-orders", resume_orders,
                  "With --resume: what to do with the run's orders still open on the exchange: "
                  "cancel (before quoting) or adopt (keep as working orders)")
      ->check(CLI::IsMember({"cancel", "adopt"}));
  bool plan_only = false;
  run->add_flag("--plan", plan_only,
                "Print what the run would do (data connector, core, venue and whether its orders "
                "are real, clock, risk limits, run directory) and stop before opening anything");
  std::vector<std::string> run_risk;
  run->add_option("--risk", run_risk,
                  "Risk limit NAME=VALUE over the host's defaults (repeatable; the strategy can "
                  "only tighten it): daily_loss_pct, max_drawdown_pct, max_order_notional, "
                  "price_band_bps, max_open_orders, places_per_s, amends_per_s, stale_ms, ...");
  run->add_option("--warmup-bars", run_options.warmup_bars,
                  "Live runs: closed bars fetched at start to warm the core up (0..1000)")
      ->capture_default_str();
  run->footer(
      "Examples:\n  mmhost run strategies/eth_bos_mm.lua\n"
      "  mmhost run strategies/eth_bos_mm.lua --events | grep transition\n"
      "  mmhost run strategies/eth_bos_mm.lua --speed 3600   # an hour of bars per second; edit "
      "the file meanwhile\n"
      "  mmhost run strategies/eth_bos_mm.lua --paper        # live Bybit data, simulated fills\n"
      "  mmhost run strategies/eth_bos_mm.lua --paper --venue testnet --duration 1h\n"
      "  BYBIT_API_KEY=... BYBIT_API_SECRET=... \\\n"
      "    mmhost run strategies/eth_bos_mm.lua --live --confirm-live --venue testnet\n"
      "  mmhost run strategies/eth_bos_mm.lua --replay "
      "../shared/data/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv");

  BacktestOptions bt;
  bool no_progress = false;
  CLI::App* backtest = add_backtest_command(app, bt, no_progress);

  batch::BatchOptions batch_options;
  bool batch_no_progress = false;
  auto* batch_cmd = app.add_subcommand(
      "batch",
      "Run a Lua batch script: parameter sweeps (grid, random, NSGA-II), walk-forward windows, "
      "ranking and Pareto fronts, backtests in parallel over data loaded once; results in SQLite "
      "(a rerun computes only what is missing), CSV and report.html");
  batch_cmd->add_option("script", batch_options.script, "Batch script (scripts/*.lua)");
  batch_cmd->add_option("--jobs,-j", batch_options.jobs, "Worker processes (default: one per core)")
      ->check(CLI::Range(1u, 256u));
  batch_cmd->add_option("--out", batch_options.out_dir,
                        "Output directory: results.sqlite, results.csv, report.html (default: "
                        "batch/<script name>)");
  batch_cmd->add_option("--report", batch_options.report_dir,
                        "Only rewrite DIR/report.html and DIR/results.csv from DIR/results.sqlite");
  batch_cmd
      ->add_option("--objectives", batch_options.objectives,
                   "Two metrics for the report's Pareto front, each :max or :min")
      ->capture_default_str();
  batch_cmd->add_flag("--no-progress", batch_no_progress,
                      "No progress bar (none off a terminal anyway)");
  batch_cmd->footer(
      "Examples:\n"
      "  mmhost batch scripts/sweep_grid.lua                 # grid sweep, ranked table, report\n"
      "  mmhost batch scripts/mtf_sweep.lua --jobs 2 --out batch/mtf\n"
      "  mmhost batch scripts/walk_forward.lua\n"
      "  mmhost batch --report batch/sweep_grid --objectives net_pnl:max,fills.total:max\n"
      "Ctrl-C stops cleanly: finished runs stay in results.sqlite and the same command resumes.\n"
      "Docs: docs/batch.md");

  std::string sample_out;
  int sample_days = 30;
  uint64_t sample_seed = 42;
  auto* sample = app.add_subcommand(
      "sample-data",
      "Generate seeded SYNTHETIC 1m candles (trending and ranging regimes) for offline runs");
  sample->add_option("--out", sample_out,
                     "Output CSV (default: <data-dir>/sample/ETHUSDT_1m_synthetic.csv)");
  sample->add_option("--days", sample_days, "Days of 1m candles")->capture_default_str();
  sample->add_option("--seed", sample_seed, "Random seed; the same seed gives the same bytes")
      ->capture_default_str();
  sample->footer("Example:\n  mmhost sample-data --days 60 --seed 7 --out data/sample/eth_60d.csv");

  FetchOptions fetch_options;
  bool fetch_no_progress = false;
  auto* fetch = app.add_subcommand(
      "fetch",
      "Download Bybit spot klines into a candle CSV cache; an existing cache is extended and "
      "only missing bars are requested");
  fetch->add_option("--symbol", fetch_options.symbol, "Symbol, e.g. ETHUSDT")->required();
  fetch
      ->add_option("--interval", fetch_options.interval,
                   "Bybit kline interval: 1 3 5 15 30 60 120 240 360 720 (minutes), D or W")
      ->capture_default_str();
  fetch
      ->add_option("--start", fetch_options.start, "First bar (UTC, inclusive): YYYY-MM-DD[THH:MM]")
      ->required();
  fetch->add_option("--end", fetch_options.end, "End (UTC, exclusive): YYYY-MM-DD[THH:MM]")
      ->required();
  fetch
      ->add_option("--cache", fetch_options.cache,
                   "Candle CSV to create or extend (ts_ms,open,high,low,close,volume)")
      ->required();
  fetch->add_flag("--testnet", fetch_options.testnet,
                  "Use Bybit testnet (configs/venues/testnet.yaml)");
  fetch->add_option(
      "--venue", fetch_options.venue,
      "Venue by name (mainnet, testnet, demo) or a venue .yaml file; default mainnet");
  fetch->add_option("--connector", fetch_options.connector,
                    "Data connector that downloads (default: connectors.live, bybit_spot)");
  fetch->add_option("--limit", fetch_options.limit, "Candles per request (1..1000)")
      ->capture_default_str();
  fetch->add_flag("--no-progress", fetch_no_progress,
                  "No progress bar (none off a terminal anyway)");
  fetch->footer(
      "Writes are atomic (temporary file + rename) every few seconds and at the end: an "
      "interrupted or failed\nfetch keeps what arrived, and the same command resumes it. The "
      "still-open last candle is never written.\n"
      "Examples:\n"
      "  mmhost fetch --symbol ETHUSDT --interval 1 --start 2026-01-01 --end 2026-02-01 "
      "--cache data/eth_1m.csv\n"
      "  mmhost fetch --symbol BTCUSDT --interval 60 --start 2025-01-01 --end 2026-01-01 "
      "--cache data/btc_1h.csv --testnet\n"
      "  mmhost backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --cache "
      "data/eth_1m.csv\n"
      "Docs: docs/bybit.md");

  // Steering a running paced, paper or live run through its control socket.
  std::string control_dir;
  bool control_json = false;
  std::vector<std::pair<CLI::App*, std::string>> control_cmds;
  for (const auto& [name, help] : std::vector<std::pair<std::string, std::string>>{
           {"halt",
            "Halt a running paper/live/paced run: cancel every order, send nothing new until "
            "resume (returns once the cancels are sent)"},
           {"reduce",
            "Let a running run only reduce its inventory toward the target (no new exposure)"},
           {"resume", "Resume trading after halt or reduce (also a daily-loss or drawdown halt)"},
           {"status",
            "State, equity, inventory, open orders and last data time of a running run"}}) {
    CLI::App* c = app.add_subcommand(name, help);
    c->add_option("run_dir", control_dir, "The run's directory (printed when it started)")
        ->required();
    c->add_flag("--json", control_json, "Print the run's JSON answer as it came");
    c->footer("Example:\n  mmhost " + name +
              " runs/eth_bos_mm-paper-20261206-101500\nDocs: docs/operations.md");
    control_cmds.emplace_back(c, name);
  }

  JournalCommandOptions journal_options;
  auto* journal_cmd = app.add_subcommand(
      "journal", "What a paced, paper or live run's journal holds, or its records as JSON lines");
  journal_cmd->add_option("run_dir", journal_options.run_dir, "The run's directory")->required();
  journal_cmd->add_flag("--json", journal_options.json,
                        "Print the records as JSON lines (kind, local_ns, exchange_ns, fields)");
  journal_cmd->add_option("--kind", journal_options.kind,
                          "Only records of this kind: trade, book_snapshot, book_delta, ticker, "
                          "candle, order_command, order_update, fill, balance, decision, note");
  journal_cmd->footer(
      "Every paced, paper and live run journals each input as received, each order intent (on "
      "disk before the request leaves) and each decision, in RUN_DIR/journal/YYYY-MM-DD.mmj.\n"
      "Examples:\n"
      "  mmhost journal runs/eth_bos_mm-paper-20261206-101500\n"
      "  mmhost journal runs/eth_bos_mm-paper-20261206-101500 --json --kind fill\n"
      "Docs: docs/journal.md");

  std::string event_hash_path;
  auto* event_hash_cmd =
      app.add_subcommand("event-hash", "A run's event hash, computed again from its events.jsonl");
  event_hash_cmd->add_option("run", event_hash_path, "The run's directory, or its events.jsonl")
      ->required();
  event_hash_cmd->footer(
      "The hash every run prints and keeps in summary.json (and batch and serve in their rows) "
      "is XXH3-64 of the run's binary event records; each line of events.jsonl renders one of "
      "them, so the file gives the same number back (docs/adr/0031-event-records.md).\n"
      "Example:\n"
      "  mmhost backtest strategies/eth_bos_mm.lua --out runs/a && mmhost event-hash runs/a");

  ServeOptions serve_options;
  auto* serve_cmd = app.add_subcommand(
      "serve",
      "HTTP API for runs: submit backtests and batches, follow them, fetch their files; an "
      "embedded SQLite store and a pool of worker processes (no other server needed)");
  serve_cmd->add_option("--listen", serve_options.listen, "HOST:PORT to listen on (0: a free port)")
      ->capture_default_str();
  serve_cmd->add_option("--workers", serve_options.workers,
                        "Runs at a time in this process, each a child mmhost process (default: one "
                        "per core; none with DATABASE_URL + REDIS_URL, where mmhost worker runs "
                        "them)");
  serve_cmd
      ->add_option("--store", serve_options.store,
                   "Directory of the run store (runs.sqlite) and every run's files")
      ->capture_default_str();
  serve_cmd->add_option("--token-file", serve_options.token_file,
                        "File (mode 0600) holding the API token; else MMHOST_API_TOKEN, else one "
                        "is made in STORE/api-token");
  serve_cmd->add_option("--data", serve_options.data_dirs,
                        "More directories runs may read data from (besides data/ and "
                        "../shared/data)");
  serve_cmd->add_option("--sessions", serve_options.session_dirs,
                        "Directories whose run directories hold paper, live and paced runs for "
                        "the UI's Live page and /sessions (default: runs)");
  serve_cmd->add_option("--ready-file", serve_options.ready_file,
                        "Write the URL here once listening (for scripts)");
  serve_cmd->footer(
      "Examples:\n"
      "  mmhost serve --listen 127.0.0.1:8080 --workers 2\n"
      "  curl -s -X POST localhost:8080/runs -H \"Authorization: Bearer $(cat store/api-token)\" "
      "\\\n"
      "    -d "
      "'{\"name\":\"eth\",\"kind\":\"backtest_mm_mtf\",\"cli_args\":[\"--htf-interval\",\"5\","
      "\"--ltf-interval\",\"1\"]}'\n"
      "  curl -s localhost:8080/runs\n"
      "A non-loopback --listen needs a token you give (MMHOST_API_TOKEN or --token-file).\n"
      "Scale out: DATABASE_URL=postgres://... REDIS_URL=redis://... mmhost serve, and\n"
      "  mmhost worker on each machine that shares --store.\n"
      "Docs: docs/serve.md");

  std::string params_core;
  bool params_json = false;
  auto* params_cmd = app.add_subcommand(
      "params",
      "List a core's parameters: name, type, default, the range it accepts, unit and meaning");
  params_cmd->add_option("--core", params_core, "Core plugin (default: the first core loaded)");
  params_cmd->add_flag("--json", params_json, "One JSON object (what serve's New run form reads)");
  params_cmd->footer(
      "Examples:\n"
      "  mmhost params\n"
      "  mmhost params --json | python3 -m json.tool\n"
      "Set one in a strategy script (core.params) or for one run: mmhost backtest ... --set "
      "grid.levels=6");

  // Internal: what a serve worker slot runs its backtests in (app/backtest_worker.hpp).
  auto* backtest_worker = app.add_subcommand("backtest-worker", "internal: serve's backtests");
  backtest_worker->group("");

  WorkerOptions worker_options;
  auto* worker_cmd = app.add_subcommand(
      "worker",
      "Run queued runs from the PostgreSQL + Redis store of mmhost serve (DATABASE_URL, "
      "REDIS_URL); any number of them, on any machine sharing --store");
  worker_cmd->add_option("--slots", worker_options.slots, "Runs at a time (default: one per core)");
  worker_cmd
      ->add_option("--store", worker_options.store,
                   "The directory serve's --store names (shared): run files go there")
      ->capture_default_str();
  worker_cmd->footer(
      "Example:\n"
      "  DATABASE_URL=postgres://mmhost@db/mmhost REDIS_URL=redis://queue:6379 \\\n"
      "    mmhost worker --slots 2 --store /shared/mmhost-store\n"
      "A worker that stops heartbeating has its run taken over by another within 30 s; after 3\n"
      "attempts the run fails. Ctrl-C gives its running runs back to the queue.\n"
      "Docs: docs/serve.md");

  // CLI11 reports a mistyped command as a missing one; name it instead.
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("-", 0) == 0) {
      const bool takes_value = arg.find('=') == std::string::npos &&
                               (arg == "--config" || arg == "--plugin-path" ||
                                arg == "--log-level" || arg == "--log-format" ||
                                arg == "--log-file" || arg == "--data-dir" || arg == "--cache-dir");
      if (takes_value) ++i;
      continue;
    }
    const auto commands =
        app.get_subcommands([&arg](CLI::App* sub) { return sub->check_name(arg); });
    if (commands.empty()) {
      // The list comes from the parser itself, so a new command can never be missing from it.
      std::string names;
      for (const CLI::App* sub :
           app.get_subcommands([](CLI::App* c) { return !c->get_group().empty(); }))
        names += (names.empty() ? "" : ", ") + sub->get_name();
      std::cerr << "mmhost: unknown command '" << arg << "' (commands: " << names << ")\n"
                << "Run `mmhost --help` for what each command does.\n";
      return kExitUsage;
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "mmhost: " << e.what() << "\n";
    std::cerr << "Run `mmhost --help` for the commands, or `mmhost <command> --help` for one "
                 "command's options.\n";
    return kExitUsage;
  }
  if (*o_level) cli.log_level = log_level;
  if (*o_format) cli.log_format = log_format;
  if (*o_file) cli.log_file = log_file;
  if (*o_data) cli.data_dir = data_dir;
  if (*o_cache) cli.cache_dir = cache_dir;

  try {
    for (const auto& [c, name] : control_cmds)
      if (*c) return run_control_command(control_dir, name, control_json, std::cout);
    if (*journal_cmd) return run_journal_command(journal_options, std::cout, std::cerr);
    if (*event_hash_cmd) return cmd_event_hash(event_hash_path, std::cout);
    if (*serve_cmd) return run_serve_command(serve_options, std::cout, std::cerr);
    if (*worker_cmd) return run_worker_command(worker_options, std::cout, std::cerr);
    HostContext host(cli);
    if (*plugins) return cmd_plugins(host, json);
    if (*params_cmd) return run_params_command(host, params_core, params_json, std::cout);
    if (*backtest_worker) return run_backtest_worker(host, 3);  // fd 3: the slot's reply pipe
    if (*sample) return cmd_sample_data(host, sample_out, sample_days, sample_seed);
    if (*backtest) {
      bt.progress = !no_progress;
      return run_backtest(host, bt, std::cout);
    }
    if (*batch_cmd) {
      batch_options.progress = !batch_no_progress;
      return batch::run_batch(host, batch_options, std::cout, std::cerr);
    }
    if (*fetch) {
      fetch_options.progress = !fetch_no_progress;
      return run_fetch(host, fetch_options, std::cout);
    }
    if (*run) {
      run_options.risk_limits = risk_limits_from_flags(run_risk);
      run_options.speed = speed_text == "max" ? 0.0 : std::stod(speed_text);
      run_options.hot_reload = !no_reload;
      if (!resume_dir.empty()) {
        if (!run_options.run_dir.empty()) {
          std::cerr << "mmhost run: --resume names the run directory; leave out --out\n";
          return kExitUsage;
        }
        run_options.run_dir = resume_dir;
        run_options.resume = true;
      }
      run_options.resume_adopt_orders = resume_orders == "adopt";
      run_options.alert_stale_ns = sdk::parse_interval_ns(alert_stale_text);
      if (run_options.alert_stale_ns <= 0) {
        std::cerr << "mmhost run: --alert-stale takes a time like 30s or 2m, got '"
                  << alert_stale_text << "'\n";
        return kExitUsage;
      }
      run_options.cancel_on_disconnect_ns =
          cancel_on_disconnect_text == "0" ? 0 : sdk::parse_interval_ns(cancel_on_disconnect_text);
      if (run_options.cancel_on_disconnect_ns <= 0 && cancel_on_disconnect_text != "0") {
        std::cerr << "mmhost run: --cancel-on-disconnect takes a time like 30s (0: off), got '"
                  << cancel_on_disconnect_text << "'\n";
        return kExitUsage;
      }
      run_options.status_every_ns =
          status_every_text == "0" ? 0 : sdk::parse_interval_ns(status_every_text);
      if (run_options.status_every_ns < 0 ||
          (run_options.status_every_ns == 0 && status_every_text != "0")) {
        std::cerr << "mmhost run: --status-every takes a time like 10s or 1m (0: off), got '"
                  << status_every_text << "'\n";
        return kExitUsage;
      }
      if (!duration_text.empty()) {
        run_options.duration_ns = sdk::parse_interval_ns(duration_text);
        if (run_options.duration_ns <= 0) {
          std::cerr << "mmhost run: --duration takes a time like 30s, 15m or 2h, got '"
                    << duration_text << "'\n";
          return kExitUsage;
        }
      }
      if (plan_only) {
        print_run_plan(plan_run(host, run_options, load_strategy_spec(run_options.strategy_path)),
                       std::cout);
        return 0;
      }
      const RunReport report = run_strategy(host, run_options, std::cout);
      print_run_report(report, std::cout);
      return 0;
    }
  } catch (...) {
    return report_command_error(std::cerr);
  }
  return kExitUsage;
}

}  // namespace mmh
