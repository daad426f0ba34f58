#include "lua/lua_state.hpp"

#include <lua.hpp>

#include <cstdlib>
#include <filesystem>

namespace mmh {
namespace {

constexpr int kHookEvery = 1000;  // instructions between budget checks
static_assert(kHookEvery > 0 && kHookEvery <= 100'000, "a budget check every 1..1e5 instructions");

// Registry keys (addresses are unique).
char kSelfKey;
char kLoadedKey;
char kTracebackKey;  // the handler as one function object, so a call allocates nothing

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

LuaState* self_of(lua_State* L) {
  lua_pushlightuserdata(L, &kSelfKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* self = static_cast<LuaState*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return self;
}

// Reading a library the sandbox leaves out says so, instead of "attempt to index a nil value".
int forbidden_global(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  static const char* const kRemoved[] = {"io",   "os",         "debug",  "ffi",
                                         "jit",  "package",    "dofile", "loadfile",
                                         "load", "loadstring", "module", "collectgarbage"};
  if (name != nullptr)
    for (const char* removed : kRemoved)
      if (std::string(name) == removed)
        return luaL_error(L,
                          "'%s' is not available in strategy scripts (sandbox); use the mmhost "
                          "API (docs/strategy-api.md)",
                          name);
  lua_pushnil(L);
  return 1;
}

bool valid_module_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == '.' || name.back() == '.') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok || (c == '.' && name[i + 1] == '.')) return false;
  }
  return true;
}

}  // namespace

void* LuaState::allocate(void* user, void* block, size_t old_size, size_t new_size) {
  auto* self = static_cast<LuaState*>(user);
  const size_t old_bytes = block != nullptr ? old_size : 0;  // old_size is a type tag when NULL
  if (new_size == 0) {
    std::free(block);
    self->used_bytes_ -= old_bytes;
    return nullptr;
  }
  // Refusing makes Lua raise "not enough memory" in the script, which stops that call. The cap
  // holds only while script code runs: the host's own pushes between calls must never fail
  // outside a protected call.
  if (self->enforce_cap_ && new_size > old_bytes &&
      self->used_bytes_ - old_bytes + new_size > self->limits_.memory_bytes)
    return nullptr;
  void* grown = std::realloc(block, new_size);
  if (grown != nullptr) self->used_bytes_ = self->used_bytes_ - old_bytes + new_size;
  return grown;
}

void LuaState::count_hook(lua_State* L, lua_Debug* ar) {
  LuaState* self = self_of(L);
  self->instructions_ += kHookEvery;
  if (self->instructions_ <= self->limits_.instructions_per_call) return;
  // Name the line the script was on (luaL_error's position is empty inside a hook).
  lua_getinfo(L, "Sl", ar);
  lua_pushfstring(L, "%s:%d: instruction budget of %d exceeded (a runaway loop?)", ar->short_src,
                  ar->currentline, static_cast<int>(self->limits_.instructions_per_call));
  lua_error(L);
}

LuaState::LuaState(const LuaLimits& limits) : limits_(limits) {
  L_ = lua_newstate(&LuaState::allocate, this);
  if (L_ == nullptr) throw ScriptError("cannot create a Lua state (out of memory)");
  lua_pushlightuserdata(L_, &kSelfKey);
  lua_pushlightuserdata(L_, this);
  lua_rawset(L_, LUA_REGISTRYINDEX);
#ifdef LUAJIT_VERSION
  // Compiled traces skip count hooks, so the budget could not stop a runaway loop. Scripts run
  // at configuration points and once per HTF bar, where the interpreter is fast enough.
  luaJIT_setmode(L_, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
#endif
  lua_sethook(L_, &LuaState::count_hook, LUA_MASKCOUNT, kHookEvery);

  // Only what strategy scripts need; no io, os, debug, package loaders or FFI.
  open_library(L_, "_G", luaopen_base);
  open_library(L_, LUA_TABLIBNAME, luaopen_table);
  open_library(L_, LUA_STRLIBNAME, luaopen_string);
  open_library(L_, LUA_MATHLIBNAME, luaopen_math);
  for (const char* unsafe :
       {"dofile", "loadfile", "load", "loadstring", "require", "module", "collectgarbage"}) {
    lua_pushnil(L_);
    lua_setglobal(L_, unsafe);
  }
  lua_getglobal(L_, "string");  // string.dump would hand out bytecode
  lua_pushnil(L_);
  lua_setfield(L_, -2, "dump");
  lua_pop(L_, 1);

  lua_pushlightuserdata(L_, &kLoadedKey);
  lua_newtable(L_);
  lua_rawset(L_, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L_, &kTracebackKey);
  lua_pushcfunction(L_, traceback_handler);
  lua_rawset(L_, LUA_REGISTRYINDEX);
  lua_pushcfunction(L_, &LuaState::require_fn);
  lua_setglobal(L_, "require");

#if LUA_VERSION_NUM >= 502
  lua_pushglobaltable(L_);
#else
  lua_pushvalue(L_, LUA_GLOBALSINDEX);
#endif
  lua_newtable(L_);
  lua_pushcfunction(L_, forbidden_global);
  lua_setfield(L_, -2, "__index");
  lua_setmetatable(L_, -2);
  lua_pop(L_, 1);
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

void LuaState::push_traceback() {
  lua_pushlightuserdata(L_, &kTracebackKey);
  lua_rawget(L_, LUA_REGISTRYINDEX);
}

void LuaState::protected_call(int nargs, int nresults) {
  const int base = lua_gettop(L_) - nargs;  // index of the function
  push_traceback();
  lua_insert(L_, base);
  try {
    call_above_traceback(base, nargs, nresults);
  } catch (...) {
    lua_remove(L_, base);
    throw;
  }
  lua_remove(L_, base);
}

void LuaState::call_above_traceback(int handler, int nargs, int nresults) {
  const int64_t outer_instructions = instructions_;
  const bool outer_cap = enforce_cap_;
  instructions_ = 0;
  enforce_cap_ = true;
  const int status = lua_pcall(L_, nargs, nresults, handler);
  instructions_ = outer_instructions;
  enforce_cap_ = outer_cap;
  if (status != 0) {
    std::string message = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "unknown Lua error";
    lua_pop(L_, 1);
    if (status == LUA_ERRMEM) {
      message = "memory cap of " + std::to_string(limits_.memory_bytes >> 20) +
                " MiB reached (not enough memory)";
      lua_gc(L_, LUA_GCCOLLECT, 0);  // what the failed call built is garbage now
    }
    throw ScriptError(message);
  }
}

void LuaState::run_file(const std::string& path, int results) {
  const int status = luaL_loadfilex(L_, path.c_str(), "t");
  if (status != 0) {
    std::string message = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "cannot load script";
    lua_pop(L_, 1);
    // Lua says "attempt to load a binary chunk (mode is 't')", LuaJIT "... with wrong mode".
    if (message.find("binary") != std::string::npos ||
        message.find("wrong mode") != std::string::npos)
      message = path + ": precompiled (binary) chunks are refused; load the source text";
    throw ScriptError(message);
  }
  protected_call(0, results);
}

void LuaState::set_lib_dir(const std::string& lib_dir) {
  lib_dir_ = lib_dir;
}

int LuaState::require_fn(lua_State* L) {
  LuaState* self = self_of(L);
  const std::string name = luaL_checkstring(L, 1);
  if (!valid_module_name(name))
    return luaL_error(L, "require '%s': module names are [a-z0-9_] words joined by dots",
                      name.c_str());
  lua_pushlightuserdata(L, &kLoadedKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  const int loaded = lua_gettop(L);
  lua_getfield(L, loaded, name.c_str());
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);
  if (self->lib_dir_.empty())
    return luaL_error(L, "require '%s': modules load only from strategies/lib/", name.c_str());
  std::string relative = name;
  for (char& c : relative)
    if (c == '.') c = '/';
  const std::string file =
      (std::filesystem::path(self->lib_dir_) / (relative + ".lua")).lexically_normal().string();
  if (!std::filesystem::exists(file))
    return luaL_error(L, "require '%s': no file %s (modules load only from strategies/lib/)",
                      name.c_str(), file.c_str());
  if (luaL_loadfilex(L, file.c_str(), "t") != 0) return lua_error(L);
  lua_call(L, 0, 1);  // inside the caller's protected call and budget
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, loaded, name.c_str());
  self->required_.push_back(std::filesystem::absolute(file).string());
  return 1;
}

}  // namespace mmh
