// End-to-end: the mmhost binary as a user runs it.
#include "app/backtest_command.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

using mmh::test::run_mmhost;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {

const std::string kStrategy =
    "return mmhost.strategy{ name = 'cli', market = { data = 'replay', symbol = 'ETHUSDT', ltf = "
    "'1m', htf = '5m' } }\n";

std::string cache_env(const TempDir& dir) {
  return "MMHOST_CACHE_DIR=" + dir.file("cache");
}

}  // namespace

TEST_CASE("cli: help and version teach, bad usage exits 2 saying what was expected") {
  auto help = run_mmhost("--help");
  CHECK(help.exit_code == 0);
  for (const char* cmd : {"plugins", "run", "sample-data", "event-hash"})
    CHECK(help.output.find(cmd) != std::string::npos);
  auto run_help = run_mmhost("run --help");
  CHECK(run_help.exit_code == 0);
  CHECK(run_help.output.find("--replay") != std::string::npos);
  CHECK(run_help.output.find("Examples:") != std::string::npos);
  CHECK(run_mmhost("--version").output.find("plugin ABI 1.6") != std::string::npos);

  auto unknown = run_mmhost("frobnicate");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("unknown command 'frobnicate' (commands: plugins, run, backtest, "
                            "batch, sample-data, fetch, halt, reduce, resume, status, journal, "
                            "event-hash, serve, params, worker)") != std::string::npos);
  auto bad_flag = run_mmhost("plugins --colour");
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.output.find("--colour") != std::string::npos);
  auto none = run_mmhost("");
  CHECK(none.exit_code == 2);
  auto missing_arg = run_mmhost("run");
  CHECK(missing_arg.exit_code == 2);
  CHECK(missing_arg.output.find("strategy is required") != std::string::npos);
}

TEST_CASE("cli: plugins lists replay, a bad plugin is reported and the host continues") {
  auto table = run_mmhost("plugins");
  CHECK(table.exit_code == 0);
  CHECK(table.output.find("replay") != std::string::npos);
  CHECK(table.output.find("abi 1.6") != std::string::npos);

  auto json = run_mmhost("plugins --json --plugin-path " + mmh::test::test_plugin_dir());
  CHECK(json.exit_code == 0);
  CHECK(json.output.find(R"({"name":"replay","kinds":["data"],"version":"0.1.0","abi":"1.6")") !=
        std::string::npos);
  CHECK(json.output.find(R"("name":"good")") != std::string::npos);
  CHECK(json.output.find("wrong_major.so\",\"problems\":[\"built for plugin ABI 2.0 but this host "
                         "speaks ABI 1.6") != std::string::npos);
}

TEST_CASE("cli: a bad config file fails with file:line:column and the key path") {
  TempDir dir;
  const std::string config = write_file(dir.file("bad.yaml"), "log:\n  level: loud\n");
  auto r = run_mmhost("--config " + config + " plugins");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(config + ":2:10: log.level: 'loud' is not one of") != std::string::npos);
}

TEST_CASE(
    "cli: run replays the 90-day 1m file: 130,708 candles, 0 gaps, 26,142 5m bars (1 partial)") {
  const std::string data =
      mmh::test::shared_data("candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv");
  REQUIRE_MESSAGE(std::filesystem::exists(data), "missing real data: ", data);
  TempDir dir;
  const std::string strategy = write_file(dir.file("s.lua"), kStrategy);
  for (const bool cached : {false, true}) {
    auto r = run_mmhost("run " + strategy + " --replay " + data, cache_env(dir));
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("130,708 1m candles, 0 gaps") != std::string::npos);
    CHECK(r.output.find("candle 130,708") != std::string::npos);
    CHECK(r.output.find("26,142 5m bars (1 partial)") != std::string::npos);
    CHECK((r.output.find("(binary cache)") != std::string::npos) == cached);
  }
}

TEST_CASE("cli: malformed CSVs fail with file:line and a non-zero exit") {
  TempDir dir;
  const std::string strategy = write_file(dir.file("s.lua"), kStrategy);
  const std::string header = "ts_ms,open,high,low,close,volume\n";
  struct Case {
    const char* name;
    std::string body;
    const char* expected;
  };
  const Case cases[] = {
      {"bad_header.csv", "time,o,h,l,c,v\n60000,1,1,1,1,1\n", ":1: bad header"},
      {"not_a_number.csv", header + "60000,1,1,1,1,1\n120000,1,1,x,1,1\n",
       ":3: column 'low': not a number ('x')"},
      {"high_below_low.csv", header + "60000,1,1,1,1,1\n120000,2,1,3,2,1\n180000,1,1,1,1,1\n",
       ":3: high 1 is below low 3"},
      {"backwards.csv", header + "120000,1,1,1,1,1\n60000,1,1,1,1,1\n",
       ":3: timestamp 60000 is not after the previous row's 120000"},
  };
  for (const Case& c : cases) {
    const std::string csv = write_file(dir.file(c.name), c.body);
    auto r = run_mmhost("run " + strategy + " --replay " + csv, cache_env(dir));
    INFO(c.name << ": " << r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find(csv + c.expected) != std::string::npos);
    CHECK(r.output.find("events") == std::string::npos);  // nothing partial reported as success
  }
}

TEST_CASE("cli: a strategy naming a missing plugin says which ones exist") {
  TempDir dir;
  const std::string strategy = write_file(
      dir.file("s.lua"),
      "return mmhost.strategy{ market = { data = 'nope', symbol = 'X', file = 'x.csv' } }\n");
  auto r = run_mmhost("run " + strategy);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("market.data names plugin 'nope', which was not found among data plugins "
                      "(available: ") != std::string::npos);
  CHECK(r.output.find("replay)") != std::string::npos);  // whichever others are installed
}

TEST_CASE("cli: the main job: sample-data, then run the flagship strategy offline") {
  TempDir dir;
  const std::string data_dir = dir.file("data");
  auto gen = run_mmhost("--data-dir " + data_dir + " sample-data --days 10");
  CHECK(gen.exit_code == 0);
  CHECK(gen.output.find("wrote 14,400 synthetic 1m candles") != std::string::npos);
  auto r = run_mmhost("--data-dir " + data_dir + " run strategies/eth_bos_mm.lua", cache_env(dir));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("14,400 1m candles, 0 gaps") != std::string::npos);
  CHECK(r.output.find("2,880 5m bars") != std::string::npos);

  auto missing = run_mmhost("--data-dir " + dir.file("empty") + " run strategies/eth_bos_mm.lua",
                            cache_env(dir));
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("mmhost sample-data") != std::string::npos);
}

TEST_CASE("cli: global options work after the command, and a trade file replays") {
  const std::string trades = mmh::test::shared_data(
      "trades/binance_spot_ETHUSDT_trades_2024-08-08T235415_2024-08-09T000505.csv");
  REQUIRE_MESSAGE(std::filesystem::exists(trades), "missing real data: ", trades);
  TempDir dir;
  const std::string strategy = write_file(dir.file("s.lua"), kStrategy);
  const std::string config =
      write_file(dir.file("c.yaml"), "cache_dir: " + dir.file("cache2") + "\n");
  auto r = run_mmhost("run " + strategy + " --replay " + trades + " --config " + config);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("data       14,515 trade records") != std::string::npos);
  CHECK(r.output.find("trade 14,515") != std::string::npos);
  CHECK(
      std::filesystem::exists(dir.file("cache2") + "/replay"));  // the config's cache_dir was used
}

TEST_CASE("cli: plugins lists bos_mm as a core plugin") {
  auto table = run_mmhost("plugins");
  INFO(table.output);
  CHECK(table.output.find("bos_mm         core") != std::string::npos);
}

TEST_CASE("cli: run with the bos_mm core on Bybit 5m data summarises its decisions, reproducibly") {
  const std::string data =
      mmh::test::shared_data("candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv");
  REQUIRE_MESSAGE(std::filesystem::exists(data), "missing real data: ", data);
  TempDir dir;
  std::string hashes[2];
  for (int i = 0; i < 2; ++i) {
    auto r = run_mmhost("run strategies/eth_bos_mm_5m.lua --replay " + data, cache_env(dir));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(r.output.find("core       bos_mm 1.0.0: ") != std::string::npos);
    CHECK(r.output.find("bos_confirmed       2,313  (bearish 1,122, bullish 1,191)") !=
          std::string::npos);
    CHECK(r.output.find("  pullback_confirmed  ") != std::string::npos);
    CHECK(r.output.find("idle->bos ") != std::string::npos);
    const size_t at = r.output.find(" decisions, hash ");
    REQUIRE(at != std::string::npos);
    hashes[i] = r.output.substr(at + 17, 16);
  }
  CHECK(hashes[0] == hashes[1]);
  // --events prints one line per decision, in time order.
  auto events =
      run_mmhost("run strategies/eth_bos_mm_5m.lua --events --replay " + data, cache_env(dir));
  CHECK(events.output.find("2025-01-01T") != std::string::npos);
  CHECK(events.output.find(" transition idle->bos reason=bos_confirmed ") != std::string::npos);
}

TEST_CASE("cli: a bad core parameter fails naming it") {
  TempDir dir;
  const std::string strategy = write_file(
      dir.file("s.lua"),
      "return mmhost.strategy{ core = 'bos_mm', market = { symbol = 'ETHUSDT', ltf = '5m', htf = "
      "'5m', " MMH_ETH_INSTRUMENT " }, grid = { levelz = 3 } }\n");
  const std::string csv = write_file(dir.file("c.csv"),
                                     "ts_ms,open,high,low,close,volume\n"
                                     "1735689600000,1,1,1,1,1\n");
  auto r = run_mmhost("run " + strategy + " --replay " + csv, cache_env(dir));
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("s.lua:1: unknown bos_mm parameter 'grid.levelz' (did you mean "
                      "'grid.levels'?) (bos_mm)") != std::string::npos);
  const std::string range = write_file(
      dir.file("r.lua"),
      "return mmhost.strategy{ core = 'bos_mm', market = { symbol = 'ETHUSDT', ltf = '5m', htf = "
      "'5m', " MMH_ETH_INSTRUMENT " }, grid = { levels = 99 } }\n");
  auto out_of_range = run_mmhost("run " + range + " --replay " + csv, cache_env(dir));
  CHECK(out_of_range.exit_code == 1);
  CHECK(out_of_range.output.find("r.lua:1: grid.levels must be in [1, 20], got 99 (bos_mm)") !=
        std::string::npos);
}

TEST_CASE("mmhost backtest and fetch: an impossible date is refused, naming the flag and value") {
  for (const char* args :
       {"backtest strategies/eth_bos_mm.lua --cache x.csv --start 2025-02-31",
        "backtest strategies/eth_bos_mm.lua --cache x.csv --start 2025-02-01 --end 2025-13-01",
        "fetch --symbol ETHUSDT --interval 1 --start 2025-02-29 --end 2025-03-01 "
        "--cache /nonexistent/x.csv"}) {
    CAPTURE(args);
    const auto r = run_mmhost(args);
    CHECK(r.exit_code != 0);
    const bool named =
        r.output.find("--start '2025-02-31' is not a UTC date") != std::string::npos ||
        r.output.find("--end '2025-13-01' is not a UTC date") != std::string::npos ||
        r.output.find("--start '2025-02-29' is not a UTC date") != std::string::npos;
    CHECK_MESSAGE(named, r.output);
  }
  CHECK(mmh::parse_utc_date_ns("2024-02-29") == 1709164800LL * 1'000'000'000);
  CHECK(mmh::parse_utc_date_ns("2025-08-18T23:59") == 1755561540LL * 1'000'000'000);
  for (const char* bad : {"2025-02-31", "2025-04-31", "2025-00-01", "2025-1-01", "2025-01-01T24:00",
                          "2025-01-01T10:60", "2025-01-01 ", "2025-01-01T1:00", "+025-01-01"})
    CHECK_THROWS_AS(mmh::parse_utc_date_ns(bad), std::invalid_argument);
}

TEST_CASE("cli: outputs replace only regular files, and bad values exit 2 creating nothing") {
  TempDir dir;
  // As root, renaming over /dev/null would replace the system's.
  auto device = run_mmhost("sample-data --days 1 --out /dev/null");
  CHECK(device.exit_code == 2);
  CHECK(device.output.find("/dev/null: a character device, not a regular file; refusing") !=
        std::string::npos);
  CHECK(std::filesystem::is_character_file("/dev/null"));
  const std::string link = dir.file("link.csv");
  std::filesystem::create_symlink("/etc/hostname", link);
  auto symlink = run_mmhost("sample-data --days 1 --out " + link);
  CHECK(symlink.exit_code == 2);
  CHECK(std::filesystem::is_symlink(link));
  auto fetch =
      run_mmhost("fetch --symbol ETHUSDT --start 2025-01-01 --end 2025-01-02 --cache /dev/null");
  CHECK(fetch.exit_code == 2);
  CHECK(fetch.output.find("--cache /dev/null: a character device") != std::string::npos);
  auto speed = run_mmhost("run strategies/eth_bos_mm.lua --speed 1e-300");
  CHECK(speed.exit_code == 2);
  CHECK(speed.output.find("--speed takes a number from 0.001 to 1e9") != std::string::npos);
  auto both = run_mmhost("run strategies/eth_bos_mm.lua --live --paper");
  CHECK(both.exit_code == 2);
  CHECK(both.output.find("--live and --paper exclude each other") != std::string::npos);
}

TEST_CASE("cli: a strategy's market.file stays inside the data dir, and a bad file is not echoed") {
  TempDir dir;
  write_file(dir.file("data/ok.csv"), "ts_ms,open,high,low,close,volume\n60000,1,1,1,1,1\n");
  write_file(dir.file("secret.txt"), "token=hunter2\n");
  for (const std::string& file : {dir.file("secret.txt"), std::string("../secret.txt"),
                                  std::string("sub/../../secret.txt")}) {
    const std::string strategy = write_file(
        dir.file("s.lua"),
        "return mmhost.strategy{ market = { symbol = 'ETHUSDT', file = '" + file + "' } }\n");
    auto r = run_mmhost("run " + strategy + " --data-dir " + dir.file("data"), cache_env(dir));
    INFO(file << ": " << r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("must be a path inside the data dir") != std::string::npos);
    CHECK(r.output.find("hunter2") == std::string::npos);
  }
  // The command line may name any file; one that is not market data is refused without a word
  // of its content.
  const std::string strategy =
      write_file(dir.file("s.lua"), "return mmhost.strategy{ market = { symbol = 'ETHUSDT' } }\n");
  auto r = run_mmhost("run " + strategy + " --replay " + dir.file("secret.txt"), cache_env(dir));
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("bad header") != std::string::npos);
  CHECK(r.output.find("hunter2") == std::string::npos);
}

TEST_CASE("cli: a core error about capital.target_base_share points at the line that set it") {
  TempDir dir;
  const std::string strategy =
      write_file(dir.file("s.lua"),
                 "return mmhost.strategy{ core = 'bos_mm',\n"
                 "  market = { symbol = 'ETHUSDT', ltf = '5m', htf = '5m', " MMH_ETH_INSTRUMENT
                 " },\n"
                 "  capital = { target_base_share = 5 },\n"
                 "}\n");
  auto r = run_mmhost(
      "run " + strategy + " --replay " +
          mmh::test::shared_data("candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv"),
      cache_env(dir));
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find(strategy + ":3: ") != std::string::npos);
  CHECK(r.output.find("(set as capital.target_base_share)") != std::string::npos);
}

TEST_CASE("cli: params lists the core's parameters with defaults and ranges, as text or JSON") {
  const mmh::test::CommandResult table = run_mmhost("params");
  INFO(table.output);
  CHECK(table.exit_code == 0);
  CHECK(table.output.find("core bos_mm") != std::string::npos);
  CHECK(table.output.find("grid.levels") != std::string::npos);
  const mmh::test::CommandResult as_json = run_mmhost("params --json");
  REQUIRE(as_json.exit_code == 0);
  const auto j = nlohmann::json::parse(as_json.output);
  CHECK(j["core"] == "bos_mm");
  bool found = false;
  for (const auto& p : j["params"])
    if (p["name"] == "grid.step_atr") {
      found = true;
      CHECK(p["type"] == "number");
      CHECK(p["unit"] == "ATR");
      CHECK(p.contains("min"));
      CHECK(p.contains("max"));
    }
  CHECK(found);
  const mmh::test::CommandResult unknown = run_mmhost("params --core nosuch");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("no core plugin 'nosuch'") != std::string::npos);
}
