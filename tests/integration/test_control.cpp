// Steering a paced replay through its control socket, as an operator does: `mmhost halt`
// cancels every working order and nothing is placed after it returns; a restart of the same
// run directory stays halted; `mmhost resume` quotes again. The simulated venue (simfill) is
// the exchange here; tests/integration/test_live.cpp does the same against the fake Bybit.
#include "app/control_socket.hpp"
#include "hook_receiver.hpp"
#include "http_get.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

using namespace mmh::test;
using nlohmann::json;

namespace {

// The status of the run in `run_dir`, or null while nothing answers there.
json status(const std::string& run_dir) {
  try {
    return json::parse(mmh::control_request(run_dir, "status", 5000));
  } catch (const std::exception&) {
    return nullptr;
  }
}

// The flagship replayed at 60,000x real time (a 1m bar per millisecond): it places its first
// order after about 1,100 bars, so `bars` of 8,000 give it several seconds of quoting.
std::future<CommandResult> start_paced(const std::string& data, const std::string& run_dir,
                                       const std::string& args = "") {
  return std::async(std::launch::async, [=] {
    return run_mmhost("run strategies/eth_bos_mm.lua --replay " + data + " --speed 60000 --out " +
                      run_dir + " " + args);
  });
}

// The value of one sample line ("name{labels} value") of an exposition, or -1.
double sample(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atof(text.c_str() + at + series.size() + 2);
}

}  // namespace

TEST_CASE("mmhost halt/resume: a paced replay halts at once, stays halted on restart, resumes") {
  TempDir dir;
  const std::string data =
      trimmed_shared_data(dir, "candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv", 8000);
  const std::string run_dir = dir.file("run");
  auto first = start_paced(data, run_dir);
  REQUIRE(wait_for([&] {
    const json s = status(run_dir);
    return !s.is_null() && s["open_orders"].get<int>() > 0;
  }));
  const CommandResult halt = run_mmhost("halt " + run_dir);
  INFO(halt.output);
  REQUIRE(halt.exit_code == 0);
  CHECK(halt.output.find("now halted") == 0);
  // Nothing placed after halt returned, every working order gone (the simulated venue answers
  // the cancels at once).
  const json at_halt = status(run_dir);
  const int placed = at_halt["orders_placed"].get<int>();
  CHECK(wait_for([&] { return status(run_dir)["open_orders"].get<int>() == 0; }, 2000));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const json later = status(run_dir);
  REQUIRE_FALSE(later.is_null());  // the 8,000 bars take about 8 s: still running
  CHECK(later["orders_placed"].get<int>() == placed);
  CHECK(later["state"] == "halted");
  const CommandResult r1 = first.get();
  INFO(r1.output);
  CHECK(r1.exit_code == 0);
  CHECK(r1.output.find("risk       halted at the end; trips: halt 1;") != std::string::npos);
  CHECK(json::parse(read_file(run_dir + "/risk_state.json"))["state"] == "halted");

  // Again in the same directory: halted from its first bar, nothing placed until resume.
  auto second = start_paced(data, run_dir);
  REQUIRE(wait_for([&] { return !status(run_dir).is_null(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past the first order's bar
  json s = status(run_dir);
  CHECK(s["state"] == "halted");
  CHECK(s["orders_placed"].get<int>() == 0);
  const CommandResult resume = run_mmhost("resume " + run_dir);
  INFO(resume.output);
  CHECK(resume.output.find("now active") == 0);
  CHECK(wait_for([&] {
    const json t = status(run_dir);
    return !t.is_null() && t["orders_placed"].get<int>() > 0;
  }));
  const CommandResult r2 = second.get();
  INFO(r2.output);
  CHECK(r2.exit_code == 0);
  CHECK(r2.output.find("restored from") != std::string::npos);
  CHECK(json::parse(read_file(run_dir + "/risk_state.json"))["state"] == "active");
  // Nothing listens once the run is over.
  const CommandResult gone = run_mmhost("status " + run_dir);
  CHECK(gone.exit_code == 1);
  CHECK(gone.output.find("no run answers in") != std::string::npos);

  // Both runs journaled into the same directory: two starts, the halt and the resume, and
  // every order intent (the journal's commands are the run's placed, amended and cancelled).
  const CommandResult summary = run_mmhost("journal " + run_dir);
  INFO(summary.output);
  CHECK(summary.exit_code == 0);
  CHECK(summary.output.find("order_command") != std::string::npos);
  const CommandResult notes = run_mmhost("journal " + run_dir + " --json --kind note");
  CHECK(notes.exit_code == 0);
  std::vector<std::string> texts;
  std::istringstream lines(notes.output);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] == '{') texts.push_back(json::parse(line)["text"]);
  REQUIRE(texts.size() >= 4);
  CHECK(texts.front().find("run started") == 0);
  CHECK(std::count_if(texts.begin(), texts.end(),
                      [](const std::string& t) { return t.find("run started") == 0; }) == 2);
  CHECK(std::count_if(texts.begin(), texts.end(),
                      [](const std::string& t) { return t.find("risk halted") == 0; }) >= 1);
  CHECK(texts.back().find("risk active") == 0);
}

TEST_CASE(
    "mmhost run --metrics: Prometheus text that promtool accepts, equal to the run's counts") {
  TempDir dir;
  const std::string data =
      trimmed_shared_data(dir, "candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv", 8000);
  const std::string run_dir = dir.file("run");
  auto run = start_paced(data, run_dir, "--metrics 127.0.0.1:0 --status-every 1s");
  REQUIRE(wait_for([&] {
    const json s = status(run_dir);
    return !s.is_null() && s["orders_placed"].get<int>() > 0;
  }));
  const std::string url = status(run_dir)["metrics"].get<std::string>();
  CHECK(url.rfind("http://127.0.0.1:", 0) == 0);
  const auto [code, live_page] = http_request(url);
  CHECK(code == 200);
  CHECK(live_page.find("# TYPE mmhost_ack_latency_seconds histogram") != std::string::npos);
  // Halted, the counts stand still: the page and the run's own status agree.
  REQUIRE(run_mmhost("halt " + run_dir).exit_code == 0);
  REQUIRE(wait_for([&] { return status(run_dir)["open_orders"].get<int>() == 0; }, 2000));
  const json s = status(run_dir);
  const auto reply = http_request(url);
  REQUIRE(reply.first == 200);
  const std::string& page = reply.second;  // not a binding: INFO takes it in a lambda
  INFO(page);
  CHECK(sample(page, "mmhost_orders_sent_total{action=\"place\"}") ==
        s["orders_placed"].get<double>());
  CHECK(sample(page, "mmhost_open_orders") == 0);
  CHECK(sample(page, "mmhost_trading_state{state=\"halted\"}") == 1);
  CHECK(sample(page, "mmhost_trading_state{state=\"active\"}") == 0);
  // Halted, nothing fills: the holdings stand still (equity moves with the replayed price).
  CHECK(sample(page, "mmhost_balance{asset=\"USDT\"}") ==
        doctest::Approx(std::atof(s["quote"].get<std::string>().c_str())).epsilon(1e-12));
  CHECK(sample(page, "mmhost_balance{asset=\"ETH\"}") ==
        doctest::Approx(std::atof(s["base"].get<std::string>().c_str())).epsilon(1e-12));
  CHECK(sample(page, "mmhost_equity{asset=\"USDT\"}") > 0);
  CHECK(sample(page, "mmhost_ack_latency_seconds_count") > 0);
  // promtool (Debian package prometheus) accepts it.
  const std::string file = dir.file("metrics.txt");
  std::ofstream(file) << page;
  const CommandResult check = run_command("promtool check metrics < " + file);
  INFO(check.output);
  CHECK(check.exit_code == 0);
  // Reads only: another path is 404, another method 405.
  CHECK(http_request(url.substr(0, url.rfind('/')) + "/other").first == 404);
  CHECK(http_request(url, "POST").first == 405);
  // The status line: JSON lines in the run directory.
  REQUIRE(wait_for([&] { return std::filesystem::exists(run_dir + "/status.jsonl"); }, 3000));
  const json line = json::parse(read_file(run_dir + "/status.jsonl")
                                    .substr(0, read_file(run_dir + "/status.jsonl").find('\n')));
  CHECK(line.contains("equity"));
  CHECK(line.contains("ack_p99_s"));
  CHECK(run.get().exit_code == 0);
}

TEST_CASE("alerts: a halt reaches the webhook, a 500 is retried, the engine never waits") {
  TempDir dir;
  const std::string data =
      trimmed_shared_data(dir, "candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv", 8000);
  const std::string run_dir = dir.file("run");
  HookReceiver hook({500});  // the first POST fails: the alert comes again
  auto run = std::async(std::launch::async, [&] {
    return run_mmhost("run strategies/eth_bos_mm.lua --replay " + data +
                          " --speed 60000 --status-every 0 --out " + run_dir,
                      "MMHOST_ALERT_WEBHOOK=" + hook.url());
  });
  REQUIRE(wait_for([&] {
    const json s = status(run_dir);
    return !s.is_null() && s["orders_placed"].get<int>() > 0;
  }));
  REQUIRE(run_mmhost("halt " + run_dir).exit_code == 0);
  REQUIRE(wait_for([&] { return !hook.received().empty(); }, 5000));
  const json alert = hook.received().front();
  CHECK(alert["kind"] == "halted");
  CHECK(alert["message"].get<std::string>().rfind("trading halted: halt", 0) == 0);
  CHECK(alert["run"] == run_dir);
  CHECK(hook.attempts() >= 2);
  const CommandResult r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("alert webhook answered 500") != std::string::npos);
  // The URL is a secret: it is never logged.
  CHECK(r.output.find(hook.url()) == std::string::npos);
}

TEST_CASE("alerts: a daily loss trip is alerted as daily_loss, once per trip") {
  TempDir dir;
  const std::string data =
      trimmed_shared_data(dir, "candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv", 8000);
  HookReceiver hook;
  const CommandResult r = run_mmhost("run strategies/eth_bos_mm.lua --replay " + data +
                                         " --speed 200000 --status-every 0 --risk "
                                         "daily_loss_pct=0.02 --out " +
                                         dir.file("run"),
                                     "MMHOST_ALERT_WEBHOOK=" + hook.url());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const size_t at = r.output.find("trips: daily_loss ");
  REQUIRE(at != std::string::npos);
  const int trips = std::atoi(r.output.c_str() + at + 18);
  REQUIRE(trips >= 1);
  // The sender delivers before the run's end returns (it waits for the queue).
  int alerted = 0;
  for (const json& a : hook.received()) {
    if (a["kind"] != "daily_loss") continue;
    ++alerted;
    CHECK(a["message"].get<std::string>().find("daily_loss") != std::string::npos);
  }
  CHECK(alerted == trips);
}

TEST_CASE("mmhost run --metrics needs the wall clock and an address") {
  CHECK(run_mmhost("run strategies/eth_bos_mm.lua --metrics 127.0.0.1:9464").exit_code == 2);
  const CommandResult bad =
      run_mmhost("run strategies/eth_bos_mm.lua --speed 100 --metrics localhost:x");
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("expected HOST:PORT") != std::string::npos);
}

TEST_CASE("mmhost run --out is for runs on the wall clock, --risk names a known limit") {
  TempDir dir;
  CommandResult r = run_mmhost("run strategies/eth_bos_mm.lua --out " + dir.file("x"));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--out is for runs on the wall clock") != std::string::npos);
  r = run_mmhost("run strategies/eth_bos_mm.lua --risk daily_loss=2");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--risk daily_loss=2: daily_loss is not a risk limit (known: ") !=
        std::string::npos);
  r = run_mmhost("run strategies/eth_bos_mm.lua --risk places_per_s=50");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("must be a whole number in [1, 20], got 50") != std::string::npos);
  r = run_mmhost("run strategies/eth_bos_mm.lua --risk stale_ms");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("expected NAME=NUMBER") != std::string::npos);
}

TEST_CASE("mmhost run --plan: says what a replay would do and opens nothing") {
  const CommandResult replay = run_mmhost("run strategies/eth_bos_mm.lua --plan --speed 60");
  INFO(replay.output);
  CHECK(replay.exit_code == 0);
  CHECK(replay.output.find("data       replay (read to its end)") != std::string::npos);
  CHECK(replay.output.find("venue      simfill (simulated fills)") != std::string::npos);
  CHECK(replay.output.find("clock      wall; the strategy reloads") != std::string::npos);
  CHECK(replay.output.find("run dir    a new one under runs/") != std::string::npos);
  const CommandResult fast = run_mmhost("run strategies/eth_bos_mm.lua --plan");
  CHECK(fast.output.find("clock      simulated") != std::string::npos);
  CHECK(fast.output.find("run dir") == std::string::npos);
}
