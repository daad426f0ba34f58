// `mmhost run --live` end to end against the loopback fake Bybit over TLS: keys from the
// environment, the exchange's wallet as the ledger's start, real (fake) orders placed (a
// rebalance bid, then the grid) and cancelled at the stop, fills, a forced private reconnect with
// a fill missed meanwhile, and at the end the fake's and mmhost's views of open orders and
// balances equal. Amends are exercised at the venue level (tests/bybit/test_live_venue.cpp).
// The run's whole output never shows the secret.
#include "fake_bybit.hpp"
#include "fake_exchange.hpp"
#include "hook_receiver.hpp"
#include "http_get.hpp"
#include "live_history.hpp"
#include "test_support.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
#include <set>
#include <sstream>
#include <thread>

// Needs the bybit_spot plugin (the fake exchange speaks its protocol): test suite "bybit"
// (mmhost_tests -tse=bybit leaves it out; tools/test.sh runs the rest without the plugin).
TEST_SUITE_BEGIN("bybit");

using namespace mmh::test;

namespace {

constexpr int64_t E8 = 100000000;
const char* kKey = "TESTKEY0123456789";
const char* kSecret = "TESTSECRETabcdefghijklmnopqrstuvwxyz0123";

// The fake at the flagship's moment of entry: the history moved to end now, a book straddling
// the last close, 10,000 USDT, and fee rates that leave fees with 10+ decimals, as Bybit reports
// them ("0.1017827742"): the ledger takes them exactly and never stops on one.
void set_up_market(FakeBybit& fake) {
  int64_t now_minute = wall_clock_ms() / 60000 * 60000;
  while ((now_minute - 1747764240000) % 300000 != 0) now_minute -= 60000;
  fake.set_candles(history_ending_now(1747764180000, now_minute));
  // A running clock (signed requests must stay inside the recv window), 30 s into the minute.
  fake.set_clock(now_minute + 30000 - wall_clock_ms());
  std::vector<mmh_book_level> bids, asks;
  // The last warm-up bar closed at 2499.30: the book straddles it, so the core's PostOnly
  // rebalance bid there rests instead of being killed for taking.
  for (int i = 0; i < 20; ++i) {
    bids.push_back({2499 * E8 + 20000000 - i * 10 * 1000000, 2 * E8});
    asks.push_back({2499 * E8 + 40000000 + i * 10 * 1000000, 2 * E8});
  }
  fake.set_book("ETHUSDT", bids, asks, 5000);
  fake.with_exchange([](FakeExchange& x) {
    x.set_balance("USDT", 10000 * E8);
    x.set_balance("ETH", 0);
    x.set_fee_rate_e8(73'000, 117'000);
  });
}

std::vector<FakeOrder> our_open(FakeBybit& fake) {
  std::vector<FakeOrder> out;
  fake.with_exchange([&](FakeExchange& x) {
    for (const FakeOrder& o : x.open_orders())
      if (o.link_id.rfind("mmh-", 0) == 0) out.push_back(o);
  });
  return out;
}

bool both_sides_rest(FakeBybit& fake) {
  bool buy = false, sell = false;
  for (const FakeOrder& o : our_open(fake)) (o.side == "Buy" ? buy : sell) = true;
  return buy && sell;
}

// "ETH exchange X (locked 0), ledger X;" for both coins, X exact, as the run's report says
// when mmhost's ledger and the exchange's wallet agree.
void check_wallets_equal(FakeBybit& fake, const std::string& output) {
  fake.with_exchange([&](FakeExchange& x) {
    for (const char* coin : {"ETH", "USDT"}) {
      const std::string text = std::string(coin) + " exchange " +
                               mmh::format_e18(x.wallet_e18(coin)) + " (locked 0), ledger " +
                               mmh::format_e18(x.wallet_e18(coin)) + ";";
      CHECK_MESSAGE(output.find(text) != std::string::npos, text);
    }
  });
  CHECK(output.find("; equal") != std::string::npos);
  CHECK(output.find("DIFFERENT") == std::string::npos);
}

// `mmhost run` of the flagship (or `strategy`) live at the fake, keys in the environment.
std::future<CommandResult> start_live_run(FakeBybit& fake, const TempDir& dir,
                                          const std::string& args,
                                          const std::string& strategy = "strategies/eth_bos_mm.lua",
                                          const std::string& more_env = "") {
  const std::string venue = fake.write_venue_file(dir.path().string(), "backoff_initial_ms: 50\n");
  const std::string env =
      std::string("BYBIT_API_KEY=") + kKey + " BYBIT_API_SECRET=" + kSecret + " " + more_env;
  // The run directory (control.sock, risk_state.json) inside the test's own, unless given.
  const std::string out =
      args.find("--out ") == std::string::npos ? " --out " + dir.file("live-run") : "";
  return std::async(std::launch::async, [venue, env, args, strategy, out] {
    return run_mmhost(
        "run " + strategy + " --live --confirm-live --venue " + venue + " " + args + out, env);
  });
}

}  // namespace

TEST_CASE("mmhost run --live: orders, a fill, a forced reconnect, both views end equal") {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  auto run = start_live_run(fake, dir, "--duration 9s --log-level debug");
  auto our_open = [&] { return ::our_open(fake); };
  auto churn = [&](int rounds) {
    for (int i = 0; i < rounds; ++i) {
      const int64_t bump = (i % 5) * 1000000;
      fake.publish_book_delta({{2499 * E8 + 20000000 - bump, (3 + i % 4) * E8}},
                              {{2499 * E8 + 40000000 + bump, (2 + i % 3) * E8}});
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  };
  REQUIRE(wait_for([&] { return fake.subscribes("orderbook.50.ETHUSDT") >= 1; }, 15000));
  // The core bids for its inventory; a seller fills the bid; then it quotes its grid.
  REQUIRE(wait_for([&] { return our_open().size() == 1; }, 8000));
  CHECK(our_open()[0].side == "Buy");
  CHECK(our_open()[0].price_e8 == 2499 * E8 + 30000000);
  fake.trade_through(false, 2499 * E8 + 30000000, 2 * E8);
  // Both sides of the grid rest (the creates go out one after another, bids first).
  if (!wait_for([&] { return both_sides_rest(fake); }, 8000)) {
    const CommandResult early = run.get();
    std::string requests;
    for (const FakeRequest& q : fake.requests())
      if (q.path.rfind("/v5/order/", 0) == 0) requests += q.path + " " + q.body + "\n";
    FAIL("the grid was not placed; order requests:\n"
         << requests << "run output:\n"
         << early.output);
  }
  // Someone sells into our best bid: a maker fill, pushed.
  std::vector<FakeOrder> open = our_open();
  int64_t best_bid = 0, best_ask = INT64_MAX;
  for (const FakeOrder& o : open) {
    if (o.side == "Buy") best_bid = std::max(best_bid, o.price_e8);
    if (o.side == "Sell") best_ask = std::min(best_ask, o.price_e8);
  }
  REQUIRE(best_bid > 0);
  REQUIRE(best_ask < INT64_MAX);
  fake.trade_through(false, best_bid, E8 / 1000);
  churn(5);
  // The private stream drops, and a fill happens while nobody listens.
  const size_t auths = fake.private_auths();
  fake.drop_private_connections();
  fake.trade_through(true, best_ask, E8 / 1000);
  REQUIRE(wait_for([&] { return fake.private_auths() > auths; }, 5000));
  churn(10);
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("fake.yaml: wallet 0 ETH, 10000 USDT") != std::string::npos);
  CHECK(r.output.find("reconciled") != std::string::npos);
  // Nothing of this run is left open, on either side, and nothing was placed twice.
  CHECK(our_open().empty());
  CHECK(r.output.find(": 0 open at the end") != std::string::npos);
  CHECK(fake.count("/v5/order/cancel") >= 1);  // the stop cancelled this run's grid
  size_t fills = 0;
  fake.with_exchange([&](FakeExchange& x) {
    CHECK(x.duplicate_creates() == 0);
    for (const auto& [id, o] : x.orders()) CHECK(o.link_id.rfind("mmh-", 0) == 0);
    fills = x.execution_log().size();
    // mmhost's ledger (fills and fees it was told about) and the exchange's wallet agree.
    size_t long_fees = 0;
    for (const FakeExecution& e : x.executions()) {
      const std::string fee = mmh::format_e18(e.fee);
      const size_t dot = fee.find('.');
      if (dot != std::string::npos && fee.size() - dot - 1 >= 10) ++long_fees;
    }
    CHECK(long_fees >= 1);
  });
  CHECK(fills >= 3);  // the rebalance bid and the two grid fills
  check_wallets_equal(fake, r.output);
  // The secret never reaches the log, even at debug level.
  CHECK(r.output.find(kSecret) == std::string::npos);
}

TEST_CASE("mmhost run --live: refuses without --confirm-live, and without keys") {
  const CommandResult unconfirmed =
      run_mmhost("run strategies/eth_bos_mm.lua --live --venue testnet");
  CHECK(unconfirmed.exit_code == 2);  // a usage error
  CHECK(unconfirmed.output.find("add --confirm-live") != std::string::npos);
  FakeBybit fake;
  TempDir dir;
  const std::string venue = fake.write_venue_file(dir.path().string());
  const CommandResult no_keys =
      run_mmhost("run strategies/eth_bos_mm.lua --live --confirm-live --warmup-bars 0 --venue " +
                     venue + " --out " + dir.file("run"),
                 "-u BYBIT_API_KEY -u BYBIT_API_SECRET");
  CHECK(no_keys.exit_code == 1);
  CHECK(no_keys.output.find("needs API keys") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("run")));  // a run that never started leaves none
  CHECK(fake.count("/v5/order/create") == 0);
}

TEST_CASE("mmhost run --live: fills racing the stop's cancels place nothing after the stop") {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  auto run = start_live_run(fake, dir, "--duration 6s");
  REQUIRE(wait_for([&] { return our_open(fake).size() == 1; }, 15000));
  fake.trade_through(false, 2499 * E8 + 30000000, 2 * E8);  // the rebalance bid fills
  REQUIRE(wait_for([&] { return both_sides_rest(fake); }, 8000));
  // From now on every cancel meets an order that just filled: 110001, then its Filled pushes.
  fake.with_exchange([](FakeExchange& x) { x.set_fill_on_cancel(true); });
  const CommandResult r = run.get();
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(our_open(fake).empty());
  CHECK(r.output.find(": 0 open at the end") != std::string::npos);
  // Every order mmhost counts as placed reached the exchange, and no more.
  size_t at_exchange = 0, filled = 0;
  fake.with_exchange([&](FakeExchange& x) {
    for (const auto& [id, o] : x.orders()) {
      if (o.link_id.rfind("mmh-", 0) == 0) ++at_exchange;
      if (o.status == "Filled") ++filled;
    }
  });
  CHECK(filled >= 3);  // the rebalance bid and grid orders filled by the race
  CHECK(r.output.find(", " + std::to_string(at_exchange) + " orders placed,") != std::string::npos);
  check_wallets_equal(fake, r.output);
}

TEST_CASE(
    "mmhost run --live: the core trades the exchange's wallet, capped by capital.allocation") {
  // The flagship's capital says 0 ETH; the account holds 1.2 ETH and 500 USDT (worth 3499.16
  // USDT at the warm-up's last close, 2499.30), and this copy allows 1000 USDT of it.
  TempDir dir;
  std::filesystem::create_directories(dir.file("lib"));
  write_file(dir.file("lib/eth.lua"), read_file(source_dir() + "/strategies/lib/eth.lua"));
  std::string text = read_file(source_dir() + "/strategies/eth_bos_mm.lua");
  const std::string from = "capital = p.capital,";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(),
               "capital = { quote_asset = 'USDT', allocation = 1000, base = 0, "
               "target_base_share = 0.3 },");
  const std::string strategy = write_file(dir.file("capped.lua"), text);
  FakeBybit fake;
  set_up_market(fake);
  fake.with_exchange([](FakeExchange& x) {
    x.set_balance("USDT", 500 * E8);
    x.set_balance("ETH", 12 * E8 / 10);
  });
  auto run = start_live_run(fake, dir, "--duration 5s", strategy);
  // Its share of ETH (86%) is above the hard band (30% + 20%): it offers ETH only, sized from the
  // capped wallet (1000 / 3499.16 of 1.2 ETH = 0.34293944 ETH), not from all 1.2 ETH.
  const bool placed = wait_for([&] { return !our_open(fake).empty(); }, 15000);
  const std::vector<FakeOrder> first = our_open(fake);
  const CommandResult r = run.get();
  INFO(r.output);
  REQUIRE(placed);
  REQUIRE(r.exit_code == 0);
  int64_t sold_e8 = 0;
  for (const FakeOrder& o : first) {
    CHECK(o.side == "Sell");
    sold_e8 += o.qty_e8;
  }
  CHECK(sold_e8 > 0);
  CHECK(sold_e8 <= 34293944);
  CHECK(r.output.find(
            "capital    venue wallet 1.2 ETH + 500 USDT (worth 3499.16 USDT at 2499.3); "
            "capital.allocation 1000 USDT caps the core at 0.34293944 ETH + 142.8914368 USDT") !=
        std::string::npos);
  CHECK(our_open(fake).empty());
  check_wallets_equal(fake, r.output);
  // The run's PnL starts at the first live book, not at the warm-up's first bar.
  CHECK(r.output.find("pnl        net 0 USDT") != std::string::npos);
}

TEST_CASE(
    "mmhost run --live: a run that fails inside its loop cancels every order on the way out") {
  // A fill whose fee is in a third coin is one the ledger cannot book: the run ends with an
  // error. Whatever ends it, no order of it may stay at the exchange.
  FakeBybit fake;
  set_up_market(fake);
  // An order a crashed earlier session left behind (another prefix): the normal stop leaves it
  // alone (it is not this run's); a failed run cancels everything on the symbol.
  fake.with_exchange([](FakeExchange& x) {
    x.create(R"({"category":"spot","symbol":"ETHUSDT","side":"Buy","orderType":"Limit",)"
             R"("qty":"0.01","price":"2000","timeInForce":"GTC","orderLinkId":"mmh-old-1"})",
             wall_clock_ms());
  });
  TempDir dir;
  auto run = start_live_run(fake, dir, "--duration 20s");
  REQUIRE(wait_for([&] { return our_open(fake).size() == 2; }, 15000));
  fake.trade_through(false, 2499 * E8 + 30000000, 2 * E8);  // the rebalance bid fills
  REQUIRE(wait_for([&] { return both_sides_rest(fake); }, 8000));
  fake.with_exchange([](FakeExchange& x) { x.set_fee_coin("BNB"); });
  fake.trade_through(false, 2400 * E8, 10 * E8);  // the grid bids fill, their fees in BNB
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("BNB") != std::string::npos);
  CHECK(r.output.find("the run failed: every order on the symbol was cancelled") !=
        std::string::npos);
  fake.with_exchange([](FakeExchange& x) { CHECK(x.open_orders().empty()); });
}

namespace {

// Signals the mmhost process whose command line contains `marker` (not the shell around it).
bool signal_mmhost(const std::string& marker, int signal) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string comm = read_file(entry.path().string() + "/comm");
    if (comm.rfind("mmhost", 0) != 0 || comm.rfind("mmhost_tests", 0) == 0) continue;
    std::string cmdline = read_file(entry.path().string() + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(marker) == std::string::npos) continue;
    return ::kill(static_cast<pid_t>(std::stol(pid)), signal) == 0;
  }
  return false;
}

}  // namespace

TEST_CASE("mmhost run --live: SIGUSR1 is a kill switch: every order cancelled, nothing new sent") {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  auto run = start_live_run(fake, dir, "--duration 8s");
  REQUIRE(wait_for([&] { return our_open(fake).size() == 1; }, 15000));
  fake.trade_through(false, 2499 * E8 + 30000000, 2 * E8);  // the rebalance bid fills: a grid
  REQUIRE(wait_for([&] { return both_sides_rest(fake); }, 8000));
  REQUIRE(signal_mmhost(dir.path().string(), SIGUSR1));
  CHECK(wait_for([&] { return our_open(fake).empty(); }, 2000));
  size_t orders_after_halt = 0;
  fake.with_exchange([&](FakeExchange& x) { orders_after_halt = x.orders().size(); });
  // The market moves (the grid would re-price and a fill would rebuild it): nothing is sent.
  fake.trade_through(true, 2600 * E8, 1 * E8);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  fake.with_exchange([&](FakeExchange& x) { CHECK(x.orders().size() == orders_after_halt); });
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("SIGUSR1: halted by the operator until resume") != std::string::npos);
  CHECK(r.output.find("risk       halted at the end; trips: SIGUSR1 1;") != std::string::npos);
  CHECK(our_open(fake).empty());
  check_wallets_equal(fake, r.output);
}

TEST_CASE("mmhost halt/resume: a live run's orders all cancelled, halted across a restart") {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  const std::string run_dir = dir.file("run");
  auto run = start_live_run(fake, dir, "--duration 8s --out " + run_dir);
  REQUIRE(wait_for([&] { return our_open(fake).size() == 1; }, 15000));
  fake.trade_through(false, 2499 * E8 + 30000000, 2 * E8);  // the rebalance bid fills: a grid
  REQUIRE(wait_for([&] { return both_sides_rest(fake); }, 8000));
  const CommandResult halt = run_mmhost("halt " + run_dir);
  INFO(halt.output);
  REQUIRE(halt.exit_code == 0);
  CHECK(halt.output.find("now halted") == 0);
  size_t orders_at_halt = 0;
  fake.with_exchange([&](FakeExchange& x) { orders_at_halt = x.orders().size(); });
  CHECK(wait_for([&] { return our_open(fake).empty(); }, 2000));
  fake.trade_through(true, 2600 * E8, 1 * E8);  // the market moves: nothing is sent
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  fake.with_exchange([&](FakeExchange& x) { CHECK(x.orders().size() == orders_at_halt); });
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("risk       halted at the end; trips: halt 1;") != std::string::npos);
  check_wallets_equal(fake, r.output);

  // The same run again: halted before its first order; `resume` quotes again.
  auto again = start_live_run(fake, dir, "--duration 10s --out " + run_dir);
  REQUIRE(wait_for([&] {
    const CommandResult s = run_mmhost("status " + run_dir);
    return s.exit_code == 0 && s.output.find("state      halted") == 0;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  fake.with_exchange([&](FakeExchange& x) { CHECK(x.orders().size() == orders_at_halt); });
  const CommandResult resume = run_mmhost("resume " + run_dir);
  INFO(resume.output);
  CHECK(resume.output.find("now active") == 0);
  CHECK(wait_for([&] { return !our_open(fake).empty(); }, 5000));
  const CommandResult r2 = again.get();
  INFO(r2.output);
  CHECK(r2.exit_code == 0);
  CHECK(r2.output.find("risk       active at the end") != std::string::npos);
  CHECK(our_open(fake).empty());
  check_wallets_equal(fake, r2.output);
}

namespace {

// The run's process id, from its status (0 while nothing answers).
int run_pid(const std::string& run_dir) {
  const CommandResult s = run_mmhost("status " + run_dir + " --json");
  if (s.exit_code != 0) return 0;
  const size_t at = s.output.find("\"pid\":");
  return at == std::string::npos ? 0 : std::atoi(s.output.c_str() + at + 6);
}

// When the run is killed. Before its first order (warming up); while a create is on its way (the
// exchange took it, the answer is held); after a create whose answer was lost (the order in
// doubt); its grid resting and quiet; right after a fill reached it (the push and the journal
// race the kill); while its private connection is down; while it reconnects; during its stop's
// cancels; and killed again while the resumed run reconciles.
enum class KillMoment {
  before_first_order,
  during_create,
  create_reply_lost,
  grid_resting,
  right_after_fill,
  private_outage,
  during_reconnect,
  during_stop,
  during_resume,
};

size_t creates(FakeBybit& fake) {
  return fake.count("/v5/order/create") + fake.count("/v5/order/create-batch");
}

std::future<CommandResult> start_resumed_run(FakeBybit& fake, const TempDir& dir,
                                             const std::string& run_dir, bool adopt) {
  const std::string venue = fake.write_venue_file(dir.path().string(), "backoff_initial_ms: 50\n");
  return std::async(std::launch::async, [=] {
    return run_mmhost("run strategies/eth_bos_mm.lua --live --confirm-live --venue " + venue +
                          " --duration 8s --resume " + run_dir +
                          (adopt ? " --resume-orders adopt" : ""),
                      std::string("BYBIT_API_KEY=") + kKey + " BYBIT_API_SECRET=" + kSecret);
  });
}

// kill -9 of a live run at `moment`, a fill while it is down, then --resume in the same directory.
void kill_and_resume(bool adopt, KillMoment moment = KillMoment::grid_resting) {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  const std::string run_dir = dir.file("run");
  for (const char* path : {"/v5/order/create", "/v5/order/create-batch"}) {
    if (moment == KillMoment::during_create) fake.inject({path, FaultKind::delay, 5000, 1});
    if (moment == KillMoment::create_reply_lost) fake.inject({path, FaultKind::lose_reply, 0, 1});
  }
  auto first = start_live_run(fake, dir, "--duration 60s --out " + run_dir);
  int pid = 0;
  REQUIRE(wait_for([&] { return (pid = run_pid(run_dir)) > 0; }, 15000));
  switch (moment) {
    case KillMoment::before_first_order:
      break;
    case KillMoment::during_create:
    case KillMoment::create_reply_lost:
      REQUIRE(wait_for([&] { return creates(fake) >= 1; }, 15000));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      break;
    default:
      REQUIRE(wait_for([&] { return our_open(fake).size() == 1; }, 15000));
      fake.trade_through(false, 2499 * E8 + 30000000, 2 * E8);  // the rebalance bid fills
      REQUIRE(wait_for([&] { return both_sides_rest(fake); }, 8000));
  }
  if (moment == KillMoment::right_after_fill) {
    int64_t ask = INT64_MAX;
    for (const FakeOrder& o : our_open(fake))
      if (o.side == "Sell") ask = std::min(ask, o.price_e8);
    fake.trade_through(true, ask, E8 / 1000);
  }
  if (moment == KillMoment::private_outage) {
    fake.set_private_down(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  if (moment == KillMoment::during_reconnect) {
    fake.drop_private_connections();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (moment == KillMoment::during_stop) {
    // The stop's cancels are taken by the exchange and answered late; killed meanwhile.
    for (const char* path : {"/v5/order/cancel", "/v5/order/cancel-all"})
      fake.inject({path, FaultKind::delay, 3000, -1});
    const size_t cancels = fake.count("/v5/order/cancel") + fake.count("/v5/order/cancel-all");
    REQUIRE(::kill(pid, SIGTERM) == 0);
    REQUIRE(wait_for(
        [&] {
          return fake.count("/v5/order/cancel") + fake.count("/v5/order/cancel-all") > cancels;
        },
        8000));
  }
  REQUIRE(::kill(pid, SIGKILL) == 0);
  const CommandResult killed = first.get();
  CHECK(killed.exit_code != 0);
  fake.set_private_down(false);
  fake.clear_faults();
  const std::vector<FakeOrder> left = our_open(fake);
  if (moment == KillMoment::during_create || moment == KillMoment::create_reply_lost)
    CHECK(left.size() == 1);  // the exchange took the create its sender never heard about
  if (moment >= KillMoment::grid_resting && moment != KillMoment::during_stop)
    CHECK(left.size() >= 2);  // the dead run's grid still rests on the exchange
  // While nobody runs, someone sells into the best bid: a fill the journal does not have.
  int64_t best_bid = 0;
  for (const FakeOrder& o : left)
    if (o.side == "Buy") best_bid = std::max(best_bid, o.price_e8);
  if (best_bid > 0) fake.trade_through(false, best_bid, E8 / 1000);

  if (moment == KillMoment::during_resume) {
    // A resumed run killed while it reconciles (its first cancel of what the dead run left).
    const size_t cancels = fake.count("/v5/order/cancel");
    auto interim = start_resumed_run(fake, dir, run_dir, adopt);
    REQUIRE(wait_for([&] { return fake.count("/v5/order/cancel") > cancels; }, 15000));
    run_command("pkill -KILL -f -- 'resume " + run_dir + "'");
    CHECK(interim.get().exit_code != 0);
  }
  const std::vector<FakeOrder> left_now = our_open(fake);
  const size_t requests_before = fake.requests().size();
  // A create retried after a lost answer names its orderLinkId again (refused as a duplicate:
  // how a retry stays idempotent); the resumed run's own ids must all be new.
  uint64_t duplicates_before = 0;
  fake.with_exchange([&](FakeExchange& x) { duplicates_before = x.duplicate_creates(); });
  auto second = start_resumed_run(fake, dir, run_dir, adopt);
  auto is_left = [&](const std::string& body) {
    for (const FakeOrder& o : left)
      if (body.find("\"" + o.link_id + "\"") != std::string::npos) return true;
    return false;
  };
  // The resumed run quotes again: a create (or create-batch) of a new order id.
  REQUIRE(wait_for(
      [&] {
        const std::vector<FakeRequest> q = fake.requests();
        for (size_t i = requests_before; i < q.size(); ++i)
          if (q[i].path.rfind("/v5/order/create", 0) == 0 && !is_left(q[i].body)) return true;
        return false;
      },
      15000));
  if (!adopt) {
    // Every order the dead run left was cancelled before that first create went out.
    const std::vector<FakeRequest> q = fake.requests();
    std::set<std::string> cancelled;
    for (size_t i = requests_before; i < q.size(); ++i) {
      if (q[i].path.rfind("/v5/order/create", 0) == 0 && !is_left(q[i].body)) break;
      for (const FakeOrder& o : left_now)
        if (q[i].path == "/v5/order/cancel" && q[i].body.find(o.link_id) != std::string::npos)
          cancelled.insert(o.link_id);
    }
    CHECK(cancelled.size() == left_now.size());
  } else {
    // Adopted: the run's working orders are what the exchange has open (not a second grid
    // beside the first).
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const CommandResult s = run_mmhost("status " + run_dir + " --json");
    const size_t at = s.output.find("\"open_orders\":");
    REQUIRE(at != std::string::npos);
    CHECK(static_cast<size_t>(std::atoi(s.output.c_str() + at + 14)) == our_open(fake).size());
  }
  const CommandResult r = second.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("resuming " + run_dir) != std::string::npos);
  if (!left_now.empty())
    CHECK(r.output.find(adopt ? "adopted" : "cancelled before quoting") != std::string::npos);
  CHECK(our_open(fake).empty());  // the stop cancels the run's orders, old and new
  fake.with_exchange([&](FakeExchange& x) {
    CHECK(x.duplicate_creates() == duplicates_before);  // ids went on from the journal's last
    // Every fill of the run is in the journal exactly once, the one missed while down too.
    std::set<std::string> exchange_ids;
    for (const FakeExecution& e : x.executions()) exchange_ids.insert(e.exec_id);
    const CommandResult fills = run_mmhost("journal " + run_dir + " --json --kind fill");
    std::set<std::string> journal_ids;
    size_t journal_fills = 0;
    std::istringstream lines(fills.output);
    for (std::string line; std::getline(lines, line);) {
      const size_t at = line.find("\"exec_id\":\"");
      if (at == std::string::npos) continue;
      ++journal_fills;
      journal_ids.insert(line.substr(at + 11, line.find('"', at + 11) - at - 11));
    }
    CHECK(journal_fills == journal_ids.size());
    CHECK(journal_ids == exchange_ids);
  });
  // The ledger went on from the run's first start: it and the exchange's wallet agree.
  check_wallets_equal(fake, r.output);
}

}  // namespace

TEST_CASE(
    "mmhost run --live --resume: after kill -9, the dead run's orders cancelled, fills once") {
  kill_and_resume(false);
}

TEST_CASE("mmhost run --live --resume: --resume-orders adopt keeps them as working orders") {
  kill_and_resume(true);
}

TEST_CASE("mmhost run --live --resume: killed right after a fill, the fill counts once") {
  kill_and_resume(false, KillMoment::right_after_fill);
}

TEST_CASE("mmhost run --live --resume: killed during a private outage") {
  kill_and_resume(false, KillMoment::private_outage);
}

TEST_CASE("mmhost run --live --resume: killed before its first order") {
  kill_and_resume(false, KillMoment::before_first_order);
}

TEST_CASE("mmhost run --live --resume: killed while a create is on its way") {
  kill_and_resume(false, KillMoment::during_create);
}

TEST_CASE("mmhost run --live --resume: killed with a create whose answer was lost") {
  kill_and_resume(false, KillMoment::create_reply_lost);
}

TEST_CASE("mmhost run --live --resume: killed while its private stream reconnects") {
  kill_and_resume(false, KillMoment::during_reconnect);
}

TEST_CASE("mmhost run --live --resume: killed during its stop's cancels") {
  kill_and_resume(false, KillMoment::during_stop);
}

TEST_CASE("mmhost run --live --resume: killed again while the resumed run reconciles") {
  kill_and_resume(false, KillMoment::during_resume);
}

TEST_CASE("mmhost run --live: a private outage past --cancel-on-disconnect cancels, then quotes") {
  FakeBybit fake;
  set_up_market(fake);
  fake.set_dcp(10);  // the account has Disconnected Cancel All: the run sets its window
  TempDir dir;
  auto run = start_live_run(fake, dir, "--duration 16s --cancel-on-disconnect 2s");
  REQUIRE(wait_for([&] { return our_open(fake).size() == 1; }, 15000));
  fake.trade_through(false, 2499 * E8 + 30000000, 2 * E8);  // the rebalance bid fills: a grid
  REQUIRE(wait_for([&] { return both_sides_rest(fake); }, 8000));
  CHECK(fake.dcp_window_set() == 3);  // 2 s, within the exchange's 3..300
  CHECK(fake.subscribes("dcp") >= 1);
  const std::vector<FakeOrder> left = our_open(fake);
  const size_t before = fake.requests().size();
  fake.set_private_down(true);
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  fake.set_private_down(false);
  auto is_left = [&](const std::string& body) {
    for (const FakeOrder& o : left)
      if (body.find("\"" + o.link_id + "\"") != std::string::npos) return true;
    return false;
  };
  // The book moves after the outage: the run quotes again, with new orders.
  bool quoted = false;
  for (int i = 0; i < 60 && !quoted; ++i) {
    fake.publish_book_delta({{2499 * E8 + 20000000 - (i % 3) * 1000000, (3 + i % 2) * E8}}, {});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::vector<FakeRequest> q = fake.requests();
    for (size_t k = before; k < q.size() && !quoted; ++k)
      quoted = q[k].path.rfind("/v5/order/create", 0) == 0 && !is_left(q[k].body);
  }
  REQUIRE(quoted);
  // Every order of before the outage was cancelled before the first new one went out.
  const std::vector<FakeRequest> q = fake.requests();
  size_t cancels = 0;
  for (size_t k = before; k < q.size(); ++k) {
    if (q[k].path.rfind("/v5/order/create", 0) == 0 && !is_left(q[k].body)) break;
    if (q[k].path == "/v5/order/cancel" && is_left(q[k].body)) ++cancels;
  }
  CHECK(cancels == left.size());
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("Disconnected Cancel All on for spot") != std::string::npos);
  CHECK(r.output.find("before new ones") != std::string::npos);
  CHECK(our_open(fake).empty());
  check_wallets_equal(fake, r.output);
}

TEST_CASE("mmhost run --live: a short private outage leaves the orders resting") {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  auto run =
      start_live_run(fake, dir, "--duration 9s --cancel-on-disconnect 30s --metrics 127.0.0.1:0");
  REQUIRE(wait_for([&] { return our_open(fake).size() == 1; }, 15000));
  fake.trade_through(false, 2499 * E8 + 30000000, 2 * E8);
  REQUIRE(wait_for([&] { return both_sides_rest(fake); }, 8000));
  const size_t before = fake.requests().size();
  const size_t auths = fake.private_auths();
  fake.drop_private_connections();
  REQUIRE(wait_for([&] { return fake.private_auths() > auths; }, 5000));
  // The loss shows in the run's metrics.
  const CommandResult st = run_mmhost("status " + dir.file("live-run") + " --json");
  const size_t m = st.output.find("\"metrics\":\"");
  REQUIRE(m != std::string::npos);
  const std::string url = st.output.substr(m + 11, st.output.find('"', m + 11) - m - 11);
  CHECK(wait_for(
      [&] {
        return http_request(url).second.find("\nmmhost_venue_reconnects_total 1\n") !=
               std::string::npos;
      },
      3000));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const std::vector<FakeRequest> q = fake.requests();
  size_t cancels = 0;
  for (size_t k = before; k < q.size(); ++k) cancels += q[k].path == "/v5/order/cancel";
  CHECK(cancels == 0);  // reconciled, nothing cancelled: the outage was short
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("Disconnected Cancel All is off for spot") != std::string::npos);
  check_wallets_equal(fake, r.output);
}

TEST_CASE("mmhost run --live: a market stream gone quiet past stale_ms pulls every quote") {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  HookReceiver hook;
  auto run = start_live_run(fake, dir, "--duration 7s --risk stale_ms=1500 --alert-stale 2s",
                            "strategies/eth_bos_mm.lua", "MMHOST_ALERT_WEBHOOK=" + hook.url());
  REQUIRE(wait_for([&] { return our_open(fake).size() == 1; }, 15000));
  // The fake sends no book or ticker update unless told: after 1.5 s the data is stale and
  // the rebalance bid is cancelled; 2 s of it is alerted.
  CHECK(wait_for([&] { return our_open(fake).empty(); }, 4000));
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("risk: quotes pulled (no book or ticker update for") != std::string::npos);
  CHECK(r.output.find("quotes pulled 1x for stale data") != std::string::npos);
  check_wallets_equal(fake, r.output);
  int stale_alerts = 0;
  for (const nlohmann::json& a : hook.received())
    if (a["kind"] == "stale_data") {
      ++stale_alerts;
      CHECK(a["message"].get<std::string>().rfind("market data stale for 2 s", 0) == 0);
    }
  CHECK(stale_alerts == 1);  // once while it lasts, not once a second
}

TEST_CASE("mmhost run --live: the book lost five times in a row is alerted as a reconnect storm") {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  HookReceiver hook;
  auto run = start_live_run(fake, dir, "--duration 9s", "strategies/eth_bos_mm.lua",
                            "MMHOST_ALERT_WEBHOOK=" + hook.url());
  REQUIRE(wait_for([&] { return our_open(fake).size() == 1; }, 15000));
  for (int gap = 0; gap < 6; ++gap) {  // a lost delta each time: the book is resubscribed
    const size_t subscribes = fake.subscribes("orderbook.50.ETHUSDT");
    fake.drop_next_book_delta();
    fake.publish_book_delta({{2499 * E8 + 10000000, (3 + gap) * E8}}, {});
    REQUIRE(wait_for([&] { return fake.subscribes("orderbook.50.ETHUSDT") > subscribes; }, 5000));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("quotes pulled 6 times") != std::string::npos);
  int storms = 0;
  for (const nlohmann::json& a : hook.received())
    if (a["kind"] == "reconnect_storm") {
      ++storms;
      CHECK(a["message"].get<std::string>().rfind("5 times the book was lost within 10 minutes",
                                                  0) == 0);
    }
  CHECK(storms == 1);  // the fifth loss alerts; the sixth, in the same ten minutes, does not
  check_wallets_equal(fake, r.output);
}

TEST_CASE("mmhost run --live: a wallet that moved without a fill is a reconciliation mismatch") {
  FakeBybit fake;
  set_up_market(fake);
  TempDir dir;
  HookReceiver hook;
  auto run = start_live_run(fake, dir, "--duration 5s", "strategies/eth_bos_mm.lua",
                            "MMHOST_ALERT_WEBHOOK=" + hook.url());
  REQUIRE(wait_for([&] { return our_open(fake).size() == 1; }, 15000));
  // Someone moved 5 USDT into the account behind the run's back (no fill, no push).
  fake.with_exchange([](FakeExchange& x) { x.set_balance("USDT", 10005 * E8); });
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("DIFFERENT") != std::string::npos);
  int mismatches = 0;
  for (const nlohmann::json& a : hook.received())
    if (a["kind"] == "reconciliation_mismatch") {
      ++mismatches;
      CHECK(a["message"].get<std::string>().find("USDT venue 10005, ledger 10000;") !=
            std::string::npos);
    }
  CHECK(mismatches == 1);
}

TEST_CASE("mmhost run --live: --plan says the orders are real and opens nothing") {
  TempDir dir;
  const CommandResult paper = run_mmhost("run strategies/eth_bos_mm.lua --paper --plan --out " +
                                         dir.file("run") + " --risk daily_loss_pct=2");
  INFO(paper.output);
  CHECK(paper.exit_code == 0);
  CHECK(paper.output.find("data       bybit_spot (live stream)") != std::string::npos);
  CHECK(paper.output.find("venue      simfill (simulated fills)") != std::string::npos);
  CHECK(paper.output.find("risk       daily loss 2%") != std::string::npos);
  CHECK(paper.output.find("run dir    " + dir.file("run")) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("run")));
  const CommandResult live =
      run_mmhost("run strategies/eth_bos_mm.lua --live --confirm-live --venue testnet --plan");
  CHECK(live.exit_code == 0);
  CHECK(live.output.find("venue      bybit_spot (REAL orders)") != std::string::npos);
}

TEST_SUITE_END();
