// `mmhost fetch` end to end against the loopback fake Bybit over TLS: a multi-page range,
// interrupted by exchange failures, resumed by the same command, read back by the replay.
#include "csv_series.hpp"
#include "fake_bybit.hpp"
#include "file_bytes.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

// Needs the bybit_spot plugin (the fake exchange speaks its protocol): test suite "bybit"
// (mmhost_tests -tse=bybit leaves it out; tools/test.sh runs the rest without the plugin).
TEST_SUITE_BEGIN("bybit");

using namespace mmh::test;

namespace {

std::vector<mmh_candle> first_days(int days) {
  const std::string path = shared_data("candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv");
  auto s = mmh::replay::parse_candle_csv(mmh::replay::read_file_bytes(path), path, 60000000000LL);
  s.candles.resize(static_cast<size_t>(days) * 1440);
  return s.candles;
}

}  // namespace

TEST_CASE("mmhost fetch: a multi-page range, interrupted, resumed, read back with 0 gaps") {
  FakeBybit fake;
  fake.set_candles(first_days(3));
  TempDir dir;
  const std::string venue = fake.write_venue_file(
      dir.path().string(), "max_attempts: 2\nbackoff_initial_ms: 1\nbackoff_max_ms: 2\n");
  const std::string cache = dir.file("eth_1m.csv");
  const std::string args =
      "fetch --symbol ETHUSDT --interval 1 --start 2025-05-20 --end "
      "2025-05-23 --limit 1000 --venue " +
      venue + " --cache " + cache;

  // The exchange drops every kline connection after the second page.
  fake.inject({"/v5/market/kline", FaultKind::disconnect, 0, -1, 2});
  const CommandResult failed = run_mmhost(args);
  CHECK(failed.exit_code == 1);
  CHECK(failed.output.find("fetch failed") != std::string::npos);
  CHECK(failed.output.find("keeps 2,000 bars") != std::string::npos);
  CHECK(failed.output.find("run the same command again") != std::string::npos);
  const auto partial = mmh::replay::parse_candle_csv(read_file(cache), cache);
  CHECK(partial.candles.size() == 2000);

  fake.clear_faults();
  const size_t pages_before = fake.count("/v5/market/kline");
  const CommandResult resumed = run_mmhost(args);
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.output.find("2,000 bars before, +2,320 new = 4,320 bars") != std::string::npos);
  CHECK(resumed.output.find("3 windows requested") != std::string::npos);
  CHECK(resumed.output.find("gaps       none") != std::string::npos);
  CHECK(fake.count("/v5/market/kline") - pages_before == 3);

  const auto series = mmh::replay::parse_candle_csv(read_file(cache), cache);
  CHECK(series.candles.size() == 4320);
  CHECK(series.gaps.gap_count == 0);
  CHECK(read_file(cache).rfind("# Bybit spot ETHUSDT 1m klines (fake)", 0) == 0);

  // The replay (through mmhost itself) reads the cache: 0 gaps.
  const CommandResult run = run_mmhost("run strategies/eth_bos_mm.lua --replay " + cache);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.output.find("4,320 1m candles, 0 gaps") != std::string::npos);
}

TEST_CASE("mmhost fetch: bad input is refused with what to do") {
  const CommandResult interval = run_mmhost(
      "fetch --symbol ETHUSDT --interval 2 --start 2025-01-01 --end 2025-01-02 --cache /tmp/x.csv");
  CHECK(interval.exit_code == 2);  // a usage error
  CHECK(interval.output.find("not a Bybit kline interval") != std::string::npos);
  const CommandResult range =
      run_mmhost("fetch --symbol ETHUSDT --start 2025-01-02 --end 2025-01-01 --cache /tmp/x.csv");
  CHECK(range.exit_code == 2);  // a usage error
  CHECK(range.output.find("is not after --start") != std::string::npos);
  const CommandResult venue = run_mmhost(
      "fetch --symbol ETHUSDT --start 2025-01-01 --end 2025-01-02 --venue moonnet --cache "
      "/tmp/x.csv");
  CHECK(venue.exit_code == 2);  // a usage error
  CHECK(venue.output.find("venue 'moonnet' not found") != std::string::npos);
  const CommandResult help = run_mmhost("fetch --help");
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("resumes") != std::string::npos);
}

TEST_SUITE_END();
