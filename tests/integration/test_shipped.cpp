// Every shipped strategy (strategies/*.lua) and batch script (scripts/*.lua) runs on a short slice
// of real data, so a shipped file that names a missing plugin, parameter or data file fails here
// instead of in a user's hands. The lists come from the directories, not from this file.
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

using namespace mmh::test;
namespace fs = std::filesystem;

namespace {

const char* kCandles1m = "candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv";
const char* kCandles5m = "candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv";
const char* kTrades = "trades/binance_spot_ETHUSDT_trades_2024-08-08T235415_2024-08-09T000505.csv";
const char* kBook = "book/binance_spot_ETHUSDT_depth_2024-08-08T235414_2024-08-09T000504.csv.gz";

// The first `rows` data rows of a CSV (and its header) into `to`.
void write_slice(const std::string& from, const std::string& to, size_t rows) {
  std::ifstream in(from, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "real data missing: " << from);
  fs::create_directories(fs::path(to).parent_path());
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  std::string line;
  for (size_t i = 0; i <= rows && std::getline(in, line); ++i) out << line << '\n';
}

std::vector<fs::path> shipped(const std::string& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(source_dir()) / dir))
    if (e.is_regular_file() && e.path().extension() == ".lua") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Backtest arguments per strategy: a slice of 1m candles unless the strategy needs other data.
// A new strategy that needs other data fails below until it has its line here.
std::string strategy_inputs(const std::string& name, const TempDir& dir) {
  if (name == "eth_bos_mm_ticks.lua")
    return "--fill-model book --cache " + shared_data(kTrades) + " --book " + shared_data(kBook);
  if (name == "eth_bos_mm_5m.lua") {
    write_slice(shared_data(kCandles5m), dir.file("slice_5m.csv"), 4 * 288);
    return "--cache " + dir.file("slice_5m.csv");
  }
  write_slice(shared_data(kCandles1m), dir.file("slice_1m.csv"), 4 * 1440);
  return "--cache " + dir.file("slice_1m.csv");
}

}  // namespace

TEST_CASE("shipped strategies: each one backtests on a short slice of real data") {
  const std::vector<fs::path> strategies = shipped("strategies");
  REQUIRE(strategies.size() >= 4);
  for (const fs::path& strategy : strategies) {
    const std::string name = strategy.filename().string();
    CAPTURE(name);
    TempDir dir;
    const CommandResult r = run_mmhost("backtest " + strategy.string() + " " +
                                       strategy_inputs(name, dir) + " --out " + dir.file("run"));
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("event hash ") != std::string::npos);
    CHECK(fs::exists(dir.file("run/summary.json")));
  }
}

TEST_CASE("shipped batch scripts: each one runs on a short slice of the data it names") {
  const std::vector<fs::path> scripts = shipped("scripts");
  REQUIRE(scripts.size() >= 3);
  const std::regex shared_path("\"\\.\\./shared/data/([^\"]+)\"");
  for (const fs::path& script : scripts) {
    const std::string name = script.filename().string();
    CAPTURE(name);
    // The script runs in a work tree of its own whose ../shared/data holds a slice of every file
    // it names (46 days when it walks forward: 30 + 15; else 7, which keeps a 90-set sweep short
    // under ASan), and whose strategies/ are the shipped ones.
    TempDir dir;
    const fs::path work = dir.path() / "work";
    fs::create_directories(work);
    fs::create_directory_symlink(fs::path(source_dir()) / "strategies", work / "strategies");
    const std::string text = read_file(script.string());
    const bool walks_forward = text.find("mmhost.batch.windows") != std::string::npos;
    std::set<std::string> named;
    for (std::sregex_iterator it(text.begin(), text.end(), shared_path), end; it != end; ++it)
      named.insert((*it)[1]);
    for (const std::string& data : named)
      write_slice(shared_data(data), (dir.path() / "shared/data" / data).string(),
                  (walks_forward ? 46 : 7) * 1440);
    const CommandResult r =
        run_command("cd " + work.string() + " && env -u MMHOST_PLUGIN_PATH -u MMHOST_CONFIG " +
                    mmhost_binary() + " batch " + script.string() + " --no-progress --out out");
    INFO(r.output);
    CHECK(!named.empty());
    CHECK(r.exit_code == 0);
    CHECK(r.output.find(" computed (0 failed)") != std::string::npos);
    CHECK(fs::exists(work / "out/results.csv"));
  }
}
