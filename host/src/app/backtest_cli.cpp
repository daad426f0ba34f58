#include "app/backtest_cli.hpp"

namespace mmh {

CLI::App* add_backtest_command(CLI::App& app, BacktestOptions& bt, bool& no_progress) {
  CLI::App* backtest = app.add_subcommand(
      "backtest",
      "Backtest a strategy through the simulated venue (fees, latency, partial fills) and write "
      "report.html, summary.json, events.jsonl, fills.csv and equity.csv to a run directory");
  backtest->add_option("strategy", bt.strategy_path, "Strategy script")
      ->required()
      ->check(CLI::ExistingFile);
  backtest->add_option("--symbol", bt.symbol, "Symbol (default: the script's market.symbol)");
  backtest->add_option("--interval", bt.interval,
                       "Bar interval of the --cache data (5 = 5 minutes; 30s, 1h also), used as "
                       "both the structure (HTF) and execution (LTF) timeframe");
  backtest->add_option("--htf-interval", bt.htf_interval,
                       "Structure timeframe (5 = 5 minutes, or 10s, 1h), built from the LTF bars");
  backtest->add_option("--ltf-interval", bt.ltf_interval,
                       "Execution timeframe: the candles in --cache, or the bars built from a "
                       "trade tape given as --cache");
  backtest->add_option("--start", bt.start, "First day (UTC, inclusive): YYYY-MM-DD[THH:MM]");
  backtest->add_option("--end", bt.end, "End (UTC, exclusive): YYYY-MM-DD[THH:MM]");
  backtest
      ->add_option("--cache", bt.cache,
                   "Candle CSV (ts_ms,open,high,low,close,volume), or a trade tape "
                   "(ts_ms,price,qty,side) to build the bars from; .gz ok")
      ->required();
  backtest
      ->add_option("--fill-model", bt.fill_model, "candle, trades or book (docs/backtesting.md)")
      ->capture_default_str();
  backtest->add_option("--trades", bt.trades,
                       "Trade tape for the trades/book models when --cache holds candles");
  backtest->add_option("--book", bt.book,
                       "L2 depth CSV (snapshot + deltas, .gz ok) for the book model");
  backtest->add_option("--queue-model", bt.queue_model,
                       "Book model queue: risk_averse, power:N or log (default power:2)");
  backtest->add_option("--fees", bt.fees,
                       "MAKER[,TAKER] fee rates, 0.001 = 0.1% (default: Bybit spot base tier "
                       "0.001,0.001; 0 = no fees; negative maker = rebate)");
  backtest->add_option("--latency-ms", bt.latency_ms,
                       "Order entry/amend/cancel delay: 25, uniform:10:40, normal:25:5 or "
                       "lognormal:20:0.5 (default 0)");
  backtest->add_option("--md-latency-ms", bt.md_latency_ms,
                       "Age of the market data decisions are made on (same forms; default 0)");
  backtest->add_option("--slippage", bt.slippage, "Market orders: bps:N or atr:X (default bps:1)");
  backtest->add_option("--seed", bt.seed, "Seed of drawn latencies")->capture_default_str();
  backtest->add_option("--risk", bt.risk,
                       "Risk limit NAME=VALUE over the host's defaults (repeatable; the strategy "
                       "can only tighten it), e.g. --risk daily_loss_pct=2");
  backtest->add_option("--set", bt.set,
                       "Core parameter NAME=VALUE over the script's (repeatable), as a batch sets "
                       "them, e.g. --set grid.levels=6");
  backtest->add_flag("--summary-only", bt.summary_only,
                     "Write summary.json only (the same run and event hash; no per-event files "
                     "or report): a sweep's runs");
  backtest->add_option("--out", bt.out_dir, "Run directory (default: runs/<strategy>-<UTC time>)");
  backtest->add_flag("--no-progress", no_progress, "No progress bar (none off a terminal anyway)");
  backtest->footer(
      "Examples:\n"
      "  mmhost backtest strategies/eth_bos_mm.lua --symbol ETHUSDT --interval 5 \\\n"
      "      --start 2025-02-01 --end 2025-03-01 "
      "--cache ../shared/data/candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv\n"
      "  mmhost backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 \\\n"
      "      --cache ../shared/data/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv "
      "--fees 0 --out runs/nofee\n"
      "  mmhost backtest strategies/eth_bos_mm_ticks.lua \\\n"
      "      --cache ../shared/data/trades/binance_spot_ETHUSDT_trades_2024-08-08T235415_"
      "2024-08-09T000505.csv \\\n"
      "      --fill-model book --book ../shared/data/book/binance_spot_ETHUSDT_depth_"
      "2024-08-08T235414_2024-08-09T000504.csv.gz\n"
      "Docs: docs/backtesting.md");
  return backtest;
}

}  // namespace mmh
