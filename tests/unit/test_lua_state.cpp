#include "lua/lua_state.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <lua.hpp>

#include <sys/stat.h>

#include <string>

using mmh::LuaLimits;
using mmh::LuaState;
using mmh::ScriptError;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {

std::string error_of(LuaState& lua, const std::string& path) {
  try {
    lua.run_file(path, 0);
  } catch (const ScriptError& e) {
    return e.what();
  }
  return "(no error)";
}

LuaLimits small(size_t memory_mib, int64_t instructions) {
  LuaLimits l;
  l.memory_bytes = memory_mib << 20;
  l.instructions_per_call = instructions;
  return l;
}

}  // namespace

TEST_CASE("a runaway loop is stopped by the instruction budget, and the state stays usable") {
  TempDir dir;
  LuaState lua(small(16, 1'000'000));
  const std::string loop =
      write_file(dir.file("loop.lua"), "local x = 0\nwhile true do x = x + 1 end\n");
  const std::string message = error_of(lua, loop);
  CHECK(message.find("loop.lua:2: instruction budget of 1000000 exceeded") != std::string::npos);
  // The budget is per call: two calls of ~600k instructions each both finish.
  const std::string work =
      write_file(dir.file("work.lua"), "local x = 0 for i = 1, 150000 do x = x + i end return x\n");
  for (int i = 0; i < 2; ++i) {
    lua.run_file(work, 1);
    CHECK(lua_tonumber(lua.get(), -1) == doctest::Approx(150000.0 * 150001 / 2));
    lua_pop(lua.get(), 1);
  }
}

TEST_CASE("a memory bomb hits the cap, and the state recovers") {
  TempDir dir;
  LuaState lua(small(16, 500'000'000));
  const std::string grow =
      write_file(dir.file("grow.lua"),
                 "local t = {}\nfor i = 1, 1e8 do t[i] = string.rep('x', 64) .. i end\n");
  CHECK(error_of(lua, grow).find("memory cap of 16 MiB reached") != std::string::npos);
  const std::string big = write_file(dir.file("big.lua"), "local s = string.rep('x', 1e9)\n");
  CHECK(error_of(lua, big).find("memory cap of 16 MiB reached") != std::string::npos);
  CHECK(lua.memory_used() < lua.limits().memory_bytes);
  const std::string ok = write_file(dir.file("ok.lua"), "return 1 + 1\n");
  lua.run_file(ok, 1);
  CHECK(lua_tonumber(lua.get(), -1) == 2);
}

TEST_CASE("bytecode is refused") {
  TempDir dir;
  LuaState lua;
  const std::string binary = write_file(dir.file("b.lua"), std::string("\x1bLua\x51\x00junk", 9));
  CHECK(error_of(lua, binary).find("binary") != std::string::npos);
}

TEST_CASE("require loads shared modules from the lib dir only, once") {
  TempDir dir;
  write_file(dir.file("lib/helpers.lua"),
             "local M = {}\nfunction M.double(x) return 2 * x end\nreturn M\n");
  write_file(dir.file("lib/sub/inner.lua"), "return { value = 7 }\n");
  write_file(dir.file("lib/broken.lua"), "local x = nil\nreturn x.field\n");
  LuaState lua;
  lua.set_lib_dir(dir.file("lib"));
  const std::string main = write_file(
      dir.file("main.lua"),
      "local a = require('helpers')\nlocal b = require('helpers')\nlocal c = require('sub.inner')\n"
      "assert(a == b, 'cached')\nreturn a.double(c.value)\n");
  lua.run_file(main, 1);
  CHECK(lua_tonumber(lua.get(), -1) == 14);
  lua_pop(lua.get(), 1);
  REQUIRE(lua.required_files().size() == 2);
  CHECK(lua.required_files()[0].find("lib/helpers.lua") != std::string::npos);
  const std::string missing = write_file(dir.file("missing.lua"), "local m = require('nope')\n");
  CHECK(error_of(lua, missing).find("missing.lua:1: require 'nope': no file") != std::string::npos);
  const std::string broken =
      write_file(dir.file("uses_broken.lua"), "local m = require('broken')\n");
  CHECK(error_of(lua, broken).find("broken.lua:2: attempt to index") != std::string::npos);
}

TEST_CASE("require refuses cycles, naming the chain and the line that closed it") {
  TempDir dir;
  write_file(dir.file("lib/selfreq.lua"), "return require('selfreq')\n");
  write_file(dir.file("lib/a.lua"), "local b = require('b')\nreturn { b = b }\n");
  write_file(dir.file("lib/b.lua"), "local x = 1\nlocal a = require('a')\nreturn { a = a }\n");
  LuaState lua;
  lua.set_lib_dir(dir.file("lib"));
  const std::string self = write_file(dir.file("self.lua"), "return require('selfreq')\n");
  CHECK(error_of(lua, self).find("selfreq.lua:1: require cycle selfreq \u2192 selfreq") !=
        std::string::npos);
  const std::string mutual = write_file(dir.file("mutual.lua"), "\nreturn require('a')\n");
  CHECK(error_of(lua, mutual).find("b.lua:2: require cycle a \u2192 b \u2192 a") !=
        std::string::npos);
  // A failed require leaves nothing half-loaded: the same state loads a good module after.
  write_file(dir.file("lib/good.lua"), "return 5\n");
  const std::string good = write_file(dir.file("good.lua"), "return require('good')\n");
  lua.run_file(good, 1);
  CHECK(lua_tonumber(lua.get(), -1) == 5);
  lua_pop(lua.get(), 1);
}

TEST_CASE("require: a chain past the depth limit, a bytecode module, a module that is a FIFO") {
  TempDir dir;
  for (int i = 0; i < 40; ++i)
    write_file(dir.file("lib/m" + std::to_string(i) + ".lua"),
               "return require('m" + std::to_string(i + 1) + "')\n");
  write_file(dir.file("lib/bin.lua"), std::string("\x1bLJ\x02junk", 8));
  REQUIRE(::mkfifo(dir.file("lib/fifo.lua").c_str(), 0600) == 0);
  LuaState lua;
  lua.set_lib_dir(dir.file("lib"));
  const std::string deep = write_file(dir.file("deep.lua"), "return require('m0')\n");
  CHECK(error_of(lua, deep).find("nested requires") != std::string::npos);
  const std::string bin = write_file(dir.file("bin.lua"), "return require('bin')\n");
  const std::string bin_error = error_of(lua, bin);
  CHECK(bin_error.find(bin + ":1: ") == 0);  // the line that required it
  CHECK(bin_error.find("lib/bin.lua: precompiled (binary) chunks are refused") !=
        std::string::npos);
  // Opening a FIFO for reading would block until a writer came: refused without opening it.
  const std::string fifo = write_file(dir.file("fifo.lua"), "return require('fifo')\n");
  CHECK(error_of(lua, fifo).find("a FIFO, not a regular file") != std::string::npos);
}

TEST_CASE("a script that is not a regular file is refused, not waited on") {
  TempDir dir;
  REQUIRE(::mkfifo(dir.file("s.lua").c_str(), 0600) == 0);
  LuaState lua;
  CHECK(error_of(lua, dir.file("s.lua")).find("a FIFO, not a regular file") != std::string::npos);
  CHECK(error_of(lua, dir.path().string()).find("a directory") != std::string::npos);
  CHECK(error_of(lua, "/dev/zero").find("a character device") != std::string::npos);
}

TEST_CASE("no finalizers: newproxy and gcinfo are gone, setmetatable refuses __gc") {
  TempDir dir;
  LuaState lua;
  const std::string proxy = write_file(dir.file("proxy.lua"),
                                       "local p = newproxy(true)\n"
                                       "getmetatable(p).__gc = function() while true do end end\n");
  CHECK(error_of(lua, proxy).find(proxy + ":1: 'newproxy' is not available") == 0);
  const std::string gc =
      write_file(dir.file("gc.lua"),
                 "local x = 1\nsetmetatable({}, { __gc = function() error('boom') end })\n");
  CHECK(error_of(lua, gc).find("gc.lua:2: setmetatable: __gc finalizers are not available") !=
        std::string::npos);
  // A placeholder set first and swapped for a function later is refused the same way.
  const std::string later =
      write_file(dir.file("later.lua"), "local mt = { __gc = true }\nsetmetatable({}, mt)\n");
  CHECK(error_of(lua, later).find("later.lua:2: setmetatable: __gc") != std::string::npos);
  // Ordinary metatables still work.
  const std::string ok =
      write_file(dir.file("ok.lua"),
                 "local t = setmetatable({}, { __index = function(_, k) return k .. '!' end })\n"
                 "return t.hi\n");
  lua.run_file(ok, 1);
  CHECK(std::string(lua_tostring(lua.get(), -1)) == "hi!");
  lua_pop(lua.get(), 1);
  // The globals table keeps the sandbox's metatable.
  const std::string swap =
      write_file(dir.file("swap.lua"), "setmetatable(_G, { __index = function() end })\n");
  CHECK(error_of(lua, swap).find("protected metatable") != std::string::npos);
}

TEST_CASE("a budget or memory failure cannot be caught by the script: the whole call fails") {
  TempDir dir;
  LuaState lua(small(16, 20'000'000));
  struct Case {
    const char* name;
    const char* code;
    const char* expected;
  };
  const Case cases[] = {
      {"pcall.lua", "while true do pcall(function() while true do end end) end\n",
       "instruction budget of 20000000 exceeded"},
      {"xpcall.lua",
       "while true do xpcall(function() while true do end end, function(m) return m end) end\n",
       "instruction budget of 20000000 exceeded"},
      {"nested.lua", "while true do pcall(pcall, pcall, function() while true do end end) end\n",
       "instruction budget of 20000000 exceeded"},
      {"coroutine.lua",
       "while true do\n"
       "  local co = coroutine.create(function() while true do end end)\n"
       "  coroutine.resume(co)\n"
       "end\n",
       "instruction budget of 20000000 exceeded"},
      {"wrap.lua", "while true do pcall(coroutine.wrap(function() while true do end end)) end\n",
       "instruction budget of 20000000 exceeded"},
      {"handler.lua",
       "while true do xpcall(function() while true do end end,\n"
       "  function() while true do end end) end\n",
       "instruction budget of 20000000 exceeded"},
      {"memory.lua",
       "while true do pcall(function() local t = {} for i = 1, 1e9 do t[i] = i end end) end\n",
       "memory cap of 16 MiB reached"},
      {"string_memory.lua",
       "local keep = {}\n"
       "while true do pcall(function() keep[#keep + 1] = string.rep('x', 1e6) .. #keep end) end\n",
       "memory cap of 16 MiB reached"},
  };
  for (const Case& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    const std::string message = error_of(lua, write_file(dir.file(c.name), c.code));
    CHECK(message.find(c.name) != std::string::npos);  // file:line
    CAPTURE(message);
    CHECK(message.find(c.expected) != std::string::npos);
    // The state is usable afterwards, with a fresh budget.
    lua.run_file(write_file(dir.file("after.lua"),
                            "local x = 0 for i = 1, 1000 do x = x + i end "
                            "return x\n"),
                 1);
    CHECK(lua_tonumber(lua.get(), -1) == 500500);
    lua_pop(lua.get(), 1);
    CHECK(lua.memory_used() < lua.limits().memory_bytes);
  }
}

TEST_CASE("a memory cap error names the script file") {
  TempDir dir;
  LuaState lua(small(16, 500'000'000));
  const std::string big = write_file(dir.file("big.lua"), "local s = string.rep('x', 1e9)\n");
  const std::string message = error_of(lua, big);
  CHECK(message.find("big.lua") != std::string::npos);
  CHECK(message.find("memory cap of 16 MiB reached") != std::string::npos);
}

TEST_CASE("a message handler runs under the budget, and xpcall keeps its results") {
  TempDir dir;
  LuaState lua(small(16, 1'000'000));
  // After the budget hook raised, the VM would run the handler with hooks off: it loops forever
  // unless xpcall calls it the way the sandbox does.
  const std::string loop = write_file(dir.file("handler.lua"),
                                      "xpcall(function() while true do end end,\n"
                                      "  function() while true do end end)\n");
  CHECK(error_of(lua, loop).find("instruction budget of 1000000 exceeded") != std::string::npos);
  const std::string ok =
      write_file(dir.file("ok.lua"),
                 "local a, b, c = xpcall(function(x, y) return x + y, 'two' end, print, 1, 2)\n"
                 "local d, e = xpcall(function() error('boom', 0) end, function(m) return 'handled "
                 "' .. m end)\n"
                 "return tostring(a) .. ' ' .. b .. ' ' .. c .. ' ' .. tostring(d) .. ' ' .. e\n");
  lua.run_file(ok, 1);
  CHECK(std::string(lua_tostring(lua.get(), -1)) == "true 3 two false handled boom");
  lua_pop(lua.get(), 1);
}

TEST_CASE("patterns that could backtrack for ages are refused before they start") {
  TempDir dir;
  LuaState lua(small(16, 1'000'000));
  const std::string slow = write_file(
      dir.file("slow.lua"),
      "local s = string.rep('a', 40)\nlocal at = s:find(string.rep('a?', 40) .. s)\nreturn at\n");
  CHECK(error_of(lua, slow).find(
            "slow.lua:2: pattern with 40 quantifiers on a 40-byte string could take up to") !=
        std::string::npos);
  // In a tail call LuaJIT keeps no line (PUC Lua does): the error still names the file.
  const std::string tail =
      write_file(dir.file("tail.lua"),
                 "local s = string.rep('a', 40)\nreturn s:find(string.rep('a?', 40) .. s)\n");
  const std::string tail_error = error_of(lua, tail);
  CHECK(tail_error.find(tail) == 0);
  CHECK(tail_error.find("pattern with 40 quantifiers") != std::string::npos);
  for (const char* fn : {"match", "gmatch", "gsub"}) {
    CAPTURE(fn);
    const std::string other =
        write_file(dir.file("other.lua"),
                   std::string("return string.") + fn + "(string.rep('a', 1000), '.-.-.-b', '')\n");
    CHECK(error_of(lua, other).find("pattern with 3 quantifiers") != std::string::npos);
  }
  // Everyday patterns and plain searches are untouched.
  const std::string ok = write_file(
      dir.file("ok.lua"),
      "local n = 0\nfor w in ('bos_confirmed|pullback'):gmatch('[^|]+') do n = n + 1 end\n"
      "local plain = string.rep('a?', 1000):find('a?a?', 1, true)\n"
      "local s = ('x = 12.5'):match('=%s*([%d%.]+)')\n"
      "local trimmed = (string.rep(' ', 20000) .. 'x'):gsub('^%s+', '')\n"
      "return n .. ' ' .. plain .. ' ' .. s .. ' ' .. ('a-b'):gsub('%-', '+')\n");
  lua.run_file(ok, 1);
  CHECK(std::string(lua_tostring(lua.get(), -1)) == "2 1 12.5 a+b");
  lua_pop(lua.get(), 1);
}
