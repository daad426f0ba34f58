// End-to-end: `mmhost backtest` as a user runs it, on real candles.
#include "test_support.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

using mmh::test::read_file;
using mmh::test::run_mmhost;
using mmh::test::TempDir;

namespace {

const char* kOneMinute = "candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv";

int64_t e8(const nlohmann::json& text) {
  int64_t v = 0;
  REQUIRE(mmh::sdk::parse_e8(text.get<std::string>(), v) == mmh::sdk::ParseDecimal::ok);
  return v;
}

struct Backtest {
  mmh::test::CommandResult result;
  nlohmann::json summary;
};

Backtest backtest(const TempDir& dir, const std::string& out, const std::string& extra = "") {
  const std::string data = mmh::test::shared_data(kOneMinute);
  REQUIRE_MESSAGE(std::filesystem::exists(data), "missing real data: ", data);
  Backtest b;
  b.result = run_mmhost(
      "backtest strategies/eth_bos_mm.lua --symbol ETHUSDT --htf-interval 5 "
      "--ltf-interval 1 --start 2025-06-01 --end 2025-07-01 --cache " +
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
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("no such file") != std::string::npos);
  CHECK(missing.output.find("mmhost fetch --symbol ETHUSDT --interval 5 --start 2026-01-01") !=
        std::string::npos);
  const std::string data = mmh::test::shared_data(kOneMinute);
  auto bad_date = run_mmhost(
      "backtest strategies/eth_bos_mm.lua --interval 1 --start 2025-13-01 "
      "--cache " +
      data);
  CHECK(bad_date.exit_code == 1);
  CHECK(bad_date.output.find("is not a UTC date") != std::string::npos);
  auto bad_fee = run_mmhost("backtest strategies/eth_bos_mm.lua --interval 1 --fees 5 --cache " +
                            data + " --out " + dir.file("x"));
  CHECK(bad_fee.exit_code == 1);
  CHECK(bad_fee.output.find("fee rate maker must be in") != std::string::npos);
}
