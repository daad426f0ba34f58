// POST /runs bodies: the seed's backtest_mm_mtf form, the structured form and batches become
// mmhost command lines; every bad field is named; paths cannot leave the allowed roots; the
// job key follows the inputs (the command line and the bytes of every file) and nothing else.
#include "api/job_spec.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

using namespace mmh::api;
using mmh::test::TempDir;
using nlohmann::json;

namespace {

SpecContext context(const TempDir& dir) {
  SpecContext c;
  c.source_dir = mmh::test::source_dir();
  c.data_roots = {std::filesystem::canonical(mmh::test::shared_data(".")),
                  std::filesystem::path(mmh::test::source_dir()) / "data"};
  c.inline_dir = dir.path() / "strategies";
  c.build_hash = "build-1";
  return c;
}

// The field a body is refused for ("" when it is accepted).
std::string refused_field(const json& body, const SpecContext& c) {
  try {
    parse_job(body, c);
    return "";
  } catch (const SpecError& e) {
    return e.field().empty() ? "<body>" : e.field();
  }
}

}  // namespace

TEST_CASE("job spec: the seed's backtest_mm_mtf body runs the flagship on the data covering it") {
  TempDir dir;
  const SpecContext c = context(dir);
  const JobSpec s = parse_job(json::parse(R"({"name":"eth","kind":"backtest_mm_mtf","cli_args":[
      "--symbol","ETHUSDT","--htf-interval","5","--ltf-interval","1",
      "--start","2025-06-01","--end","2025-07-01"]})"),
                              c);
  CHECK(s.name == "eth");
  REQUIRE(s.argv.size() == 15);
  CHECK(s.argv[0] == "backtest");
  CHECK(s.argv[1].ends_with("strategies/eth_bos_mm.lua"));
  CHECK(s.argv[13].ends_with("binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv"));
  CHECK(s.argv.back() == "--no-progress");
  CHECK(s.input_files.size() == 2);
  // --opt=value works too; 2021 data when the range is in 2021.
  const JobSpec old = parse_job(json::parse(R"({"kind":"backtest_mm_mtf","cli_args":[
      "--htf-interval=5","--ltf-interval=1","--start=2021-05-01","--end=2021-06-01"]})"),
                                c);
  CHECK(old.argv[old.argv.size() - 2].find("2021-04-02") != std::string::npos);
}

TEST_CASE("job spec: the structured form and inline strategy text") {
  TempDir dir;
  const SpecContext c = context(dir);
  const JobSpec s = parse_job(json::parse(R"({"kind":"backtest","strategy_text":"-- a strategy\n",
          "data":"data/sample/ETHUSDT_1m_synthetic.csv","htf_interval":5,"ltf_interval":"1",
          "fees":"0.0002,0.00055","fill_model":"candle"})"),
                              c);
  CHECK(s.argv[1].find(c.inline_dir.string()) == 0);
  CHECK(mmh::test::read_file(s.argv[1]) == "-- a strategy\n");
  CHECK(std::find(s.argv.begin(), s.argv.end(), "--fees") != s.argv.end());
  CHECK(!s.normalized.contains("strategy_text"));
}

TEST_CASE("job spec: every bad field is named") {
  TempDir dir;
  const SpecContext c = context(dir);
  CHECK(refused_field(json::array(), c) == "<body>");
  CHECK(refused_field({{"kind", "nope"}}, c) == "kind");
  CHECK(refused_field(json::object(), c) == "kind");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"colour", "red"}}, c) == "colour");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"cli_args", "--symbol ETHUSDT"}}, c) ==
        "cli_args");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"cli_args", {"--symbol", "eth usdt"}}}, c) ==
        "cli_args[1]");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"cli_args", {"--out", "/tmp/x"}}}, c) ==
        "cli_args[0]");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"cli_args", {"--start", "June"}}}, c) ==
        "cli_args[1]");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"cli_args", {"--start"}}}, c) ==
        "cli_args[0]");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"},
                       {"cli_args", {"--htf-interval", "5", "--htf-interval", "15"}}},
                      c) == "cli_args[3]");
  CHECK(refused_field({{"kind", "backtest"}}, c) == "strategy");
  CHECK(refused_field({{"kind", "backtest"}, {"strategy", "strategies/missing.lua"}}, c) ==
        "strategy");
  CHECK(refused_field({{"kind", "batch"}}, c) == "script");
  CHECK(refused_field({{"kind", "batch"}, {"script", "scripts/mtf_sweep.lua"}, {"jobs", 0}}, c) ==
        "jobs");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"symbol", "DOGEUSDT"}}, c) == "cli_args");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"name", std::string(300, 'x')}}, c) == "name");
}

TEST_CASE("job spec: paths cannot leave the strategies, scripts and data directories") {
  TempDir dir;
  const SpecContext c = context(dir);
  for (const char* path : {"/etc/passwd", "../../../../etc/passwd", "data/../CMakeLists.txt",
                           "strategies/../../shared/ARCHITECTURE.md"})
    CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"cli_args", {"--cache", path}}}, c) ==
          "cli_args[1]");
  CHECK(refused_field({{"kind", "backtest"}, {"strategy", "strategies/../README.md"}}, c) ==
        "strategy");
  CHECK(refused_field({{"kind", "backtest"}, {"strategy", "/etc/hostname.lua"}}, c) == "strategy");
  CHECK(refused_field({{"kind", "batch"}, {"script", "strategies/eth_bos_mm.lua"}}, c) == "script");
  // A link inside the data directory that points out of it is followed, then refused.
  const std::string link = dir.file("data/escape.csv");
  std::filesystem::create_directories(dir.file("data"));
  std::filesystem::create_symlink("/etc/passwd", link);
  SpecContext with_dir = c;
  with_dir.data_roots.push_back(dir.path() / "data");
  CHECK(refused_field({{"kind", "backtest_mm_mtf"}, {"cli_args", {"--cache", link}}}, with_dir) ==
        "cli_args[1]");
}

TEST_CASE("job spec: the key follows the inputs, not the name") {
  TempDir dir;
  SpecContext c = context(dir);
  auto key = [&](const json& body) { return job_key(parse_job(body, c), c); };
  const json a = {{"kind", "backtest_mm_mtf"}, {"cli_args", {"--htf-interval", "5"}}};
  json renamed = a;
  renamed["name"] = "other";
  CHECK(key(a) == key(renamed));
  CHECK(key(a).size() == 32);
  CHECK(key(a) != key({{"kind", "backtest_mm_mtf"}, {"cli_args", {"--htf-interval", "15"}}}));
  // The same text inline twice is one file and one key; another text, another key.
  const json t1 = {{"kind", "backtest"}, {"strategy_text", "-- one\n"}};
  CHECK(key(t1) == key(t1));
  CHECK(key(t1) != key({{"kind", "backtest"}, {"strategy_text", "-- two\n"}}));
  const std::string before = key(a);
  c.build_hash = "build-2";  // another mmhost or plugin build
  CHECK(key(a) != before);
}

TEST_CASE("job spec: a sweep is one backtest per parameter set, each with its --set") {
  TempDir dir;
  const SpecContext c = context(dir);
  const SweepSpec grid =
      parse_sweep(json::parse(R"({"kind":"sweep","name":"lv","htf_interval":5,"ltf_interval":1,
          "data":"data/sample/ETHUSDT_1m_synthetic.csv",
          "grid":{"grid.levels":[3,4,5],"grid.step_atr":[0.2,"0.4"]}})"),
                  c);
  REQUIRE(grid.children.size() == 6);
  CHECK(grid.parent.kind == "sweep");
  CHECK(grid.children[0].name == "lv: grid.levels=3 grid.step_atr=0.2");
  const std::vector<std::string>& argv = grid.children[5].argv;
  CHECK(std::find(argv.begin(), argv.end(), "grid.levels=5") != argv.end());
  CHECK(std::find(argv.begin(), argv.end(), "grid.step_atr=0.4") != argv.end());
  CHECK(argv.back() == "--summary-only");
  const SweepSpec sets = parse_sweep(
      json::parse(R"({"kind":"sweep","sets":[{},{"policy.defensive_atr_pct":0.45}]})"), c);
  CHECK(sets.children.size() == 2);
  CHECK(sets.children[0].name == "sweep: defaults");
  auto refused = [&](const char* body) {
    try {
      parse_sweep(json::parse(body), c);
      return std::string();
    } catch (const SpecError& e) {
      return e.field();
    }
  };
  CHECK(refused(R"({"kind":"sweep"})") == "grid");
  CHECK(refused(R"({"kind":"sweep","grid":{"grid.levels":[]}})") == "grid.grid.levels");
  CHECK(refused(R"({"kind":"sweep","grid":{"Bad Name":[1]}})") == "grid.Bad Name");
  CHECK(refused(R"({"kind":"sweep","sets":[{"grid.levels":"1; rm -rf"}]})") ==
        "sets[0].grid.levels");
  CHECK(refused(R"({"kind":"sweep","grid":{"a":[1,2,3,4,5,6,7,8,9,10],"b":[1,2,3,4,5,6,7,8,9,10],
                    "c":[1,2,3,4,5,6,7,8,9,10],"d":[1,2,3,4,5,6,7,8,9,10],"e":[1,2]}})") == "grid");
  CHECK(refused_field({{"kind", "backtest"},
                       {"strategy", "strategies/eth_bos_mm.lua"},
                       {"grid", json::object()}},
                      c) == "grid");
}

TEST_CASE("job spec: a backtest's params become --set in name order and bad ones are named") {
  TempDir dir;
  const SpecContext c = context(dir);
  const JobSpec s =
      parse_job(json::parse(R"({"kind":"backtest","strategy":"strategies/eth_bos_mm.lua",
      "data":"data/sample/ETHUSDT_1m_synthetic.csv","params":{"grid.step_atr":0.4,"grid.levels":6}})"),
                c);
  const auto at = std::find(s.argv.begin(), s.argv.end(), "--set");
  REQUIRE(at != s.argv.end());
  REQUIRE(s.argv.end() - at >= 5);
  CHECK(*(at + 1) == "grid.levels=6");
  CHECK(*(at + 2) == "--set");
  CHECK(*(at + 3) == "grid.step_atr=0.4");
  CHECK(s.argv.back() == "--no-progress");
  CHECK(refused_field(json::parse(R"({"kind":"backtest","strategy":"strategies/eth_bos_mm.lua",
      "data":"data/sample/ETHUSDT_1m_synthetic.csv","params":[1]})"),
                      c) == "params");
  CHECK(refused_field(json::parse(R"({"kind":"backtest","strategy":"strategies/eth_bos_mm.lua",
      "data":"data/sample/ETHUSDT_1m_synthetic.csv","params":{"Grid Levels":1}})"),
                      c) == "params.Grid Levels");
  CHECK(refused_field(json::parse(R"({"kind":"backtest","strategy":"strategies/eth_bos_mm.lua",
      "data":"data/sample/ETHUSDT_1m_synthetic.csv","params":{"grid.levels":"6; rm -rf /"}})"),
                      c) == "params.grid.levels");
}
