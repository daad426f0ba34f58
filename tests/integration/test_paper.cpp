// `mmhost run --paper` end to end against the loopback fake Bybit over TLS: the connector takes
// the instrument and warm-up bars over REST, builds the book from the public WebSocket, and when
// the fake loses a delta (a sequence gap) the host pulls its quotes, the connector resubscribes,
// and quoting resumes on the fresh snapshot; all of it in the run's log and report.
#include "fake_bybit.hpp"
#include "live_history.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>

// Needs the bybit_spot plugin (the fake exchange speaks its protocol): test suite "bybit"
// (mmhost_tests -tse=bybit leaves it out; tools/test.sh runs the rest without the plugin).
TEST_SUITE_BEGIN("bybit");

using namespace mmh::test;

namespace {

constexpr int64_t E8 = 100000000;

// The fake at the flagship's moment of entry. Warm-up ends just after the flagship's bullish BOS
// and confirmed pullback of 2025-05-20 18:04 (see `mmhost run ... --events` on that file): it
// wants to buy now. The fake's clock is pinned half-way into a minute, so the warm-up ends on
// the same bar however long the run takes to start, and the history moves by whole 5-minute bars
// (the strategy's HTF), so its structure bars are the ones of the original data: the last minute
// M <= now with M = 18:04 (mod 5 min). The book straddles the last close (2499.30), so the core's
// PostOnly rebalance bid there rests. Returns that minute.
int64_t set_up_market(FakeBybit& fake) {
  int64_t now_minute = wall_clock_ms() / 60000 * 60000;
  while ((now_minute - 1747764240000) % 300000 != 0) now_minute -= 60000;
  fake.set_candles(history_ending_now(1747764180000, now_minute));  // 2025-05-20T18:03Z
  fake.set_clock(0, now_minute + 30000);
  std::vector<mmh_book_level> bids, asks;
  for (int i = 0; i < 20; ++i) {
    bids.push_back({2499 * E8 + 20000000 - i * 10 * 1000000, 2 * E8});
    asks.push_back({2499 * E8 + 40000000 + i * 10 * 1000000, 2 * E8});
  }
  fake.set_book("ETHUSDT", bids, asks, 5000);
  return now_minute;
}

// Live market: trades through the touch and book moves.
void churn(FakeBybit& fake, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    const int64_t bump = (i % 5) * 1000000;
    fake.publish_book_delta({{2499 * E8 + 20000000 - bump, (3 + i % 4) * E8}},
                            {{2499 * E8 + 40000000 + bump, (2 + i % 3) * E8}});
    fake.publish_trade(wall_clock_ms(), 2499 * E8 + 40000000, E8 / 2, true);
    fake.publish_trade(wall_clock_ms(), 2499 * E8 + 30000000, E8 / 2, false);  // sells at our bid
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
}

}  // namespace

TEST_CASE("mmhost run --paper: builds the book, resyncs after a gap, pulls quotes meanwhile") {
  FakeBybit fake;
  const int64_t now_minute = set_up_market(fake);
  TempDir dir;
  const std::string venue = fake.write_venue_file(dir.path().string());

  auto run = std::async(std::launch::async, [&] {
    return run_mmhost("run strategies/eth_bos_mm.lua --paper --venue " + venue +
                      " --duration 6s --log-level info --out " + dir.file("run"));
  });
  REQUIRE(wait_for([&] { return fake.subscribes("orderbook.50.ETHUSDT") >= 1; }, 15000));
  // Live market: trades through the touch and book moves, then a lost delta.
  churn(fake, 25);
  const size_t subscribes_before = fake.subscribes("orderbook.50.ETHUSDT");
  fake.drop_next_book_delta();
  fake.publish_book_delta({{2498 * E8, E8}}, {});
  REQUIRE(
      wait_for([&] { return fake.subscribes("orderbook.50.ETHUSDT") > subscribes_before; }, 5000));
  churn(fake, 25);
  // A confirmed kline push for the bar the REST warm-up already returned: not fed again.
  const std::vector<mmh_candle> history = history_ending_now(1747764180000, now_minute);
  fake.publish_kline("1", history[history.size() - 2]);  // the last closed (the last one forms)
  churn(fake, 5);
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  // The instrument and the warm-up came over REST.
  CHECK(r.output.find("instrument ETHUSDT: tick 0.01, lot 0.00001") != std::string::npos);
  // Exactly the bars asked for (1000 by default), all closed, and none of them twice.
  CHECK(r.output.find("bybit: 1000 closed 1m bars of warm-up") != std::string::npos);
  CHECK(r.output.find("live       1,000 bars fed to the core (1 repeated, dropped)") !=
        std::string::npos);
  CHECK(r.output.find("error") == std::string::npos);
  CHECK(fake.count("/v5/market/instruments-info") == 1);
  // The gap: seen by the connector, quotes pulled by the host, resumed on the new snapshot.
  CHECK(r.output.find("book gap (u 5027 after 5025)") != std::string::npos);
  CHECK(r.output.find("quotes pulled at") != std::string::npos);
  CHECK(r.output.find("quotes restored at") != std::string::npos);
  CHECK(r.output.find("quotes pulled 1 times") != std::string::npos);
  CHECK(r.output.find("source     bybit_spot") != std::string::npos);
  // The warm-up ended on a confirmed pullback: the core bought on the live book and quotes.
  CHECK(r.output.find("rebalance->mm 1") != std::string::npos);
  CHECK(r.output.find("desired    grid: 4 bids, 4 asks") != std::string::npos);
}

TEST_CASE("mmhost run --paper --resume: the ledger goes on from the run's start, fills once") {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  const std::string venue = fake.write_venue_file(dir.path().string());
  const std::string run_dir = dir.file("run");
  auto paper = [&](const std::string& args) {
    return std::async(std::launch::async, [&, args] {
      return run_mmhost("run strategies/eth_bos_mm.lua --paper --venue " + venue +
                        " --log-level info " + args);
    });
  };
  const size_t subscribed = fake.subscribes("orderbook.50.ETHUSDT");
  auto first = paper("--duration 5s --out " + run_dir);
  REQUIRE(wait_for([&] { return fake.subscribes("orderbook.50.ETHUSDT") > subscribed; }, 15000));
  churn(fake, 25);
  const CommandResult r1 = first.get();
  INFO(r1.output);
  REQUIRE(r1.exit_code == 0);
  const CommandResult fills1 = run_mmhost("journal " + run_dir + " --kind fill");
  CHECK(fills1.output.find("fill  ") != std::string::npos);  // the first run filled

  const size_t subscribed2 = fake.subscribes("orderbook.50.ETHUSDT");
  auto second = paper("--duration 4s --resume " + run_dir);
  if (!wait_for([&] { return fake.subscribes("orderbook.50.ETHUSDT") > subscribed2; }, 15000))
    FAIL(second.get().output);
  churn(fake, 10);
  const CommandResult r2 = second.get();
  INFO(r2.output);
  CHECK(r2.exit_code == 0);
  CHECK(r2.output.find("resuming " + run_dir) != std::string::npos);
  // The journal holds both runs, the second's fills after the first's, none dropped as repeated
  // (the simulated venue numbers its fills afresh).
  CHECK(r2.output.find("applied before") == std::string::npos);
  const CommandResult notes = run_mmhost("journal " + run_dir + " --json --kind note");
  CHECK(notes.output.find("run started") != std::string::npos);
  CHECK(notes.output.find("run resumed") != std::string::npos);
  // The ledger is the whole run's: it starts from the first run's start (10,000 USDT) and holds
  // the first run's fills (the simulated wallet was set to where they left it).
  auto maker_fills = [](const std::string& out) {
    const size_t at = out.find("simfill 0.1.0: ");
    return at == std::string::npos ? -1 : std::atoi(out.c_str() + at + 15);
  };
  REQUIRE(maker_fills(r1.output) > 0);
  CHECK(maker_fills(r2.output) >= maker_fills(r1.output));
  CHECK(r2.output.find("0 ETH + 10000 USDT") != std::string::npos);
  const auto holdings = [](const std::string& out) {
    const size_t at = out.find("holdings   ");
    return out.substr(at, out.find(' ', at + 11) - at);
  };
  if (maker_fills(r2.output) == maker_fills(r1.output))
    CHECK(holdings(r2.output) == holdings(r1.output));
}

TEST_SUITE_END();
