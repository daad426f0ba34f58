// report.html as a user opens it: rendered by headless Chromium from the file, offline.
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <sstream>
#include <string>

using mmh::test::read_file;
using mmh::test::run_command;
using mmh::test::run_mmhost;
using mmh::test::TempDir;

namespace {

std::string chromium() {
  const char* env = std::getenv("MMHOST_CHROMIUM");
  if (env != nullptr && *env != '\0') return env;
  return "/usr/bin/chromium";
}

// Headless, offline, no profile: the flags that keep Chromium from reaching out on start.
std::string headless(const TempDir& dir) {
  return chromium() +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync "
         "--hide-scrollbars --window-size=1280,1100 --virtual-time-budget=10000 "
         "--user-data-dir=" +
         dir.file("profile");
}

long attribute(const std::string& body_tag, const std::string& name) {
  const std::regex re(name + "=\"(-?[0-9]+)\"");
  std::smatch m;
  return std::regex_search(body_tag, m, re) ? std::stol(m[1].str()) : -1;
}

// The page as Chromium leaves it: the <body> tag (pages mark it when drawn) and Chromium's log.
struct Rendered {
  std::string body_tag;
  std::string output;
};

Rendered render(const TempDir& dir, const std::string& page_path) {
  const auto dom =
      run_command(headless(dir) + " --enable-logging=stderr --v=0 --dump-dom file://" + page_path);
  REQUIRE(dom.exit_code == 0);
  std::smatch body;
  REQUIRE(std::regex_search(dom.output, body, std::regex("<body[^>]*>")));
  return {body.str(), dom.output};
}

}  // namespace

TEST_CASE("report: report.html is one offline file that Chromium renders without errors") {
  REQUIRE_MESSAGE(std::filesystem::exists(chromium()),
                  "Chromium is needed for this test: bash tools/install-deps.sh installs it");
  const std::string data =
      mmh::test::shared_data("candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv");
  REQUIRE_MESSAGE(std::filesystem::exists(data), "missing real data: ", data);
  TempDir dir;
  const auto run = run_mmhost(
      "backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 "
      "--start 2025-06-01 --end 2025-06-15 --cache " +
          data + " --out " + dir.file("run"),
      "MMHOST_CACHE_DIR=" + dir.file("cache"));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const std::string page_path = dir.file("run/report.html");
  const std::string page = read_file(page_path);
  // Self-contained: no external scripts, styles or images.
  CHECK(page.find("<script src") == std::string::npos);
  CHECK(page.find("<link") == std::string::npos);
  CHECK(page.find("TradingView Lightweight Charts") != std::string::npos);
  CHECK(page.find("<h2>Metrics</h2>") != std::string::npos);
  CHECK(page.find("net_pnl") != std::string::npos);
  CHECK(page.find("biases") != std::string::npos);
  // The RiskGate's own table: its limits and what it held back.
  CHECK(page.find("<h2>Risk gate</h2>") != std::string::npos);
  CHECK(page.find("limits.places_per_s") != std::string::npos);
  CHECK(page.find("bars_halted") != std::string::npos);

  // The page marks <body> when the chart has drawn: painted pixels of the chart's own canvases
  // and the errors window.onerror saw.
  const Rendered dom = render(dir, page_path);
  const std::string& tag = dom.body_tag;
  INFO(tag);
  CHECK(tag.find("data-rendered=\"yes\"") != std::string::npos);
  CHECK(attribute(tag, "data-errors") == 0);
  CHECK(attribute(tag, "data-painted-pixels") > 20000);  // a blank chart paints none
  // The whole run in view on first open; daily PnL bars drawn; markers thinned to a few hundred.
  CHECK(attribute(tag, "data-visible-pct") == 100);
  CHECK(attribute(tag, "data-days") >= 1);
  CHECK(attribute(tag, "data-painted-daily") > 1000);
  CHECK(attribute(tag, "data-markers") > 0);
  // No console errors (Chromium logs page console messages as CONSOLE lines).
  std::istringstream log(dom.output);
  for (std::string line; std::getline(log, line);)
    if (line.find("CONSOLE") != std::string::npos) {
      const bool bad = line.find("Uncaught") != std::string::npos ||
                       line.find("ERROR") != std::string::npos ||
                       line.find("error") != std::string::npos;
      CHECK_MESSAGE(!bad, line);
    }

  // And a real screenshot, which must not be blank: a white 1280x1100 PNG compresses to a few kB.
  const std::string shot = dir.file("shot.png");
  const auto png = run_command(headless(dir) + " --screenshot=" + shot + " file://" + page_path);
  REQUIRE_MESSAGE(std::filesystem::exists(shot), png.output);
  CHECK(std::filesystem::file_size(shot) > 40'000);
}

TEST_CASE("report: a batch's report.html renders its table and both charts in Chromium") {
  REQUIRE_MESSAGE(std::filesystem::exists(chromium()),
                  "Chromium is needed for this test: bash tools/install-deps.sh installs it");
  TempDir dir;
  const std::string script = mmh::test::write_file(
      dir.file("sweep.lua"),
      "local data = mmhost.data.load{ file = \"" +
          mmh::test::shared_data("candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv") +
          "\", start = \"2025-06-01\", [\"end\"] = \"2025-06-08\" }\n"
          "mmhost.batch.run{ strategy = \"strategies/eth_bos_mm.lua\", data = data, htf = \"5m\",\n"
          "  sets = mmhost.batch.grid{ [\"grid.step_atr\"] = {0.2, 0.4, 0.6, 0.8},\n"
          "                            [\"grid.levels\"] = {2, 4, 99} } }\n");  // 99: 4 failures
  const auto run = run_mmhost("batch " + script + " --jobs 2 --no-progress --out " + dir.file("b"));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const std::string page_path = dir.file("b/report.html");
  const std::string page = read_file(page_path);
  CHECK(page.find("<script src") == std::string::npos);  // offline: one file
  CHECK(page.find("<link") == std::string::npos);

  const Rendered dom = render(dir, page_path);
  const std::string& tag = dom.body_tag;
  INFO(tag);
  CHECK(tag.find("data-rendered=\"yes\"") != std::string::npos);
  CHECK(attribute(tag, "data-errors") == 0);
  CHECK(attribute(tag, "data-table-rows") == 12);  // failed runs are listed too
  CHECK(attribute(tag, "data-front-points") >= 1);
  // Dots and the front line paint well beyond the bare axes of an empty chart.
  CHECK(attribute(tag, "data-painted-pareto") > 3000);
  CHECK(attribute(tag, "data-painted-scatter") > 3000);
  // The front's x axis is a number line (it was a time axis placing runs by rank).
  CHECK(tag.find("data-x-linear=\"yes\"") != std::string::npos);
  std::istringstream log(dom.output);
  for (std::string line; std::getline(log, line);)
    if (line.find("CONSOLE") != std::string::npos)
      CHECK_MESSAGE(line.find("rror") == std::string::npos, line);
}
