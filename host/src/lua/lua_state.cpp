#include "lua/lua_state.hpp"

#include "hash/sha256.hpp"

#include <mmhost/sdk/regular_file.hpp>

#include <lua.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
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
  static const char* const kRemoved[] = {"io",       "os",         "debug",  "ffi",
                                         "jit",      "package",    "dofile", "loadfile",
                                         "load",     "loadstring", "module", "collectgarbage",
                                         "newproxy", "gcinfo"};
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

// setmetatable without finalizers: a __gc would run script code inside the collector, where
// hooks are off (no budget) and, in LuaJIT, an error escapes every protected call. Lua marks a
// table for finalization only if its metatable has __gc when it is set, so checking here is
// enough. Upvalue 1 is the base library's setmetatable.
int setmetatable_without_gc(lua_State* L) {
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    lua_rawget(L, 2);
    const bool finalizer = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (finalizer)
      return luaL_error(L, "setmetatable: __gc finalizers are not available in strategy scripts");
  }
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

// xpcall(f, handler, ...) as pcall, then the handler on the error value, in the caller's
// context. The VM runs a message handler while the budget hook that raised the error is still
// active, that is with hooks off: a looping handler could never be stopped. Scripts have no
// debug library, so a handler could not look at the failed stack anyway.
int xpcall_after(lua_State* L, int status, int base) {
  if (status == 0 || status == LUA_YIELD) {
    lua_pushboolean(L, 1);
    lua_insert(L, base + 1);
    return lua_gettop(L) - base;
  }
  lua_pushvalue(L, 2);  // the handler
  lua_insert(L, -2);
  lua_call(L, 1, 1);  // its own errors go on up
  lua_pushboolean(L, 0);
  lua_insert(L, -2);
  return 2;
}

#if LUA_VERSION_NUM >= 503
int xpcall_continue(lua_State* L, int status, lua_KContext base) {
  return xpcall_after(L, status, static_cast<int>(base));
}
#endif

int xpcall_fn(lua_State* L) {
  const int n = lua_gettop(L);
  luaL_checkany(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 1);
  for (int i = 3; i <= n; ++i) lua_pushvalue(L, i);
#if LUA_VERSION_NUM >= 503
  // Yieldable, as the base library's own pcall is.
  return xpcall_after(L, lua_pcallk(L, n - 2, LUA_MULTRET, 0, n, xpcall_continue), n);
#else
  return xpcall_after(L, lua_pcall(L, n - 2, LUA_MULTRET, 0), n);
#endif
}

// Lua patterns backtrack inside C, where no budget reaches: `("a"):rep(40):find(("a?"):rep(40)
// .. ("a"):rep(40))` would run for ages. A search costs at most about (subject + 1)^(q + 1)
// steps for q quantifiers (*, +, -, ?; one power less when anchored), so a pattern/subject pair
// past kMaxPatternSteps is refused before it starts. Upvalue 1 is the string library's own
// function.
constexpr double kMaxPatternSteps = 1e8;

int guarded_pattern_fn(lua_State* L) {
  size_t subject_bytes = 0;
  size_t pattern_bytes = 0;
  luaL_checklstring(L, 1, &subject_bytes);
  const char* pattern = luaL_checklstring(L, 2, &pattern_bytes);
  // string.find(s, p, init, true) is a plain search: no pattern.
  const bool plain =
      lua_toboolean(L, lua_upvalueindex(2)) != 0 && lua_gettop(L) >= 4 && lua_toboolean(L, 4) != 0;
  if (!plain) {
    int quantifiers = 0;
    for (size_t i = 0; i < pattern_bytes; ++i) {
      const char c = pattern[i];
      if (c == '%') {
        ++i;  // an escaped character is never a quantifier
      } else if (c == '*' || c == '+' || c == '-' || c == '?') {
        ++quantifiers;
      }
    }
    // An anchored pattern ('^') is tried at one start only.
    const bool anchored = pattern_bytes > 0 && pattern[0] == '^';
    const double steps = std::pow(static_cast<double>(subject_bytes) + 1.0,
                                  static_cast<double>(quantifiers) + (anchored ? 0.0 : 1.0));
    if (steps > kMaxPatternSteps) {
      char message[200];  // lua_pushfstring has no %g
      std::snprintf(message, sizeof(message),
                    "pattern with %d quantifiers on a %zu-byte string could take up to %.3g "
                    "steps, over the %.3g allowed (use fewer *, +, - or ?, or a shorter string)",
                    quantifiers, subject_bytes, steps, kMaxPatternSteps);
      return luaL_error(L, "%s", message);
    }
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// "file.lua:12: ..." (or "[string ...]:3: ..."): Lua put the position in front.
bool has_position(const std::string& message) {
  const size_t colon = message.find(": ");
  if (colon == std::string::npos || colon == 0 || colon > message.find('\n')) return false;
  size_t digits = colon;
  while (digits > 0 && message[digits - 1] >= '0' && message[digits - 1] <= '9') --digits;
  return digits < colon && digits > 1 && message[digits - 1] == ':';
}

bool valid_module_name(std::string_view name) {
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
  // The cap holds only while script code runs: the host's own pushes between calls must never
  // fail outside a protected call. Past the cap the call fails at its next instruction, with
  // the script's position (the hook raises); an allocation far past it is refused outright,
  // which Lua raises as "not enough memory" without a position.
  if (self->enforce_cap_ && new_size > old_bytes) {
    const size_t after = self->used_bytes_ - old_bytes + new_size;
    const size_t cap = self->limits_.memory_bytes;
    if (after > cap + cap / 8) return nullptr;
    if (after > cap && !self->over_cap_) {
      self->over_cap_ = true;
      // Safe from here (lua.c calls it from a signal handler): the hook runs at the next
      // instruction of the main thread; a coroutine meets it at its next count.
      lua_sethook(self->L_, &LuaState::count_hook, LUA_MASKCOUNT, 1);
    }
  }
  void* grown = std::realloc(block, new_size);
  if (grown != nullptr) self->used_bytes_ = self->used_bytes_ - old_bytes + new_size;
  return grown;
}

void LuaState::count_hook(lua_State* L, lua_Debug* ar) {
  LuaState* self = self_of(L);
  if (self->failure_.empty()) {
    const int every = lua_gethookcount(L);
    self->instructions_ += every;
    // A coroutine left at count 1 by an earlier failed call counts normally again.
    if (every != kHookEvery && !self->over_cap_)
      lua_sethook(L, &LuaState::count_hook, LUA_MASKCOUNT, kHookEvery);
    // Where the script is while memory runs high: a refused allocation raises "not enough
    // memory" with no position of its own.
    if (self->used_bytes_ > self->limits_.memory_bytes / 4 && lua_getinfo(L, "Sl", ar) != 0)
      std::snprintf(self->last_position_, sizeof(self->last_position_), "%s:%d", ar->short_src,
                    ar->currentline);
    if (self->instructions_ <= self->limits_.instructions_per_call && !self->over_cap_) return;
    // Name the line the script was on (luaL_error's position is empty inside a hook).
    lua_getinfo(L, "Sl", ar);
    const std::string where = std::string(ar->short_src) + ":" + std::to_string(ar->currentline);
    if (self->over_cap_)
      self->fail_call(L, where + ": memory cap of " +
                             std::to_string(self->limits_.memory_bytes >> 20) + " MiB reached");
    else
      self->fail_call(L, where + ": instruction budget of " +
                             std::to_string(self->limits_.instructions_per_call) +
                             " exceeded (a runaway loop?)");
  }
  lua_pushlstring(L, self->failure_.data(), self->failure_.size());
  lua_error(L);
}

void LuaState::fail_call(lua_State* L, std::string message) {
  failure_ = std::move(message);
  // Every instruction raises from now on, in this thread and the main one (LuaJIT's hook is
  // global anyway): a pcall that catches the error returns into code that raises it again.
  lua_sethook(L, &LuaState::count_hook, LUA_MASKCOUNT, 1);
  if (L != L_) lua_sethook(L_, &LuaState::count_hook, LUA_MASKCOUNT, 1);
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
#if LUA_VERSION_NUM >= 502
  open_library(L_, LUA_COLIBNAME, luaopen_coroutine);  // in LuaJIT's base library
#endif
  for (const char* unsafe : {"dofile", "loadfile", "load", "loadstring", "require", "module",
                             "collectgarbage", "newproxy", "gcinfo"}) {
    lua_pushnil(L_);
    lua_setglobal(L_, unsafe);
  }
  lua_getglobal(L_, "setmetatable");
  lua_pushcclosure(L_, setmetatable_without_gc, 1);
  lua_setglobal(L_, "setmetatable");
  lua_pushcfunction(L_, xpcall_fn);
  lua_setglobal(L_, "xpcall");
  lua_getglobal(L_, "string");  // string.dump would hand out bytecode
  lua_pushnil(L_);
  lua_setfield(L_, -2, "dump");
  for (const char* name : {"find", "match", "gmatch", "gsub"}) {
    lua_getfield(L_, -1, name);
    // Upvalue 2: string.find, the one whose 4th argument asks for a plain search.
    lua_pushboolean(L_, std::string_view(name) == "find");
    lua_pushcclosure(L_, guarded_pattern_fn, 2);
    lua_setfield(L_, -2, name);
  }
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
  lua_pushliteral(L_, "sandbox");  // a script cannot swap in a metatable of its own
  lua_setfield(L_, -2, "__metatable");
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
  last_position_[0] = '\0';
  const int status = lua_pcall(L_, nargs, nresults, handler);
  instructions_ = outer_instructions;
  enforce_cap_ = outer_cap;
  const bool was_over_cap = over_cap_;
  std::string failure = std::move(failure_);
  failure_.clear();
  over_cap_ = false;
  lua_sethook(L_, &LuaState::count_hook, LUA_MASKCOUNT, kHookEvery);
  if (status == 0) return;
  std::string message = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "unknown Lua error";
  lua_pop(L_, 1);
  if (status == LUA_ERRMEM) {
    const std::string where = last_position_[0] != '\0' ? last_position_ : chunk_;
    message = (where.empty() ? std::string() : where + ": ") + "memory cap of " +
              std::to_string(limits_.memory_bytes >> 20) + " MiB reached (not enough memory)";
  } else if (!failure.empty() && message.compare(0, failure.size(), failure) != 0) {
    // An error raised while unwinding (a message handler, a __close) hides the first cause.
    message = failure;
  } else if (!chunk_.empty() && !has_position(message)) {
    // Raised by a C function called in a tail call, where Lua knows no line: name the file.
    message = chunk_ + ": " + message;
  }
  if (status == LUA_ERRMEM || was_over_cap)
    lua_gc(L_, LUA_GCCOLLECT, 0);  // what the failed call built is garbage now
  throw ScriptError(message);
}

bool LuaState::load_chunk(lua_State* L, const std::string& file, std::string& sha256) {
  std::string text;
  try {
    text = sdk::read_regular_file(file, kMaxScriptBytes);
  } catch (const sdk::FileError& e) {
    lua_pushstring(L, e.what());
    return false;
  }
  // As luaL_loadfile does: skip a UTF-8 byte order mark and a first '#' line (kept as a blank
  // line so line numbers hold).
  size_t from = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  if (from < text.size() && text[from] == '#') from = text.find('\n', from);
  if (from == std::string::npos) from = text.size();
  const std::string chunk_name = "@" + file;
  const int status =
      luaL_loadbufferx(L, text.data() + from, text.size() - from, chunk_name.c_str(), "t");
  if (status == 0) {
    sha256 = sha256_hex(text);  // of the bytes that will run, not of the file later
    return true;
  }
  std::string message = lua_tostring(L, -1) ? lua_tostring(L, -1) : "cannot load script";
  lua_pop(L, 1);
  // Lua says "attempt to load a binary chunk (mode is 't')", LuaJIT "... with wrong mode".
  if (message.find("binary") != std::string::npos ||
      message.find("wrong mode") != std::string::npos)
    message = file + ": precompiled (binary) chunks are refused; load the source text";
  lua_pushstring(L, message.c_str());
  return false;
}

void LuaState::run_file(const std::string& path, int results) {
  std::string sha256;
  if (!load_chunk(L_, path, sha256)) {
    const std::string message = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    throw ScriptError(message);
  }
  chunk_ = path;
  chunk_sha256_ = std::move(sha256);
  protected_call(0, results);
}

void LuaState::set_lib_dir(const std::string& lib_dir) {
  lib_dir_ = lib_dir;
}

int LuaState::require_fn(lua_State* L) {
  LuaState* self = self_of(L);
  size_t length = 0;
  const char* name = luaL_checklstring(L, 1, &length);
  lua_pushlightuserdata(L, &kLoadedKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  const int loaded = lua_gettop(L);
  lua_getfield(L, loaded, name);
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);
  // C++ objects live only in this block: a Lua error below (a longjmp in PUC Lua) must not
  // skip their destructors. It pushes the module's chunk, or a message.
  bool found = false;
  {
    const std::string module(name, length);
    const auto loading = std::find_if(self->loading_.begin(), self->loading_.end(),
                                      [&](const Loading& l) { return l.module == module; });
    std::string relative = module;
    for (char& c : relative)
      if (c == '.') c = '/';
    const std::string file =
        (std::filesystem::path(self->lib_dir_) / (relative + ".lua")).lexically_normal().string();
    std::error_code ec;
    if (!valid_module_name(module)) {
      lua_pushfstring(L, "require '%s': module names are [a-z0-9_] words joined by dots", name);
    } else if (loading != self->loading_.end()) {
      std::string chain;
      for (auto it = loading; it != self->loading_.end(); ++it) chain += it->module + " \u2192 ";
      lua_pushstring(L, ("require cycle " + chain + module).c_str());
    } else if (self->loading_.size() >= kMaxRequireDepth) {
      lua_pushstring(L, ("require '" + module + "': more than " + std::to_string(kMaxRequireDepth) +
                         " nested requires")
                            .c_str());
    } else if (self->lib_dir_.empty()) {
      lua_pushfstring(L, "require '%s': modules load only from strategies/lib/", name);
    } else if (!std::filesystem::exists(file, ec)) {
      lua_pushstring(L, ("require '" + module + "': no file " + file +
                         " (modules load only from strategies/lib/)")
                            .c_str());
    } else if (std::string sha256; self->load_chunk(L, file, sha256)) {
      found = true;
      self->loading_.push_back({module, file});
      self->required_.push_back(std::filesystem::absolute(file).string());
      self->required_sha256_.push_back(std::move(sha256));
    }
  }
  if (!found) {
    luaL_where(L, 1);  // the script line that called require
    size_t where_bytes = 0;
    lua_tolstring(L, -1, &where_bytes);
    if (where_bytes == 0) {  // a tail call (`return require(...)`) leaves no line behind
      lua_pop(L, 1);
      self->push_require_site(L, std::string_view(name, length));
    }
    lua_insert(L, -2);
    lua_concat(L, 2);
    return lua_error(L);
  }
  // Run the module inside the caller's protected call and budget; a nested pcall so the loading
  // list is unwound whatever happens, then its error goes on up.
  const int status = lua_pcall(L, 0, 1, 0);
  self->loading_.pop_back();
  if (status != 0) return lua_error(L);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, loaded, name);
  return 1;
}

void LuaState::push_require_site(lua_State* L, std::string_view module) {
  const std::string& file = loading_.empty() ? chunk_ : loading_.back().file;
  std::string site;
  if (!file.empty()) {
    int line = 0;
    try {
      const std::string text = sdk::read_regular_file(file, kMaxScriptBytes);
      // The first line that requires this module by name, quoted either way.
      int number = 1;
      for (size_t at = 0; at < text.size() && line == 0; ++number) {
        size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        const std::string_view row(text.data() + at, end - at);
        const size_t call = row.find("require");
        if (call != std::string_view::npos &&
            (row.find("'" + std::string(module) + "'", call) != std::string_view::npos ||
             row.find("\"" + std::string(module) + "\"", call) != std::string_view::npos))
          line = number;
        at = end + 1;
      }
    } catch (const std::exception&) {
      // unreadable now: the file alone
    }
    site = file + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
  }
  lua_pushlstring(L, site.data(), site.size());
}

void push_raw_field(lua_State* L, int table, const char* key) {
  const int t = table < 0 && table > LUA_REGISTRYINDEX ? lua_gettop(L) + table + 1 : table;
  lua_pushstring(L, key);
  lua_rawget(L, t);
}

void push_raw_global(lua_State* L, const char* name) {
#if LUA_VERSION_NUM >= 502
  lua_pushglobaltable(L);
#else
  lua_pushvalue(L, LUA_GLOBALSINDEX);
#endif
  push_raw_field(L, -1, name);
  lua_remove(L, -2);
}

}  // namespace mmh
