// Steering a paced replay through its control socket, as an operator does: `mmhost halt`
// cancels every working order and nothing is placed after it returns; a restart of the same
// run directory stays halted; `mmhost resume` quotes again. The simulated venue (simfill) is
// the exchange here; tests/integration/test_live.cpp does the same against the fake Bybit.
#include "app/control_socket.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
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
std::future<CommandResult> start_paced(const std::string& data, const std::string& run_dir) {
  return std::async(std::launch::async, [=] {
    return run_mmhost("run strategies/eth_bos_mm.lua --replay " + data + " --speed 60000 --out " +
                      run_dir);
  });
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
