#include "lua/strategy_script.hpp"

#include "hash/sha256.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

using namespace mmh;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {

struct Host final : ScriptHost {
  std::vector<mmh_core_value> table = {
      {"state", MMH_VALUE_TEXT, 0, 0, "idle"},
      {"pnl.drawdown_pct", MMH_VALUE_NUMBER, 0, 2.5, nullptr},
  };
  CoreValues indexed;
  std::map<std::string, double> metrics;
  int64_t now_ns() const override { return 60'000'000'000; }
  const CoreValues* values() override {
    indexed.assign(table.data(), table.size());
    return &indexed;
  }
  void metric(std::string_view name, double value) override { metrics[std::string(name)] = value; }
};

const char* kHead = "return mmhost.strategy{ core = 'bos_mm', market = { symbol = 'ETHUSDT' },\n";

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ScriptError& e) {
    const std::string m = e.what();
    return m.substr(0, m.find('\n'));
  }
  return "(no error)";
}

mmh_candle bar(double close) {
  mmh_candle b{};
  b.open_ts_ns = 0;
  b.interval_ns = 300'000'000'000;
  b.open_e8 = b.high_e8 = b.low_e8 = b.close_e8 = static_cast<int64_t>(close * 1e8);
  return b;
}

}  // namespace

TEST_CASE("strategy script: callbacks get their arguments and a live ctx") {
  TempDir dir;
  Host host;
  const std::string path = write_file(
      dir.file("s.lua"),
      std::string(kHead) +
          "  on_start = function(ctx) mmhost.state.started = ctx.state end,\n"
          "  on_bar = function(bar, ctx) mmhost.state.bars = (mmhost.state.bars or 0) + 1\n"
          "    mmhost.metric('close', bar.close) end,\n"
          "  on_transition = function(from, to, reason, ctx)\n"
          "    mmhost.state.last = from .. '->' .. to .. ':' .. reason end,\n"
          "  on_stop = function(ctx) mmhost.metric('bars', mmhost.state.bars) end,\n"
          "}\n");
  StrategyScript script(path, &host);
  CHECK(script.spec().callbacks ==
        std::vector<std::string>{"on_start", "on_transition", "on_bar", "on_stop"});
  script.on_start();
  script.on_bar(bar(3500.5));
  script.on_bar(bar(3501));
  script.on_transition("idle", "bos", "bos_confirmed");
  script.on_stop();
  CHECK(host.metrics["close"] == 3501);
  CHECK(host.metrics["bars"] == 2);
}

TEST_CASE("strategy script: the bar argument is read-only") {
  TempDir dir;
  Host host;
  const std::string path = write_file(dir.file("s.lua"), std::string(kHead) +
                                                             "  on_bar = function(bar, ctx)\n"
                                                             "    bar.close = 1 end }\n");
  StrategyScript script(path, &host);
  CHECK(
      error_of([&] { script.on_bar(bar(1)); })
          .find("s.lua:3: 'close': callback arguments are read-only (keep values in mmhost.state) "
                "(in on_bar)") != std::string::npos);
}

TEST_CASE("strategy script: a policy function answers a level, anything else names its line") {
  TempDir dir;
  Host host;
  const std::string path = write_file(
      dir.file("s.lua"), std::string(kHead) +
                             "  policy = function(m, ctx)\n"
                             "    if m.atr_pct > 1 then return 'Disabled' end\n"
                             "    if ctx.pnl.drawdown_pct > 2 then return 'defensive' end\n"
                             "    if m.atr_pct < 0 then return 'sideways' end\n"
                             "    return m.suggested end }\n");
  StrategyScript script(path, &host);
  REQUIRE(script.has_policy());
  StrategyScript::PolicyInputs in;
  in.atr_pct = 2;
  CHECK(std::string(script.policy(in, "normal", "normal")) == "disabled");
  in.atr_pct = 0.5;
  CHECK(std::string(script.policy(in, "normal", "normal")) == "defensive");
  host.table[1].number = 0;
  CHECK(std::string(script.policy(in, "normal", "defensive")) == "normal");
  in.atr_pct = -1;
  CHECK(error_of([&] { script.policy(in, "normal", "normal"); }) ==
        path +
            ":2: policy returned 'sideways'; expected \"Disabled\", \"Defensive\" or "
            "\"Normal\" (in policy)");
}

TEST_CASE("strategy script: transitions as data and functions") {
  TempDir dir;
  Host host;
  const std::string path = write_file(
      dir.file("s.lua"),
      std::string(kHead) +
          "  transitions = {\n"
          "    { from = 'mm', reason = 'bearish_bos', all = { 'bearish_bos', 'holding_base' } },\n"
          "    { from = 'mm', reason = 'max_duration', remove = true },\n"
          "    { from = 'mm', reason = 'deep_drawdown', to = 'exit', all = 'holding_base',\n"
          "      when = function(ctx) return ctx.pnl.drawdown_pct > 2 end },\n"
          "  } }\n");
  StrategyScript script(path, &host);
  CHECK(script.spec().core_params.at("transitions") ==
        "mm.bearish_bos: all=bearish_bos|holding_base; mm.max_duration: off; "
        "mm.deep_drawdown: to=exit all=holding_base script=true");
  CHECK(script.spec().scripted_edges == std::vector<std::string>{"mm.deep_drawdown"});
  CHECK(script.guard("mm", "deep_drawdown"));
  host.table[1].number = 1;
  CHECK_FALSE(script.guard("mm", "deep_drawdown"));
  CHECK_FALSE(script.guard("mm", "no_such_edge"));
}

TEST_CASE("strategy script: mmhost.state survives a reload and on_reload sees the old state") {
  TempDir dir;
  Host host;
  const std::string path =
      write_file(dir.file("s.lua"), std::string(kHead) +
                                        "  on_bar = function(bar, ctx)\n"
                                        "    mmhost.state.bars = (mmhost.state.bars or 0) + 1\n"
                                        "  end }\n");
  StrategyScript old(path, &host);
  old.on_bar(bar(1));
  old.on_bar(bar(1));
  write_file(path, std::string(kHead) +
                       "  on_reload = function(old_state)\n"
                       "    mmhost.metric('bars_before', old_state.bars)\n"
                       "    old_state.reloaded = true end,\n"
                       "  on_bar = function(bar, ctx)\n"
                       "    mmhost.state.bars = mmhost.state.bars + 1\n"
                       "    mmhost.metric('bars', mmhost.state.bars)\n"
                       "    mmhost.metric('reloaded', mmhost.state.reloaded and 1 or 0) end }\n");
  StrategyScript next(path, &host);
  next.on_reload(old);
  CHECK(host.metrics["bars_before"] == 2);
  next.on_bar(bar(1));
  CHECK(host.metrics["bars"] == 3);
  CHECK(host.metrics["reloaded"] == 1);  // old_state *is* the new mmhost.state
}

TEST_CASE("strategy script: a runaway callback is stopped by its budget, named by line") {
  TempDir dir;
  Host host;
  const std::string path =
      write_file(dir.file("s.lua"), std::string(kHead) +
                                        "  risk = { script_instructions = 100000 },\n"
                                        "  on_bar = function(bar, ctx)\n"
                                        "    while true do end end }\n");
  StrategyScript script(path, &host);
  CHECK(script.spec().limits.instructions_per_call == 100000);
  CHECK(script.spec().core_params.count("risk.script_instructions") == 0);  // host field
  CHECK(error_of([&] { script.on_bar(bar(1)); }) ==
        path + ":4: instruction budget of 100000 exceeded (a runaway loop?) (in on_bar)");
  CHECK(error_of([&] { script.on_bar(bar(1)); }).find("budget") != std::string::npos);
}

TEST_CASE("strategy script: host fields are checked and taken out of the core's parameters") {
  TempDir dir;
  auto spec_error = [&](const std::string& body) {
    const std::string path = write_file(dir.file("s.lua"), std::string(kHead) + body + " }\n");
    return error_of([&] { StrategyScript(path, nullptr); });
  };
  CHECK(spec_error("  execution = { reprice = 'move' }")
            .find("execution.reprice: must be \"replace\" or \"amend\", got 'move'") !=
        std::string::npos);
  CHECK(spec_error("  risk = { on_script_error = 'panic' }")
            .find("risk.on_script_error: must be \"keep\" or \"stop_quoting\", got 'panic'") !=
        std::string::npos);
  CHECK(spec_error("  capital = { quote_asset = 'BTC' }")
            .find("capital.quote_asset: 'BTC' must be how market.symbol 'ETHUSDT' ends") !=
        std::string::npos);
  CHECK(spec_error("  capital = { target_base_share = 0.2 }, grid = { target_base_share = 0.3 }")
            .find("set in capital and in grid") != std::string::npos);
  CHECK(spec_error("  reload = { dry_run_bars = -1 }").find("reload.dry_run_bars: must be") !=
        std::string::npos);
  CHECK(spec_error("  on_bar = 5").find("on_bar: expected a function, got number") !=
        std::string::npos);
  // Host fields are parsed strictly: text that starts like a number, booleans and values past
  // the range are refused with the key path; the range prints as written.
  CHECK(spec_error("  risk = { script_memory_mib = '12abc' }")
            .find("s.lua:2: risk.script_memory_mib: expected a number, got string") !=
        std::string::npos);
  CHECK(spec_error("  risk = { script_memory_mib = true }")
            .find("risk.script_memory_mib: expected a number, got boolean") != std::string::npos);
  CHECK(spec_error("  risk = { script_instructions = 3e10 }")
            .find("risk.script_instructions: must be a whole number in [10000, 10000000000], got "
                  "30000000000") != std::string::npos);
  CHECK(spec_error("  risk = { script_memory_mib = 1.5 }").find("got 1.5") != std::string::npos);
  // What the host copies out of a script is bounded, and the symbol is the exchange's alphabet.
  CHECK(spec_error("  name = string.rep('x', 5000)").find("name: longer than 4096 bytes") !=
        std::string::npos);
  CHECK(spec_error("  grid = { levels = string.rep('9', 5000) }")
            .find("grid.levels: longer than 4096 bytes") != std::string::npos);
  CHECK(spec_error("  grid = (function() local t = {} for i = 1, 2000 do t['p' .. i] = i end "
                   "return t end)()")
            .find("grid: more than 1000 parameters") != std::string::npos);
  CHECK(spec_error("  transitions = (function() local t = {} for i = 1, 300 do "
                   "t[i] = { from = 'mm', reason = 'r' .. i, remove = true } end return t end)()")
            .find("more than 256 edge edits") != std::string::npos);
  const std::string weird = write_file(
      dir.file("w.lua"), "return mmhost.strategy{ market = { symbol = 'ETH/USDT\"' } }\n");
  CHECK(error_of([&] {
          StrategyScript(weird, nullptr);
        }).find("market.symbol: must be 1-32 upper-case letters and digits") != std::string::npos);
  CHECK(
      spec_error("  transitions = { { from = 'mm' } }").find("transitions[1].reason is required") !=
      std::string::npos);

  const std::string path =
      write_file(dir.file("ok.lua"),
                 std::string(kHead) +
                     "  execution = { venue = 'simfill', mm_max_bars = 100, reprice = 'amend' },\n"
                     "  capital = { allocation = 5000, target_base_share = 0.25 },\n"
                     "  risk = { on_script_error = 'stop_quoting', script_memory_mib = 8 } }\n");
  const StrategySpec spec = StrategyScript(path, nullptr).spec();
  CHECK(spec.venue_plugin == "simfill");
  CHECK(spec.reprice_by_amend);
  CHECK(spec.quote_asset == "USDT");
  CHECK(spec.on_script_error == ScriptErrorAction::stop_quoting);
  CHECK(spec.limits.memory_bytes == size_t{8} << 20);
  CHECK(spec.core_params == std::map<std::string, std::string>{{"capital.allocation", "5000"},
                                                               {"execution.mm_max_bars", "100"},
                                                               {"grid.target_base_share", "0.25"}});
}

TEST_CASE("strategy script: on_fill gets side, price, quantity and fee") {
  TempDir dir;
  Host host;
  const std::string path =
      write_file(dir.file("s.lua"),
                 std::string(kHead) +
                     "  on_fill = function(fill, ctx)\n"
                     "    mmhost.metric(fill.side .. '.' .. fill.fee_asset:lower(), fill.price * "
                     "fill.qty + fill.fee) end }\n");
  StrategyScript script(path, &host);
  mmh_fill fill{};
  fill.side = MMH_SIDE_BUY;
  std::snprintf(fill.fee_asset, sizeof(fill.fee_asset), "ETH");
  script.on_fill(fill, 3500, 0.5, 0.0005);
  CHECK(host.metrics["buy.eth"] == doctest::Approx(1750.0005));
}

TEST_CASE("strategy script: a table with a metatable is refused with its key, no trap runs") {
  TempDir dir;
  auto error_for = [&](const std::string& text) {
    const std::string path = write_file(dir.file("trap.lua"), text);
    return error_of([&] { StrategyScript(path, nullptr); });
  };
  const std::string trap = "{ __index = function() error('trap ran') end }";
  // The returned table itself.
  std::string message = error_for(
      "local t = { core = 'bos_mm', market = { symbol = 'ETHUSDT' } }\n"
      "return setmetatable(t, " +
      trap + ")\n");
  CHECK(message.find("strategy table: must be a plain table (it has a metatable)") !=
        std::string::npos);
  CHECK(message.find("trap ran") == std::string::npos);
  // market, a parameter group, the transitions list and one edge.
  CHECK(error_for(std::string(kHead) + "}\n") == "(no error)");  // plain: loads
  message = error_for(
      "return mmhost.strategy{ core = 'bos_mm',\n"
      "  market = setmetatable({ symbol = 'ETHUSDT' }, " +
      trap + ") }\n");
  CHECK(message.find("trap.lua:2: market: must be a plain table") != std::string::npos);
  message =
      error_for(std::string(kHead) + "  grid = setmetatable({ levels = 3 }, " + trap + ") }\n");
  CHECK(message.find("trap.lua:2: grid: must be a plain table") != std::string::npos);
  message = error_for(std::string(kHead) + "  transitions = setmetatable({}, " + trap + ") }\n");
  CHECK(message.find("transitions: must be a plain table") != std::string::npos);
  message = error_for(std::string(kHead) +
                      "  transitions = { setmetatable({ from = 'mm', reason = 'x' }, " + trap +
                      ") } }\n");
  CHECK(message.find("transitions[1]: must be a plain table") != std::string::npos);
  CHECK(message.find("trap ran") == std::string::npos);
}

TEST_CASE("strategy script: a reload reads the old script's state raw, whatever traps it set") {
  TempDir dir;
  Host host;
  const std::string path = write_file(
      dir.file("s.lua"), std::string(kHead) +
                             "  on_bar = function(bar, ctx)\n"
                             "    mmhost.state.bars = 7\n"
                             "    local trap = { __index = function() error('trap ran') end,\n"
                             "                   __newindex = function() error('trap ran') end }\n"
                             "    setmetatable(mmhost.state, trap)\n"
                             "    setmetatable(mmhost, trap)\n"
                             "  end }\n");
  StrategyScript old(path, &host);
  old.on_bar(bar(1));
  write_file(path,
             std::string(kHead) +
                 "  on_reload = function(old_state) mmhost.metric('bars', old_state.bars) end "
                 "}\n");
  StrategyScript next(path, &host);
  next.on_reload(old);
  CHECK(host.metrics["bars"] == 7);
  // An old script that replaced mmhost entirely hands over an empty state.
  write_file(path, std::string(kHead) + "  on_bar = function() mmhost = 5 end }\n");
  StrategyScript gone(path, &host);
  gone.on_bar(bar(1));
  StrategyScript after(path, &host);
  CHECK_NOTHROW(after.on_reload(gone));
}

TEST_CASE("strategy script: the spec holds the SHA-256 of the bytes that were loaded") {
  TempDir dir;
  const std::string lib = "return { levels = 3 }\n";
  write_file(dir.file("lib/mine.lua"), lib);
  const std::string text =
      std::string("local m = require('mine')\n") + kHead + "  grid = { levels = m.levels } }\n";
  const std::string path = write_file(dir.file("s.lua"), text);
  const StrategySpec spec = StrategyScript(path, nullptr).spec();
  REQUIRE(spec.source_files.size() == 2);
  REQUIRE(spec.source_sha256.size() == 2);
  CHECK(spec.source_sha256[0] == sha256_hex(text));
  CHECK(spec.source_sha256[1] == sha256_hex(lib));
  // An edit after the load changes the files, not what the spec says ran.
  write_file(path, text + "-- edited\n");
  CHECK(spec.source_sha256[0] == sha256_hex(text));
}
