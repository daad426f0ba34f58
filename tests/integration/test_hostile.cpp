// Hostile strategy scripts, generated: random mixes of constructs that each try to crash, hang
// or escape the sandbox (loops behind pcall/xpcall/coroutines, memory bombs, finalizers, traps
// on the tables the host reads, require cycles, FIFO and bytecode modules, pattern bombs, ...).
// Each one must be refused with a message naming the script, at load and on hot reload of a
// paced run; the run goes on and finishes, and a good script still reloads after them.
// MMHOST_HOSTILE_CASES sets how many scripts (default 24, for CI); longer, by hand:
//   MMHOST_HOSTILE_CASES=1000 build/release/bin/mmhost_tests -tc='hostile*'
#include "lua/strategy_script.hpp"
#include "reload_support.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace mmh;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {

struct Construct {
  const char* name;
  const char* code;    // Lua at the top level of the script; `s` is the strategy table
  const char* expect;  // a part of the refusal
  bool at_load;        // fails when the script loads (else only when it is swapped in)
};

const Construct kConstructs[] = {
    {"pcall_loop", "while true do pcall(function() while true do end end) end",
     "instruction budget", true},
    {"xpcall_loop",
     "while true do xpcall(function() while true do end end, function() while true do end end) "
     "end",
     "instruction budget", true},
    {"coroutine_loop",
     "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
     "instruction budget", true},
    {"wrap_loop", "while true do pcall(coroutine.wrap(function() while true do end end)) end",
     "instruction budget", true},
    {"table_bomb",
     "local t = {} while true do pcall(function() for i = 1, 1e7 do t[#t + 1] = { i } end end) "
     "end",
     "memory cap", true},
    {"string_bomb", "local big = string.rep('x', 2 ^ 30)", "memory cap", true},
    {"concat_bomb",
     "local parts = {} for i = 1, 1e6 do parts[i] = 'abcdefgh' end "
     "local big = table.concat(parts):rep(100)",
     "memory cap", true},
    {"newproxy", "local p = newproxy(true) getmetatable(p).__gc = function() while true do end end",
     "not available", true},
    {"gc_meta", "setmetatable({}, { __gc = function() while true do end end })", "__gc", true},
    {"trap_root", "setmetatable(s, { __index = function() error('trap') end })", "metatable", true},
    {"trap_market", "setmetatable(s.market, { __index = function() while true do end end })",
     "metatable", true},
    {"trap_grid", "setmetatable(s.grid, { __pairs = function() while true do end end })",
     "metatable", true},
    {"trap_edge",
     "s.transitions = { setmetatable({ from = 'mm', reason = 'bearish_bos' },\n"
     "  { __index = function() error('trap') end }) }",
     "metatable", true},
    {"require_self", "require('selfreq')", "require cycle", true},
    {"require_mutual", "require('cyc_a')", "require cycle", true},
    {"require_fifo", "require('fifo')", "FIFO", true},
    {"require_binary", "require('bin')", "precompiled", true},
    {"require_deep", "require('deep0')", "nested requires", true},
    {"pattern_bomb",
     "local at = string.rep('a', 40):find(string.rep('a?', 40) .. string.rep('a', 40))", "pattern",
     true},
    {"recursion", "local function f(n) return f(n + 1) + 1 end f(1)", "stack overflow", true},
    {"error_object", "error(setmetatable({}, { __tostring = function() while true do end end }))",
     "error object", true},
    {"yield_outside", "coroutine.yield()", "yield", true},
    {"forbidden_load", "local f = load('return 1')", "not available", true},
    {"string_meta",
     "getmetatable('').__index = function() while true do end end local u = ('a'):upper()",
     "instruction budget", true},
    {"gsub_loop", "local r = ('x'):gsub('x', function() while true do end end)",
     "instruction budget", true},
    {"sort_loop", "table.sort({ 3, 2, 1 }, function() while true do end end)", "instruction budget",
     true},
    {"tostring_loop",
     "local t = tostring(setmetatable({}, { __tostring = function() while true do end end }))",
     "instruction budget", true},
    {"syntax", "local = 1", "near", true},
    {"bad_budget", "s.risk = { script_memory_mib = '12abc' }", "expected a number", true},
    {"reload_loop",
     "s.on_reload = function() while true do pcall(function() while true do end end) end end",
     "instruction budget", false},
    {"reload_trap",
     "s.on_reload = function(old) setmetatable(mmhost.state, { __index = function() "
     "while true do end end }) error('refuse') end",
     "refuse", false},
};

std::string base_script(const std::string& extra_policy, const std::string& constructs) {
  return "local s = mmhost.strategy{ core = 'bos_mm',\n"
         "  market = { symbol = 'ETHUSDT', ltf = '5m', htf = '5m', " MMH_ETH_INSTRUMENT
         " },\n"
         "  grid = { levels = 4 },\n"
         "  policy = { recovery_bars = 6" +
         extra_policy + " },\n}\n" + constructs + "\nreturn s\n";
}

// The lib modules the require constructs name.
void write_lib(const TempDir& dir) {
  write_file(dir.file("lib/selfreq.lua"), "return require('selfreq')\n");
  write_file(dir.file("lib/cyc_a.lua"), "local b = require('cyc_b')\nreturn b\n");
  write_file(dir.file("lib/cyc_b.lua"), "local a = require('cyc_a')\nreturn a\n");
  write_file(dir.file("lib/bin.lua"), std::string("\x1bLJ\x02\x00junk", 9));
  for (int i = 0; i < 20; ++i)
    write_file(dir.file("lib/deep" + std::to_string(i) + ".lua"),
               "return require('deep" + std::to_string(i + 1) + "')\n");
  if (!std::filesystem::exists(dir.file("lib/fifo.lua")))
    REQUIRE(::mkfifo(dir.file("lib/fifo.lua").c_str(), 0600) == 0);
}

struct Hostile {
  std::string text;
  std::vector<const Construct*> parts;
  bool fails_at_load = false;
};

// 1 to 3 constructs, drawn with `rng`.
Hostile generate(std::mt19937& rng) {
  Hostile h;
  std::uniform_int_distribution<size_t> pick(0, std::size(kConstructs) - 1);
  std::uniform_int_distribution<int> count(1, 3);
  std::string code;
  for (int i = count(rng); i > 0; --i) {
    const Construct& c = kConstructs[pick(rng)];
    h.parts.push_back(&c);
    h.fails_at_load = h.fails_at_load || c.at_load;
    code += std::string("-- ") + c.name + "\n" + c.code + "\n";
  }
  h.text = base_script("", code);
  return h;
}

std::string names(const Hostile& h) {
  std::string out;
  for (const Construct* c : h.parts) out += std::string(out.empty() ? "" : " + ") + c->name;
  return out;
}

bool expected(const Hostile& h, const std::string& message) {
  for (const Construct* c : h.parts)
    if (message.find(c->expect) != std::string::npos) return true;
  return false;
}

int hostile_cases() {
  const char* env = std::getenv("MMHOST_HOSTILE_CASES");
  return env != nullptr ? std::max(1, std::atoi(env)) : 24;
}

}  // namespace

TEST_CASE("hostile scripts: every generated one is refused at load, naming the script") {
  TempDir dir;
  write_lib(dir);
  std::mt19937 rng(20261206);
  int refused = 0;
  for (int i = 0; i < hostile_cases(); ++i) {
    Hostile h = generate(rng);
    if (!h.fails_at_load) h = generate(rng);
    if (!h.fails_at_load) continue;
    const std::string path = write_file(dir.file("h.lua"), h.text);
    std::string message = "(loaded)";
    try {
      StrategyScript script(path, nullptr);
    } catch (const ScriptError& e) {
      message = e.what();
    }
    INFO("script ", i, ": ", names(h), "\n", message);
    CHECK((message.find(path) != std::string::npos ||
           message.find(dir.file("lib/")) != std::string::npos));
    CHECK(expected(h, message));
    ++refused;
  }
  CHECK(refused > 0);
}

TEST_CASE("hostile scripts: each one is refused on reload of a paced run, which goes on") {
  TempDir dir;
  write_lib(dir);
  const int cases = hostile_cases();
  constexpr int kBarsApart = 60;
  const std::string csv =
      mmh::test::bybit_5m_csv(dir, static_cast<size_t>(kBarsApart * (cases + 4) + 200));
  const std::string good = base_script("", "");
  const std::string script = write_file(dir.file("s.lua"), good);
  std::mt19937 rng(6122026);
  std::vector<Hostile> written;
  uint64_t good_reloads = 0;
  int64_t bars = 0;

  auto at_boundary = [&](int64_t) {
    ++bars;
    if (bars % kBarsApart != 0) return;
    const int slot = static_cast<int>(bars / kBarsApart);
    if (slot > cases + 2) return;
    if (slot == cases + 1) {
      // The script itself swapped for a FIFO: opening it would block the engine for good.
      const std::string fifo = dir.file("fifo.tmp");
      REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
      std::filesystem::rename(fifo, script);
      return;
    }
    if (slot == cases + 2) {
      // After all of them, a good script still swaps in (some hostile ones trapped their own
      // tables and state before they were refused).
      std::filesystem::remove(script);
      write_file(script, base_script(", defensive_atr_pct = 0.01", ""));
      ++good_reloads;
      return;
    }
    written.push_back(generate(rng));
    write_file(script, written.back().text);
  };
  // Paced: the replay runs bar by bar against the wall clock.
  const mmh::test::ReloadRun run = mmh::test::run_with_hook(script, csv, at_boundary, 1e9);
  const RunReport& report = run.report;

  // The run reached the end of the data, through every reload.
  CHECK(report.ltf_bars > static_cast<uint64_t>(kBarsApart * (cases + 2)));
  CHECK(report.decisions.reloads_ok == good_reloads);
  CHECK(report.decisions.reloads_failed == written.size() + 1);
  std::vector<std::string> refusals;
  bool good_reload = false;
  for (const std::string& line : run.lines) {
    if (line.find(" reload_failed ") != std::string::npos) refusals.push_back(line);
    good_reload =
        good_reload || line.find("reload_ok changed: policy.defensive_atr_pct (default) -> 0.01") !=
                           std::string::npos;
  }
  REQUIRE(refusals.size() == written.size() + 1);
  CHECK(refusals.back().find("a FIFO, not a regular file") != std::string::npos);
  for (size_t i = 0; i < written.size(); ++i) {
    INFO("reload ", i, ": ", names(written[i]), "\n", refusals[i]);
    // The script, or the lib module where it failed.
    CHECK((refusals[i].find("s.lua") != std::string::npos ||
           refusals[i].find("/lib/") != std::string::npos));
    CHECK(expected(written[i], refusals[i]));
  }
  CHECK(good_reload);
}
