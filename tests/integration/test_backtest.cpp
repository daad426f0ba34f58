// End-to-end: `mmhost backtest` as a user runs it, on real candles.
#include "app/backtest_command.hpp"
#include "app/event_line.hpp"
#include "test_support.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <xxhash.h>

using mmh::test::read_file;
using mmh::test::run_mmhost;
using mmh::test::TempDir;

namespace {

const char* kOneMinute = "candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv";

// A shipped strategy copied into `dir` with its lib, one line replaced: a variant to run.
std::string edited_strategy(const TempDir& dir, const std::string& shipped, const std::string& from,
                            const std::string& to) {
  std::string text = read_file(mmh::test::source_dir() + "/strategies/" + shipped);
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), to);
  mmh::test::write_file(dir.file("s/lib/eth.lua"),
                        read_file(mmh::test::source_dir() + "/strategies/lib/eth.lua"));
  return mmh::test::write_file(dir.file("s/" + shipped), text);
}

// ~11 minutes of Binance spot ETHUSDT: every trade and every depth diff of the same window.
std::pair<std::string, std::string> tick_window() {
  const std::string trades = mmh::test::shared_data(
      "trades/binance_spot_ETHUSDT_trades_2024-08-08T235415_2024-08-09T000505.csv");
  const std::string book = mmh::test::shared_data(
      "book/binance_spot_ETHUSDT_depth_2024-08-08T235414_2024-08-09T000504.csv.gz");
  REQUIRE_MESSAGE(std::filesystem::exists(book), "missing real data: ", book);
  return {trades, book};
}

int64_t e8(const nlohmann::json& text) {
  int64_t v = 0;
  REQUIRE(mmh::sdk::parse_e8(text.get<std::string>(), v) == mmh::sdk::ParseDecimal::ok);
  return v;
}

struct Backtest {
  mmh::test::CommandResult result;
  nlohmann::json summary;
};

// June 2025 of the 90-day 1m file, HTF 5m, into dir/out.
Backtest backtest(const TempDir& dir, const std::string& out, const std::string& extra = "",
                  const std::string& strategy = "strategies/eth_bos_mm.lua") {
  const std::string data = mmh::test::shared_data(kOneMinute);
  REQUIRE_MESSAGE(std::filesystem::exists(data), "missing real data: ", data);
  Backtest b;
  b.result = run_mmhost("backtest " + strategy +
                            " --symbol ETHUSDT --htf-interval 5 --ltf-interval 1 --start "
                            "2025-06-01 --end 2025-07-01 --cache " +
                            data + " --out " + dir.file(out) + " " + extra,
                        "MMHOST_CACHE_DIR=" + dir.file("cache"));
  INFO(b.result.output);
  REQUIRE(b.result.exit_code == 0);
  b.summary = nlohmann::json::parse(read_file(dir.file(out + "/summary.json")));
  return b;
}

}  // namespace

TEST_CASE("backtest: writes the run files, and summary.json has every figure") {
  TempDir dir;
  const Backtest b = backtest(dir, "run");
  for (const char* f : {"summary.json", "events.jsonl", "fills.csv", "equity.csv"})
    CHECK_MESSAGE(std::filesystem::file_size(dir.file(std::string("run/") + f)) > 0, f);
  const nlohmann::json& s = b.summary;
  for (const char* key :
       {"net_pnl", "gross_pnl", "fees_total", "return_pct", "max_drawdown_pct", "sharpe_daily",
        "sortino_daily", "fills", "turnover", "fees_by_currency", "avg_spread_captured_bps",
        "inventory", "stage1", "event_hash", "plugins", "script", "models", "period"})
    CHECK_MESSAGE(s.contains(key), key);
  for (const char* key :
       {"bos_potential", "bos_confirmed", "bos_failed", "mm_entries", "time_in_mm_share",
        "time_disabled_share", "defensive_entries", "transitions"})
    CHECK_MESSAGE(s["stage1"].contains(key), key);
  CHECK(s["period"]["first_bar_close"] == "2025-06-01T00:01:00Z");
  CHECK(s["period"]["ltf_bars"] == 30 * 24 * 60);
  CHECK(s["fills"]["total"].get<int>() > 0);
  CHECK(s["models"]["fill_model"].get<std::string>().find("O-L-H-C") != std::string::npos);
  CHECK(s["models"].contains("biases"));
  // Net PnL is gross PnL minus fees, to the unit.
  CHECK(e8(s["net_pnl"]) == e8(s["gross_pnl"]) - e8(s["fees_total"]));
  CHECK(e8(s["net_pnl"]) == e8(s["end_equity"]) - e8(s["start_equity"]));
  CHECK(e8(s["fees_total"]) > 0);
  // Each fill is a line of fills.csv and of events.jsonl.
  const std::string fills = read_file(dir.file("run/fills.csv"));
  CHECK(static_cast<int>(std::count(fills.begin(), fills.end(), '\n')) ==
        s["fills"]["total"].get<int>() + 1);
  CHECK(b.result.output.find("event hash " + s["event_hash"].get<std::string>()) !=
        std::string::npos);
  // The event hash is XXH3-64 of the event records; events.jsonl gives it back, line by line
  // (mmhost event-hash), and it is not the hash of the file's bytes.
  const std::string events = read_file(dir.file("run/events.jsonl"));
  std::istringstream event_lines(events);
  uint64_t event_count = 0;
  char hex[24];
  std::snprintf(
      hex, sizeof(hex), "%016llx",
      static_cast<unsigned long long>(mmh::event_hash_of_lines(event_lines, &event_count)));
  CHECK(s["event_hash"].get<std::string>() == hex);
  CHECK(event_count == s["events"].get<uint64_t>());
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(events.data(), events.size())));
  CHECK(s["event_hash"].get<std::string>() != hex);
  // Open at the end: the orders the venue holds by its last word on each, not the commands sent
  // at the last close that it never saw.
  // events.jsonl is in time order: a decision a fill caused comes before any later event.
  std::map<std::string, std::string> last_status;
  std::istringstream lines(events);
  int64_t last_ts_ns = INT64_MIN;
  size_t out_of_order = 0;
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json e = nlohmann::json::parse(line);
    const int64_t ts_ns = e["ts_ns"].get<int64_t>();
    if (ts_ns < last_ts_ns) ++out_of_order;
    last_ts_ns = std::max(last_ts_ns, ts_ns);
    if (e["type"] == "update")
      last_status[e["id"].get<std::string>()] = e["status"].get<std::string>();
  }
  CHECK(out_of_order == 0);
  size_t resting = 0;
  for (const auto& [id, status] : last_status)
    if (status == "new" || status == "partially_filled") ++resting;
  CHECK(s["orders"]["open_at_end"].get<size_t>() == resting);
}

TEST_CASE("backtest: two runs give the same event hash, and a run without fees pays none") {
  TempDir dir;
  const Backtest a = backtest(dir, "a");
  const Backtest b = backtest(dir, "b");
  CHECK(a.summary["event_hash"] == b.summary["event_hash"]);
  CHECK(read_file(dir.file("a/events.jsonl")) == read_file(dir.file("b/events.jsonl")));
  const Backtest free = backtest(dir, "free", "--fees 0");
  CHECK(free.summary["fees_total"] == "0");
  for (const auto& [asset, f] : free.summary["fees_by_currency"].items()) {
    CHECK(f["amount"] == "0");
    CHECK(f["quote_value"] == "0");
  }
  CHECK(e8(free.summary["net_pnl"]) == e8(free.summary["gross_pnl"]));
  CHECK(free.summary["event_hash"] != a.summary["event_hash"]);
  // Latency changes the run, and a seed makes drawn latencies repeatable.
  const Backtest slow = backtest(dir, "slow", "--latency-ms uniform:50:500 --seed 3");
  const Backtest slow2 = backtest(dir, "slow2", "--latency-ms uniform:50:500 --seed 3");
  CHECK(slow.summary["event_hash"] == slow2.summary["event_hash"]);
  CHECK(slow.summary["event_hash"] != a.summary["event_hash"]);
}

TEST_CASE("backtest: a missing candle file says how to get one, bad options say what is wrong") {
  TempDir dir;
  auto missing = run_mmhost(
      "backtest strategies/eth_bos_mm.lua --symbol ETHUSDT --interval 5 "
      "--start 2026-01-01 --end 2026-02-01 --cache " +
      dir.file("eth_5m.csv"));
  CHECK(missing.exit_code == 2);  // a usage error
  CHECK(missing.output.find("no such file") != std::string::npos);
  CHECK(missing.output.find("mmhost fetch --symbol ETHUSDT --interval 5 --start 2026-01-01") !=
        std::string::npos);
  const std::string data = mmh::test::shared_data(kOneMinute);
  auto bad_date = run_mmhost(
      "backtest strategies/eth_bos_mm.lua --interval 1 --start 2025-13-01 "
      "--cache " +
      data);
  CHECK(bad_date.exit_code == 2);  // a usage error
  CHECK(bad_date.output.find("is not a UTC date") != std::string::npos);
  auto bad_fee = run_mmhost("backtest strategies/eth_bos_mm.lua --interval 1 --fees 5 --cache " +
                            data + " --out " + dir.file("x"));
  CHECK(bad_fee.exit_code == 2);  // a usage error
  CHECK(bad_fee.output.find("fee rate maker must be in") != std::string::npos);
  // A refused backtest creates nothing: no run directory, no staging directory beside it.
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("backtest: one strategy scored under the candle, trades and book models, side by side") {
  // Bars (1s LTF, 10s HTF) are built from the trade tape, so the strategy sees the same bars and
  // only the fill model differs between the runs.
  std::string trades, book;
  std::tie(trades, book) = tick_window();
  TempDir dir;
  struct Row {
    std::string model, args;
    nlohmann::json s;
  };
  std::vector<Row> rows = {
      {"candle", "--fill-model candle", {}},
      {"trades", "--fill-model trades", {}},
      {"book risk_averse", "--fill-model book --queue-model risk_averse --book " + book, {}},
      {"book power:2", "--fill-model book --book " + book, {}}};
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string out = dir.file("m" + std::to_string(i));
    auto r = run_mmhost("backtest strategies/eth_bos_mm_ticks.lua --cache " + trades + " " +
                            rows[i].args + " --out " + out,
                        "MMHOST_CACHE_DIR=" + dir.file("cache"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    rows[i].s = nlohmann::json::parse(read_file(out + "/summary.json"));
  }
  std::ostringstream table;
  table << "\nmodel              fills maker/taker   net PnL USDT    fees USDT   max DD %  "
           "event hash\n";
  for (const Row& row : rows) {
    const nlohmann::json& s = row.s;
    char line[200];
    std::snprintf(line, sizeof(line), "%-18s %6d / %-6d %14s %12s %10.4f  %s\n", row.model.c_str(),
                  s["fills"]["maker"].get<int>(), s["fills"]["taker"].get<int>(),
                  s["net_pnl"].get<std::string>().c_str(),
                  s["fees_total"].get<std::string>().c_str(), s["max_drawdown_pct"].get<double>(),
                  s["event_hash"].get<std::string>().c_str());
    table << line;
    // Every model trades this window, and every run keeps its books exact.
    CHECK_MESSAGE(s["fills"]["total"].get<int>() > 0, row.model);
    CHECK(e8(s["net_pnl"]) == e8(s["gross_pnl"]) - e8(s["fees_total"]));
    CHECK(s["bars_from_trades"] == true);
    CHECK(s["period"]["ltf_bars"].get<int>() > 500);
  }
  MESSAGE(table.str());
  // Same bars, different fills: the models disagree (else one of them is not running).
  CHECK(rows[0].s["event_hash"] != rows[1].s["event_hash"]);
  CHECK(rows[1].s["event_hash"] != rows[3].s["event_hash"]);
  // The two queue models are checked level by level in tests/simfill/test_book_fill_model.cpp.
  // Here the core hears the book's top (its rebalance bid joins the best bid, the grid is
  // clamped to the book), and on this window every fill is a trade through the price, so both
  // give the same fills; the venue says which one ran.
  CHECK(rows[2].s["models"]["fill_model"].get<std::string>().find(
            "under the risk_averse queue model") != std::string::npos);
  CHECK(rows[3].s["models"]["fill_model"].get<std::string>().find("power:2") != std::string::npos);
  CHECK(rows[3].s["tick_files"][0]["kind"] == "book");
  CHECK(rows[3].s["tick_files"][0]["records"] == 6469);
}

TEST_CASE("backtest: tick-data options are checked before anything runs") {
  TempDir dir;
  const std::string candles = mmh::test::shared_data(kOneMinute);
  auto no_tape = run_mmhost(
      "backtest strategies/eth_bos_mm.lua --interval 1 --fill-model trades "
      "--cache " +
      candles + " --out " + dir.file("a"));
  CHECK(no_tape.exit_code == 2);  // a usage error
  CHECK(no_tape.output.find("the trades fill model needs the trade tape") != std::string::npos);
  auto book_wrong_model = run_mmhost("backtest strategies/eth_bos_mm.lua --interval 1 --book " +
                                     candles + " --cache " + candles + " --out " + dir.file("b"));
  CHECK(book_wrong_model.exit_code == 2);  // a usage error
  CHECK(book_wrong_model.output.find("--book is for --fill-model book") != std::string::npos);
  auto bad_interval = run_mmhost("backtest strategies/eth_bos_mm.lua --ltf-interval 1x --cache " +
                                 candles + " --out " + dir.file("c"));
  CHECK(bad_interval.exit_code == 2);  // a usage error
  CHECK(bad_interval.output.find("--ltf-interval 1x: not an interval") != std::string::npos);
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("backtest: a daily loss limit halts trading until the next UTC day, and is counted") {
  TempDir dir;
  const std::string strategy =
      edited_strategy(dir, "eth_bos_mm.lua", "risk = p.risk,",
                      "risk = eth.with_changes(p, { risk = { daily_loss_pct = 0.5 } }).risk,");
  const Backtest limited = backtest(dir, "run", "--no-progress", strategy);
  const nlohmann::json& summary = limited.summary;
  const uint64_t trips = summary["risk"]["trips"].value("daily_loss", uint64_t{0});
  CHECK(trips > 0);
  CHECK(summary["risk"]["limits"]["daily_loss_pct"] == 0.5);
  CHECK(summary["risk"]["bars_halted"].get<uint64_t>() > 0);
  // In the event log: after each halt, no order is placed or amended until the next UTC day
  // makes the gate active again; cancels go out.
  std::istringstream events(read_file(dir.file("run/events.jsonl")));
  bool halted = false;
  uint64_t halts = 0;
  int64_t halted_day = 0;
  for (std::string line; std::getline(events, line);) {
    const auto e = nlohmann::json::parse(line);
    if (e["type"] == "risk") {
      halted = e["state"] == "halted";
      if (halted) {
        ++halts;
        halted_day = (e["ts_ns"].get<int64_t>() - 1) / 86'400'000'000'000;
      } else {
        CHECK((e["ts_ns"].get<int64_t>() - 1) / 86'400'000'000'000 > halted_day);
      }
    } else if (halted && e["type"] == "order") {
      CHECK_MESSAGE(e["action"] == "cancel", line);
    }
  }
  CHECK(halts == trips);
  CHECK(limited.result.output.find("risk       ") != std::string::npos);

  // Limits that never bind change nothing: the same event stream as the plain flagship.
  const std::string loose_strategy = edited_strategy(
      dir, "eth_bos_mm.lua", "risk = p.risk,",
      "risk = eth.with_changes(p, { risk = { daily_loss_pct = 50, max_drawdown_pct = 90, "
      "max_order_notional = 1e6, price_band_bps = 5000 } }).risk,");
  const Backtest loose = backtest(dir, "loose", "--no-progress", loose_strategy);
  const Backtest plain = backtest(dir, "plain");
  CHECK(loose.summary["event_hash"] == plain.summary["event_hash"]);
  CHECK(loose.summary["risk"]["vetoes"].empty());
}

namespace {

// Every quantity in fills.csv, as the text it was written with.
std::vector<std::string> fill_quantities(const std::string& fills_csv) {
  std::vector<std::string> out;
  std::istringstream in(read_file(fills_csv));
  std::string line;
  std::getline(in, line);  // header: time,ts_ns,id,side,price,qty,...
  while (std::getline(in, line)) {
    std::string field;
    std::istringstream row(line);
    for (int i = 0; i < 6; ++i) std::getline(row, field, ',');
    out.push_back(field);
  }
  return out;
}

int64_t decimals(const std::string& text) {
  const size_t dot = text.find('.');
  return dot == std::string::npos ? 0 : static_cast<int64_t>(text.size() - dot - 1);
}

std::string btc_strategy(const TempDir& dir, const std::string& market_extra) {
  return mmh::test::write_file(dir.file("btc.lua"),
                               "return mmhost.strategy{ core = 'bos_mm',\n"
                               "  market = { symbol = 'BTCUSDT', ltf = '1m', htf = '5m'" +
                                   market_extra +
                                   " },\n"
                                   "  capital = { allocation = 10000 } }\n");
}

}  // namespace

TEST_CASE(
    "backtest: BTCUSDT's stated lot of 0.000001 sizes every fill, from the strategy or a "
    "file beside the data") {
  TempDir dir;
  const std::string data = mmh::test::trimmed_shared_data(
      dir, "candles/binance_spot_BTCUSDT_1m_2025-05-20_2025-08-18.csv", 30000);
  auto check_run = [&](const std::string& strategy, const std::string& out) {
    const auto r = run_mmhost(
        "backtest " + strategy + " --cache " + data + " --out " + dir.file(out) + " --no-progress",
        "MMHOST_CACHE_DIR=" + dir.file("cache"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(r.output.find("instrument BTCUSDT: tick 0.01, lot 0.000001, min order value 1 USDT") !=
          std::string::npos);
    const std::vector<std::string> qty = fill_quantities(dir.file(out + "/fills.csv"));
    REQUIRE(qty.size() > 20);
    size_t finer_than_eth = 0;
    for (const std::string& q : qty) {
      CHECK_MESSAGE(decimals(q) <= 6, q);
      if (decimals(q) == 6) ++finer_than_eth;
    }
    // ETHUSDT's lot (0.00001) would round every one of these to 5 decimals.
    CHECK(finer_than_eth > qty.size() / 2);
  };
  check_run(btc_strategy(dir,
                         ", instrument = { tick_size = '0.01', lot_size = '0.000001', "
                         "min_order_qty = '0.000048', min_order_value = '1' }"),
            "stated");
  // The same from a sidecar file beside the data, the strategy silent.
  mmh::test::write_file(data + ".instrument.json",
                        R"({"symbol": "BTCUSDT", "tick_size": "0.01", "lot_size": "0.000001",)"
                        R"( "min_order_qty": "0.000048", "min_order_value": "1"})");
  const std::string silent = btc_strategy(dir, "");
  check_run(silent, "sidecar");
  CHECK(read_file(dir.file("stated/fills.csv")) == read_file(dir.file("sidecar/fills.csv")));
  // With neither, the run refuses and says how to state it; a sidecar for another symbol too.
  std::filesystem::remove(data + ".instrument.json");
  auto r = run_mmhost("backtest " + silent + " --cache " + data + " --out " + dir.file("none"),
                      "MMHOST_CACHE_DIR=" + dir.file("cache"));
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("does not say BTCUSDT's trading rules; state them in the strategy's "
                      "market table") != std::string::npos);
  CHECK(r.output.find(".instrument.json") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("none")));
  mmh::test::write_file(data + ".instrument.json",
                        R"({"symbol": "ETHUSDT", "tick_size": "0.01", "lot_size": "0.00001"})");
  r = run_mmhost("backtest " + silent + " --cache " + data + " --out " + dir.file("other"),
                 "MMHOST_CACHE_DIR=" + dir.file("cache"));
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("is for ETHUSDT, the run trades BTCUSDT") != std::string::npos);
}

TEST_CASE(
    "backtest: the core hears the book's top, and its spread input changes a policy "
    "decision") {
  // The tick strategy with a defensive spread of 0.01 bp: ETHUSDT's one-tick spread (about
  // 0.04 bp) passes it, so with the book the policy turns Defensive for the spread; with the
  // trade tape alone the core never learns a spread, and no decision names one.
  std::string trades, book;
  std::tie(trades, book) = tick_window();
  TempDir dir;
  const std::string strategy = edited_strategy(
      dir, "eth_bos_mm_ticks.lua", "  grid = { step_min_bps = 1 },",
      "  grid = { step_min_bps = 1 },\n  policy = { defensive_spread_bps = 0.01 },");
  auto decisions = [&](const std::string& args, const std::string& out) {
    const auto r = run_mmhost("backtest " + strategy + " --cache " + trades + " " + args +
                                  " --out " + dir.file(out) + " --no-progress",
                              "MMHOST_CACHE_DIR=" + dir.file("cache"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> policy;
    std::istringstream events(read_file(dir.file(out + "/events.jsonl")));
    for (std::string line; std::getline(events, line);)
      if (line.find("\"kind\":\"policy_changed\"") != std::string::npos) policy.push_back(line);
    return policy;
  };
  const auto with_book = decisions("--fill-model book --book " + book, "book");
  const auto tape_only = decisions("--fill-model trades", "tape");
  size_t spread = 0;
  for (const std::string& line : with_book)
    if (line.find("->defensive cause=spread") != std::string::npos) ++spread;
  CHECK(spread > 0);
  for (const std::string& line : tape_only) CHECK(line.find("cause=spread") == std::string::npos);
}

TEST_CASE("backtest: summary.json nests what the core publishes, never over the host's figures") {
  nlohmann::ordered_json j = {{"fills", {{"total", 3}}}, {"net_pnl", "1.5"}};
  mmh::add_core_metrics(j, {{"stage1.bos_confirmed", true, 4},
                            {"stage1.transitions.idle->bos", true, 2},
                            {"stage1.time_in_mm_share", false, 1.0 / 3.0},
                            {"fills.total", true, 99},
                            {"net_pnl", false, 7},
                            {"flat", true, 1}});
  CHECK(j["fills"]["total"] == 3);  // the host's
  CHECK(j["net_pnl"] == "1.5");
  CHECK(j["core"]["fills"]["total"] == 99);
  CHECK(j["core"]["net_pnl"] == 7.0);
  CHECK(j["stage1"]["bos_confirmed"] == 4);
  CHECK(j["stage1"]["bos_confirmed"].is_number_unsigned());
  CHECK(j["stage1"]["transitions"]["idle->bos"] == 2);
  CHECK(j["stage1"]["time_in_mm_share"] == 0.333333);
  CHECK(j["flat"] == 1);
  // The core's order, after the host's figures.
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"fills", "net_pnl", "stage1", "core", "flat"});
}

TEST_CASE("mmhost backtest: a --start/--end outside the data is an error naming the data's span") {
  TempDir dir;
  const mmh::test::CommandResult r = run_mmhost(
      "backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --start 2025-06-01 "
      "--end 2025-07-01 --cache data/sample/ETHUSDT_1m_synthetic.csv --no-progress --out " +
      dir.file("run"));
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("--start/--end select no data of data/sample/ETHUSDT_1m_synthetic.csv: it "
                      "covers 2025-01-01T00:00:00Z to") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("run/summary.json")));
}

TEST_CASE("mmhost backtest --set and --summary-only: a parameter over the script's, figures only") {
  TempDir dir;
  const std::string base =
      "backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --cache "
      "data/sample/ETHUSDT_1m_synthetic.csv --no-progress ";
  const mmh::test::CommandResult full =
      run_mmhost(base + "--set grid.levels=6 --out " + dir.file("a"));
  const mmh::test::CommandResult lean =
      run_mmhost(base + "--set grid.levels=6 --summary-only --out " + dir.file("b"));
  const mmh::test::CommandResult plain = run_mmhost(base + "--summary-only --out " + dir.file("c"));
  REQUIRE(full.exit_code == 0);
  REQUIRE(lean.exit_code == 0);
  REQUIRE(plain.exit_code == 0);
  const auto hash = [&](const char* run) {
    return nlohmann::json::parse(
        read_file(dir.file(std::string(run) + "/summary.json")))["event_hash"];
  };
  CHECK(hash("a") == hash("b"));  // the same run, without its files
  CHECK(hash("a") != hash("c"));  // the parameter changed it
  CHECK(std::filesystem::exists(dir.file("a/events.jsonl")));
  CHECK_FALSE(std::filesystem::exists(dir.file("b/events.jsonl")));
  CHECK_FALSE(std::filesystem::exists(dir.file("b/report.html")));
  const mmh::test::CommandResult bad =
      run_mmhost(base + "--set grid.nope=1 --out " + dir.file("d"));
  CHECK(bad.exit_code != 0);
  CHECK(bad.output.find("unknown bos_mm parameter 'grid.nope'") != std::string::npos);
  CHECK(
      run_mmhost(base + "--set levels --out " + dir.file("e")).output.find("expected NAME=VALUE") !=
      std::string::npos);
  // The event hash comes back from the run's events.jsonl.
  const mmh::test::CommandResult again = run_mmhost("event-hash " + dir.file("a"));
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.rfind(hash("a").get<std::string>() + "  ", 0) == 0);
  CHECK(run_mmhost("event-hash " + dir.file("b")).exit_code != 0);  // no events.jsonl there
}

namespace {

// The flagship on the sample data with `--set` options, summary only.
class SampleRuns {
 public:
  // A run that must succeed: its summary.json.
  nlohmann::json summary(const std::string& set, const char* out) const {
    const mmh::test::CommandResult r = run(set, out);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(read_file(dir_.file(std::string(out) + "/summary.json")));
  }
  // A run that must be refused: what it said.
  std::string refusal(const std::string& set) const {
    const mmh::test::CommandResult r = run(set, "refused");
    CHECK(r.exit_code != 0);
    return r.output;
  }

 private:
  mmh::test::CommandResult run(const std::string& set, const char* out) const {
    return run_mmhost(
        "backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --cache "
        "data/sample/ETHUSDT_1m_synthetic.csv --no-progress --summary-only " +
        set + " --out " + dir_.file(out));
  }
  TempDir dir_;
};

}  // namespace

TEST_CASE("execution.replace_threshold_ticks: orders within it stay, 0 is the old rule") {
  const SampleRuns runs;
  const nlohmann::json plain = runs.summary("", "a");
  const nlohmann::json zero = runs.summary("--set execution.replace_threshold_ticks=0", "b");
  const nlohmann::json wide = runs.summary("--set execution.replace_threshold_ticks=300", "c");
  CHECK(zero["event_hash"] == plain["event_hash"]);
  CHECK(zero["net_pnl"] == plain["net_pnl"]);
  REQUIRE(plain["orders"]["placed"].get<int>() > 0);
  CHECK(wide["orders"]["placed"].get<int>() < plain["orders"]["placed"].get<int>());
  CHECK(wide["orders"]["cancel_requests"].get<int>() <
        plain["orders"]["cancel_requests"].get<int>());
  CHECK(runs.refusal("--set execution.replace_threshold_ticks=-1")
            .find("replace_threshold_ticks must be a whole number") != std::string::npos);
}

TEST_CASE("execution.reprice: amend moves working orders, replace is the old rule") {
  const SampleRuns runs;
  const nlohmann::json plain = runs.summary("", "a");
  const nlohmann::json replace = runs.summary("--set execution.reprice=replace", "b");
  const nlohmann::json amend = runs.summary("--set execution.reprice=amend", "c");
  CHECK(replace["event_hash"] == plain["event_hash"]);
  CHECK(replace["net_pnl"] == plain["net_pnl"]);
  REQUIRE(plain["orders"]["placed"].get<int>() > 0);
  CHECK(amend["orders"]["placed"].get<int>() < plain["orders"]["placed"].get<int>());
  CHECK(amend["orders"]["amended"].get<int>() > plain["orders"]["amended"].get<int>());
  CHECK(amend["orders"]["cancel_requests"].get<int>() <
        plain["orders"]["cancel_requests"].get<int>());
  CHECK(runs.refusal("--set execution.reprice=move")
            .find("execution.reprice must be \"replace\" or \"amend\", got 'move'") !=
        std::string::npos);
}
