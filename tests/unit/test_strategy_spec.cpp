#include "lua/strategy_spec.hpp"

#include "lua/lua_state.hpp"
#include "test_support.hpp"

#include <mmhost/sdk/interval.hpp>

#include <doctest/doctest.h>

using namespace mmh;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {
std::string spec_error(const std::string& script) {
  TempDir dir;
  const std::string path = write_file(dir.file("s.lua"), script);
  try {
    load_strategy_spec(path);
  } catch (const ScriptError& e) {
    std::string message = e.what();
    return message.substr(message.find("s.lua"));
  }
  FAIL("expected a script error for:\n" << script);
  return {};
}
}  // namespace

TEST_CASE("a strategy's market table is read with defaults") {
  TempDir dir;
  const std::string path = write_file(dir.file("s.lua"),
                                      "-- comment\nreturn mmhost.strategy{ name = 'demo', market = "
                                      "{ symbol = 'ETHUSDT', htf = '15m', file = 'x.csv' } }\n");
  const StrategySpec spec = load_strategy_spec(path);
  CHECK(spec.name == "demo");
  CHECK(spec.data_plugin == "replay");
  CHECK(spec.symbol == "ETHUSDT");
  CHECK(spec.ltf_interval_ns == sdk::kNsPerMinute);
  CHECK(spec.htf_interval_ns == 15 * sdk::kNsPerMinute);
  CHECK(spec.replay_file == "x.csv");
}

TEST_CASE("the shipped flagship strategy loads") {
  const StrategySpec spec =
      load_strategy_spec(mmh::test::source_dir() + "/strategies/eth_bos_mm.lua");
  CHECK(spec.symbol == "ETHUSDT");
  CHECK(spec.data_plugin == "replay");
  CHECK_FALSE(spec.replay_file.empty());
  CHECK(spec.core_plugin == "bos_mm");
  CHECK(spec.core_params.at("grid.levels") == "4");
  CHECK(spec.core_params.at("pullback.zone") == "either");
}

TEST_CASE("the defensive variant shares lib/eth.lua with the flagship and changes what it says") {
  const StrategySpec flagship =
      load_strategy_spec(mmh::test::source_dir() + "/strategies/eth_bos_mm.lua");
  const StrategySpec defensive =
      load_strategy_spec(mmh::test::source_dir() + "/strategies/eth_bos_mm_defensive.lua");
  CHECK(defensive.symbol == flagship.symbol);
  CHECK(defensive.replay_file == flagship.replay_file);
  CHECK(defensive.core_params.at("grid.levels") == "2");
  CHECK(defensive.core_params.at("bos.confirm_closes") == "2");
  // Untouched fields come from the shared flagship table.
  CHECK(defensive.core_params.at("grid.step_min_bps") ==
        flagship.core_params.at("grid.step_min_bps"));
  CHECK(defensive.core_params.at("structure.left_bars") == "5");
}

TEST_CASE("the core and its parameter groups are flattened to group.name -> text") {
  TempDir dir;
  const std::string path =
      write_file(dir.file("s.lua"),
                 "return mmhost.strategy{ core = 'bos_mm', market = { symbol = 'ETHUSDT' },\n"
                 "  grid = { levels = 3, step_atr = 0.25 }, pullback = { zone = 'both' },\n"
                 "  capital = { allocation = 2500.5 }, risk = { stop_drawdown_pct = 3 } }\n");
  const StrategySpec spec = load_strategy_spec(path);
  CHECK(spec.core_plugin == "bos_mm");
  CHECK(spec.core_params == std::map<std::string, std::string>{{"capital.allocation", "2500.5"},
                                                               {"grid.levels", "3"},
                                                               {"grid.step_atr", "0.25"},
                                                               {"pullback.zone", "both"},
                                                               {"risk.stop_drawdown_pct", "3"}});
}

TEST_CASE("parameter groups need a core, and take only scalars") {
  CHECK(spec_error("return mmhost.strategy{ market = { symbol = 'X' }, grid = { levels = 3 } }") ==
        "s.lua: core: parameter groups are set but no core plugin is named (core = \"bos_mm\")");
  CHECK(spec_error("return mmhost.strategy{ core = 'bos_mm', market = { symbol = 'X' }, "
                   "grid = { levels = {} } }") ==
        "s.lua:1: grid.levels: expected a number, string or boolean, got table");
  CHECK(spec_error(
            "return mmhost.strategy{ core = 'bos_mm', market = { symbol = 'X' }, grid = 4 }") ==
        "s.lua:1: grid: expected a table of parameters");
}

TEST_CASE("script errors name the file and line") {
  CHECK(spec_error("return mmhost.strategy{\n  market = { symbol = 'X' \n").find("s.lua:3:") ==
        0);  // syntax
  CHECK(spec_error("local x = nil\nreturn x.field\n").find("s.lua:2: attempt to index") ==
        0);  // runtime
  CHECK(spec_error("error('boom')\n").find("s.lua:1: boom") == 0);
}

TEST_CASE("bad values name the key path") {
  CHECK(spec_error("return 5") ==
        "s.lua: the script must return a strategy table (return mmhost.strategy{ ... })");
  CHECK(spec_error("return mmhost.strategy{}") ==
        "s.lua: market: required table (data, symbol, ltf, htf, file, instrument)");
  CHECK(spec_error("return mmhost.strategy{ market = {} }") ==
        "s.lua: market.symbol: required (e.g. \"ETHUSDT\")");
  CHECK(spec_error("return mmhost.strategy{ market = { symbol = 'X', ltf = '7q' } }") ==
        "s.lua:1: market.ltf: '7q' is not an interval (use 1m, 5m, 15m, 1h, 4h, 1d)");
  CHECK(spec_error("return mmhost.strategy{ market = { symbol = 'X', ltf = '5m', htf = '7m' } }") ==
        "s.lua:1: market.htf: must be a multiple of market.ltf");
  CHECK(spec_error("return mmhost.strategy{ market = { symbol = 42 } }") ==
        "s.lua:1: market.symbol: expected a string, got number");
  CHECK(spec_error("return mmhost.strategy{ market = { symbol = 'X', simbol = 'Y' } }") ==
        "s.lua:1: market.simbol: unknown key (did you mean 'symbol'? known: data, file, htf, "
        "instrument, ltf, symbol)");
  CHECK(spec_error("return mmhost.strategy{ markets = {} }")
            .find("s.lua:1: markets: unknown key (did you mean 'market'?") == 0);
}

TEST_CASE("market.instrument: decimal strings, a tick and a lot, nothing else") {
  const char* head = "return mmhost.strategy{ market = { symbol = 'BTCUSDT', instrument = ";
  auto with = [&](const std::string& instrument) { return spec_error(head + instrument + " } }"); };
  CHECK(with("{ tick_size = 0.01, lot_size = '0.000001' }") ==
        "s.lua:1: market.instrument.tick_size: expected a string, got number");
  CHECK(with("{ tick_size = '0.01' }") ==
        "s.lua:1: market.instrument: needs tick_size and lot_size (decimal strings)");
  CHECK(with("{ tick_size = '0.01', lot_size = '0' }") ==
        "s.lua:1: market.instrument.lot_size: must be a positive step of at most 8 decimals, "
        "got '0'");
  CHECK(with("{ tick_size = '0.01', lot_size = '1', min_order_value = 'five' }") ==
        "s.lua:1: market.instrument.min_order_value: must be a decimal string like \"0.01\": "
        "'five' is not a decimal of at most 19 digits");
  CHECK(with("{ tick_size = '0.01', lot_size = '1', tick = '1' }")
            .find("s.lua:1: market.instrument.tick: unknown key") == 0);
  CHECK(with("'0.01'") ==
        "s.lua:1: market.instrument: expected a table { tick_size = \"0.01\", lot_size = "
        "\"0.00001\", ... }");
  TempDir dir;
  const StrategySpec spec = load_strategy_spec(
      write_file(dir.file("s.lua"),
                 std::string(head) +
                     "{ tick_size = '0.01', lot_size = '0.000001', min_order_value = '5' } } }"));
  CHECK(spec.instrument.at("lot_size") == "0.000001");
  CHECK(spec.instrument.at("min_order_value") == "5");
  CHECK(spec.instrument.count("min_order_qty") == 0);
}

TEST_CASE("errors point at the line that sets the key, following the group") {
  const std::string script =
      "return mmhost.strategy{\n"
      "  name = 'x',\n"
      "  market = {\n"
      "    symbol = 'ETHUSDT',\n"
      "    ltf = '5m', htf = '7m',\n"
      "  },\n"
      "}\n";
  CHECK(spec_error(script) == "s.lua:5: market.htf: must be a multiple of market.ltf");
  TempDir dir;
  const std::string path =
      write_file(dir.file("g.lua"),
                 "-- a comment saying levels = 9 comes before the grid table\n"
                 "local levels_note = 1\n"
                 "return {\n  grid = {\n    step_atr = 0.2,\n    levels = 99,\n  },\n}\n");
  CHECK(script_line_of(path, "grid.levels") == 6);
  CHECK(script_line_of(path, "grid.step_atr") == 5);
  CHECK(script_line_of(path, "grid.skew_atr") == 0);
  CHECK(script_line_of(path, "risk.stop_drawdown_pct") == 0);
}

TEST_CASE("scripts cannot reach files or the OS, and are told so") {
  const char* escapes[][2] = {
      {"return io.open('/etc/passwd')", "s.lua:1: 'io' is not available in strategy scripts"},
      {"return os.execute('true')", "s.lua:1: 'os' is not available in strategy scripts"},
      {"os.exit(1)", "s.lua:1: 'os' is not available"},
      {"return dofile('/etc/passwd')", "s.lua:1: 'dofile' is not available"},
      {"return loadfile('/etc/passwd')", "s.lua:1: 'loadfile' is not available"},
      {"return load('return 1')", "s.lua:1: 'load' is not available"},
      {"return loadstring('return 1')", "s.lua:1: 'loadstring' is not available"},
      {"return debug.getinfo(1)", "s.lua:1: 'debug' is not available"},
      {"return package.loadlib('x', 'y')", "s.lua:1: 'package' is not available"},
      // Not `return require(...)`: a tail call leaves no line to report.
      {"local m = require('ffi')", "s.lua:1: require 'ffi': no file"},
      {"local m = require('../../etc/passwd')",
       "s.lua:1: require '../../etc/passwd': module names"},
      {"return string.dump(print)", "s.lua:1: attempt to call"},
      {"collectgarbage('stop')", "s.lua:1: 'collectgarbage' is not available"},
  };
  for (const auto& escape : escapes) {
    const char* script = escape[0];  // not a binding: CAPTURE takes it in a lambda
    const char* expected = escape[1];
    CAPTURE(script);
    const std::string message = spec_error(script);
    CHECK_MESSAGE(message.find(expected) == 0, message);
  }
}
