#include "lua/script_api.hpp"

#include "lua/lua_state.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <lua.hpp>

#include <map>
#include <string>
#include <vector>

using namespace mmh;

namespace {

// A host with a fixed set of values, the way a core's snapshot looks.
struct FakeHost final : ScriptHost {
  std::vector<mmh_core_value> table = {
      {"state", MMH_VALUE_TEXT, 0, 0, "mm"},
      {"structure.atr", MMH_VALUE_NUMBER, 0, 12.5, nullptr},
      {"structure.last_high", MMH_VALUE_NUMBER, 0, 3512.25, nullptr},
      {"pnl.equity", MMH_VALUE_NUMBER, 0, 10250, nullptr},
      {"facts.holding_base", MMH_VALUE_FLAG, 0, 1, nullptr},
      {"facts.bearish_bos", MMH_VALUE_FLAG, 0, 0, nullptr},
  };
  CoreValues indexed;
  int64_t now = 1'700'000'000'123'456'789;
  std::map<std::string, std::vector<double>> metrics;
  int64_t now_ns() const override { return now; }
  const CoreValues* values() override {
    indexed.assign(table.data(), table.size());
    return &indexed;
  }
  void metric(std::string_view name, double value) override {
    metrics[std::string(name)].push_back(value);
  }
};

// Runs `code` as a chunk and returns its first result as text, or the error.
std::string eval(LuaState& lua, const std::string& code) {
  lua_State* L = lua.get();
  if (luaL_loadbuffer(L, code.data(), code.size(), "=test") != 0) {
    std::string e = lua_tostring(L, -1);
    lua_pop(L, 1);
    return "load error: " + e;
  }
  try {
    lua.protected_call(0, 1);
  } catch (const ScriptError& e) {
    const std::string m = e.what();
    return "error: " + m.substr(0, m.find('\n'));
  }
  lua_pushvalue(L, -1);
  const char* s = lua_tostring(L, -1);
  std::string out = s != nullptr ? s : luaL_typename(L, -2);
  lua_pop(L, 2);
  return out;
}

}  // namespace

TEST_CASE("script api: views read the host's current values, by group") {
  LuaState lua;
  FakeHost host;
  install_script_api(lua, &host, "s.lua");
  CHECK(eval(lua, "return mmhost.structure.atr") == "12.5");
  CHECK(eval(lua, "return mmhost.core.structure.last_high") == "3512.25");
  CHECK(eval(lua, "return mmhost.core.state") == "mm");
  CHECK(eval(lua, "return tostring(mmhost.facts.holding_base)") == "true");
  CHECK(eval(lua, "return tostring(mmhost.facts.bearish_bos)") == "false");
  // Views are live: a new value shows at the next read, no table is rebuilt.
  host.table[1].number = 13.0;
  CHECK(eval(lua, "return string.format('%g', mmhost.structure.atr)") == "13");
}

TEST_CASE("script api: views are read-only and unknown names are errors with a suggestion") {
  LuaState lua;
  FakeHost host;
  install_script_api(lua, &host, "s.lua");
  CHECK(eval(lua, "mmhost.structure.atr = 1") ==
        "error: test:1: mmhost.structure.atr is read-only (keep your own values in mmhost.state)");
  CHECK(eval(lua, "return mmhost.structure.atrr") ==
        "error: test:1: mmhost.structure.atrr: unknown value (did you mean 'atr'? known: atr, "
        "last_high)");
  CHECK(eval(lua, "return mmhost.core.stat") ==
        "error: test:1: mmhost.stat: unknown value (did you mean 'state'? known: state, "
        "structure, pnl, facts)");
  LuaState alone;
  install_script_api(alone, nullptr, "s.lua");
  CHECK(eval(alone, "return mmhost.pnl.equity") ==
        "error: test:1: mmhost.pnl.equity: no core is running yet (values are there in "
        "callbacks)");
}

TEST_CASE("script api: now() is event time in ms, metric() checks its input") {
  LuaState lua;
  FakeHost host;
  install_script_api(lua, &host, "s.lua");
  CHECK(eval(lua, "return string.format('%d', mmhost.now())") == "1700000000123");
  CHECK(eval(lua,
             "mmhost.metric('grid.width_bps', 42.5) mmhost.metric('grid.width_bps', 40) "
             "return 'ok'") == "ok");
  CHECK(host.metrics["grid.width_bps"] == std::vector<double>{42.5, 40});
  CHECK(eval(lua, "mmhost.metric('Bad Name', 1)") ==
        "error: test:1: mmhost.metric: name 'Bad Name' must be 1-64 characters of [a-z0-9_.]");
  CHECK(eval(lua, "mmhost.metric('x', 0/0)") ==
        "error: test:1: mmhost.metric('x'): value is not finite");
  CHECK(eval(lua, "mmhost.log.info('hello', 1, true, nil) return 'logged'") == "logged");
}

TEST_CASE("script api: copy_plain_value keeps data, drops code, and keeps shared tables shared") {
  LuaState from;
  LuaState to;
  lua_State* F = from.get();
  REQUIRE(luaL_dostring(F,
                        "local shared = { 1, 2 }\n"
                        "state = { n = 3, name = 'x', ok = true, list = shared, again = shared,\n"
                        "          fn = function() end, nested = { deep = { v = 1.5 } } }\n"
                        "state.self = state") == 0);
  lua_getglobal(F, "state");
  copy_plain_value(F, -1, to.get());
  lua_pop(F, 1);
  lua_setglobal(to.get(), "copy");
  CHECK(eval(to, "return copy.n .. copy.name .. tostring(copy.ok)") == "3xtrue");
  CHECK(eval(to, "return tostring(copy.fn)") == "nil");
  CHECK(eval(to, "return copy.nested.deep.v") == "1.5");
  CHECK(eval(to, "return tostring(copy.list == copy.again and copy.self == copy)") == "true");
  CHECK(eval(to, "return #copy.list") == "2");
}
