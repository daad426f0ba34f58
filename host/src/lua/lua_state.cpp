#include "lua/lua_state.hpp"

#include <lua.hpp>

namespace mmh {
namespace {

int traceback_handler(lua_State* L) {
  const char* message = lua_tostring(L, 1);
  if (message == nullptr) message = "(error object is not a string)";
  luaL_traceback(L, L, message, 1);
  return 1;
}

void open_library(lua_State* L, const char* name, lua_CFunction open) {
#if LUA_VERSION_NUM >= 502
  luaL_requiref(L, name, open, 1);
  lua_pop(L, 1);
#else
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
#endif
}

}  // namespace

LuaState::LuaState() : L_(luaL_newstate()) {
  if (L_ == nullptr) throw ScriptError("cannot create a Lua state (out of memory)");
  // Only what configuration scripts need; no io, os, debug, package loaders or FFI.
  open_library(L_, "_G", luaopen_base);
  open_library(L_, LUA_TABLIBNAME, luaopen_table);
  open_library(L_, LUA_STRLIBNAME, luaopen_string);
  open_library(L_, LUA_MATHLIBNAME, luaopen_math);
  for (const char* unsafe : {"dofile", "loadfile", "load", "loadstring", "require", "module"}) {
    lua_pushnil(L_);
    lua_setglobal(L_, unsafe);
  }
}

LuaState::~LuaState() {
  lua_close(L_);
}

const char* LuaState::runtime_name() {
#ifdef LUAJIT_VERSION
  return LUAJIT_VERSION;
#else
  return LUA_RELEASE;
#endif
}

void LuaState::protected_call(int nargs, int nresults) {
  const int base = lua_gettop(L_) - nargs;  // index of the function
  lua_pushcfunction(L_, traceback_handler);
  lua_insert(L_, base);
  const int status = lua_pcall(L_, nargs, nresults, base);
  lua_remove(L_, base);
  if (status != 0) {
    std::string message = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "unknown Lua error";
    lua_pop(L_, 1);
    throw ScriptError(message);
  }
}

void LuaState::run_file(const std::string& path, int results) {
  if (luaL_loadfile(L_, path.c_str()) != 0) {
    std::string message = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "cannot load script";
    lua_pop(L_, 1);
    throw ScriptError(message);
  }
  protected_call(0, results);
}

}  // namespace mmh
