#include "lua/lua_state.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <lua.hpp>

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
