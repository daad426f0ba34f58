// The web UI of `mmhost serve` (api/web_ui.hpp) in headless Chromium, driven by
// tests/ui/ui_test.mjs through playwright-core: pages render without a console error, a backtest
// started from the form runs to done and its page's header shows the figures of its
// summary.json, two runs compare, a sweep's Pareto point opens its run, at desktop and phone
// widths. Screenshots: build/<preset>/test-artifacts/ui/.
#include "serve_client.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <future>
#include <map>
#include <set>

using namespace mmh::test;
using nlohmann::json;

namespace {

// What format.js's money() shows: cents, thousands grouped, a minus sign for losses.
std::string money(const std::string& value) {
  const double v = std::stod(value);
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", v < 0 ? -v : v);
  std::string digits = text, out;
  const size_t dot = digits.find('.');
  for (size_t i = 0; i < dot; ++i) {
    if (i > 0 && (dot - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "\u2212" : "") + out + digits.substr(dot);
}

}  // namespace

TEST_CASE(
    "mmhost serve: the web UI lists runs, starts a backtest from its form, shows its figures") {
  TempDir dir;
  Serve serve(dir.file("store"), 2);
  // Served: the page, the bundle, and a policy that allows scripts from the server only.
  const auto [page_code, page] = http_request(serve.url() + "/");
  CHECK(page_code == 200);
  CHECK(page.find("/ui/app.js") != std::string::npos);
  CHECK(http_request(serve.url() + "/ui/app.js").first == 200);
  CHECK(http_request(serve.url() + "/ui/app.css").first == 200);
  CHECK(http_request(serve.url() + "/ui/../api-token").first == 404);

  const auto [code, seed] = serve.post("/runs", kSeedBody);
  REQUIRE(code == 201);
  REQUIRE(serve.wait_finished(seed["id"])["status"] == "done");

  const std::string shots = std::string(MMHOST_TEST_ARTIFACTS_DIR) + "/ui";
  std::filesystem::create_directories(shots);
  const std::string token = read_file(dir.file("store/api-token"));
  const CommandResult ui =
      run_command("SEED_RUN=" + seed["id"].get<std::string>() + " SWEEP_DATA=" + eth_1m_file() +
                  " NODE_PATH=" + std::string(MMHOST_TEST_NODE_MODULES) + " node " + source_dir() +
                  "/tests/ui/ui_test.mjs " + serve.url() + " " + token.substr(0, token.find('\n')) +
                  " " + shots + " 2>&1");
  INFO(ui.output);
  REQUIRE(ui.exit_code == 0);
  const json r = json::parse(ui.output.substr(ui.output.rfind("\n{") + 1), nullptr, false);
  REQUIRE(r.is_object());
  CHECK(r["errors"].empty());
  CHECK(r["runs_rows"].get<int>() >= 1);
  CHECK(r["command"].get<std::string>().find(
            "mmhost backtest strategies/eth_bos_mm.lua --symbol ETHUSDT --htf-interval 5") == 0);
  // The parameter catalog: grid.levels with its range; 999 refused before submitting, 6 sent.
  CHECK(r["param_info"].get<std::string>().find("range [1, ") != std::string::npos);
  CHECK(r["param_error"].get<std::string>().find("'999' is not in [1, ") != std::string::npos);
  CHECK(r["start_disabled_when_wrong"] == true);
  CHECK(r["param_error_after"] == 0);
  CHECK(r["command"].get<std::string>().find("--set grid.levels=6") != std::string::npos);
  const std::string argv = r["argv"].dump();
  CHECK(argv.find(R"("--set","grid.levels=6")") != std::string::npos);
  const json& m = r["metrics"];
  const json& f = r["figures"];
  CHECK(f["Net PnL (USDT)"] == money(m["net_pnl"]));
  CHECK(f["Fees (USDT)"] == money(m["fees_total"]));
  CHECK(f["Fills maker / taker"] == std::to_string(m["fills"]["maker"].get<int>()) + " / " +
                                        std::to_string(m["fills"]["taker"].get<int>()));
  char ret[32];
  const double rp = m["return_pct"].get<double>();
  std::snprintf(ret, sizeof ret, "%.2f %%", rp < 0 ? -rp : rp);
  CHECK(f["Return"] == (rp < 0 ? "\u2212" : "") + std::string(ret));
  std::set<std::string> files;
  for (const json& name : r["files"]) files.insert(name.get<std::string>());
  for (const char* want :
       {"report.html", "summary.json", "events.jsonl", "fills.csv", "equity.csv"})
    CHECK_MESSAGE(files.count(want), want);
  CHECK(r["fill_rows"].get<int>() > 0);
  CHECK(r["fills_table_rows"].get<int>() == std::min(100, m["fills"]["total"].get<int>()));
  CHECK(r["report_frame"] == 1);
  CHECK(r["report_errors"] == 0);  // the report drew inside the Run page
  CHECK(f.contains("Time in MM"));
  CHECK(r["phone_overflow_px"].get<int>() <= 0);
  CHECK(r["phone_run_overflow_px"].get<int>() <= 0);
  CHECK(r["pages"].size() == 10);
  for (const auto& item : r["phone_other_overflow_px"].items())
    CHECK_MESSAGE(item.value().get<int>() <= 0, item.key());
  // Compare: the two runs differ in their window and name, not in the strategy.
  std::set<std::string> differs;
  for (const json& k : r["compare_differs"]) differs.insert(k.get<std::string>());
  CHECK(differs.count("--end"));
  CHECK(!differs.count("strategy"));
  // A difference is coloured by whether it is better: a higher PnL, a lower drawdown or fee.
  const std::map<std::string, int> better = {{"Net PnL (USDT)", 1},
                                             {"Return", 1},
                                             {"Max drawdown", -1},
                                             {"Sharpe (daily)", 1},
                                             {"Fees (USDT)", -1}};
  int judged = 0;
  for (const json& d : r["compare_diffs"]) {
    const std::string row = d["row"].get<std::string>();
    const double diff = d["diff"].get<double>();
    const std::string verdict = d["verdict"].get<std::string>();
    const std::string cls = d["cls"].get<std::string>();
    CAPTURE(row);
    const auto way = better.find(row);
    if (way == better.end()) {
      CHECK(verdict == "neutral");
      CHECK(cls.find("muted") != std::string::npos);
      continue;
    }
    ++judged;
    const bool is_better = diff * way->second > 0;
    CHECK(verdict == (is_better ? "better" : "worse"));
    CHECK(cls.find(is_better ? "pos" : "neg") != std::string::npos);
  }
  CHECK(judged >= 3);  // the two runs' windows differ: so do their PnL, return and drawdown
  // The sweep: 6 runs, a front, a hovered point showing its parameters, a click opening it.
  CHECK(r["sweep_rows"] == 6);
  // Every scatter axis has ticks, none repeated (a narrow range shows more decimals).
  REQUIRE(r["scatter_ticks"].size() == 4);
  for (const json& axis : r["scatter_ticks"]) {
    std::set<std::string> seen;
    for (const json& v : axis) CHECK_MESSAGE(seen.insert(v.get<std::string>()).second, axis.dump());
    CHECK(seen.size() >= 2);
  }
  CHECK(r["sweep_front_rows"].get<int>() >= 1);
  CHECK(r["tip"].get<std::string>().find("grid.levels = ") != std::string::npos);
  CHECK(r["picked_is_front"] == r["sweep_id"]);
  std::set<std::string> sweep_differs;
  for (const json& k : r["sweep_compare_differs"]) sweep_differs.insert(k.get<std::string>());
  CHECK(!sweep_differs.empty());
  for (const std::string& k : sweep_differs) CHECK_MESSAGE(k.rfind("grid.", 0) == 0, k);
}

TEST_CASE("mmhost serve: the Live page halts and resumes a paced replay through its control") {
  TempDir dir;
  const std::string data =
      trimmed_shared_data(dir, "candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv", 8000);
  const std::string sessions = dir.file("sessions");
  const std::string run_dir = sessions + "/paced";
  // 10 ms a bar: the replay runs for over a minute, longer than the page needs.
  auto replay = std::async(std::launch::async, [&] {
    return run_mmhost("run strategies/eth_bos_mm.lua --replay " + data +
                      " --speed 6000 --status-every 0 --out " + run_dir);
  });
  REQUIRE(wait_for([&] { return std::filesystem::exists(run_dir + "/control.sock"); }, 20000));
  Serve serve(dir.file("store"), 0, "--sessions " + sessions);
  const auto [code, list] = serve.get("/sessions");
  CHECK(code == 200);
  REQUIRE(list["sessions"].size() == 1);
  CHECK(list["sessions"][0]["name"] == "paced");
  CHECK(list["sessions"][0]["status"]["state"] == "active");
  // Commands need the token and a session that exists.
  CHECK(serve.post("/sessions/paced/halt", "", "").first == 401);
  CHECK(serve.post("/sessions/..%2Fpaced/halt", "").first == 404);
  CHECK(serve.post("/sessions/paced/explode", "").first == 404);

  const std::string shots = std::string(MMHOST_TEST_ARTIFACTS_DIR) + "/ui";
  std::filesystem::create_directories(shots);
  const std::string token = read_file(dir.file("store/api-token"));
  const CommandResult ui =
      run_command("NODE_PATH=" + std::string(MMHOST_TEST_NODE_MODULES) + " node " + source_dir() +
                  "/tests/ui/live_test.mjs " + serve.url() + " " +
                  token.substr(0, token.find('\n')) + " " + shots + " paced 2>&1");
  INFO(ui.output);
  REQUIRE(ui.exit_code == 0);
  const json r = json::parse(ui.output.substr(ui.output.rfind("\n{") + 1), nullptr, false);
  REQUIRE(r.is_object());
  CHECK(r["errors"].empty());
  CHECK(r["halted"] == true);
  CHECK(r["halt_note"] == "halt: now halted");
  CHECK(r["resumed"] == true);
  CHECK(r["phone_overflow_px"].get<int>() <= 0);
  // The run itself says so: active again, and its journal holds both commands.
  CHECK(serve.get("/sessions").second["sessions"][0]["status"]["state"] == "active");
  run_mmhost("halt " + run_dir);
  run_command("pkill -TERM -f -- '--out " + run_dir + "'");
  replay.get();
  const CommandResult notes = run_mmhost("journal " + run_dir + " --json --kind note");
  CHECK(notes.output.find("halt") != std::string::npos);
  CHECK(notes.output.find("resume") != std::string::npos);
}
