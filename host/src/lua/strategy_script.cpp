#include "lua/strategy_script.hpp"

#include <lua.hpp>

#include <cstring>
#include <filesystem>

namespace mmh {
namespace {

int read_only_error(lua_State* L) {
  const char* key = lua_tostring(L, 2);
  return luaL_error(L, "'%s': callback arguments are read-only (keep values in mmhost.state)",
                    key != nullptr ? key : "?");
}

// A read-only proxy over a backing table the host refills: pushes nothing, returns the refs.
void make_read_only(lua_State* L, int& backing_ref, int& proxy_ref) {
  lua_newtable(L);
  lua_pushvalue(L, -1);
  backing_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);  // proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, read_only_error);
  lua_setfield(L, -2, "__newindex");
  lua_pushliteral(L, "read-only");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  proxy_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 1);
}

void set_number(lua_State* L, int table, const char* key, double value) {
  lua_pushnumber(L, value);
  lua_setfield(L, table, key);
}

const char* const kLevelNames[] = {"disabled", "defensive", "normal"};
constexpr int kLevelNameBase = 100;  // where the level names sit in the keys table

// 0..2 for a level name, 3 (a nil slot) otherwise.
int level_index(const char* name) {
  for (int i = 0; i < 3; ++i)
    if (std::strcmp(name, kLevelNames[i]) == 0) return i;
  return 3;
}

bool equals_ignoring_case(const char* a, size_t length, const char* b) {
  size_t i = 0;
  for (; i < length && b[i] != '\0'; ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return i == length && b[i] == '\0';
}

}  // namespace

StrategyScript::StrategyScript(const std::string& path, ScriptHost* host)
    : lua_(std::make_unique<LuaState>()) {
  // Shared helper modules live beside the strategies, in lib/.
  lua_->set_lib_dir((std::filesystem::path(path).parent_path() / "lib").string());
  install_script_api(*lua_, host, std::filesystem::path(path).filename().string());
  lua_State* L = lua_->get();
  lua_->run_file(path, 1);
  const int top = lua_gettop(L);
  spec_ = read_strategy_spec(L, top, path);
  for (const std::string& module : lua_->required_files()) spec_.source_files.push_back(module);
  spec_.source_sha256 = {lua_->script_sha256()};
  for (const std::string& digest : lua_->required_sha256()) spec_.source_sha256.push_back(digest);
  lua_->set_limits(spec_.limits);

  for (const std::string& name : spec_.callbacks) callbacks_[name] = ref_of(name.c_str());
  has_on_bar_ = callbacks_.count("on_bar") != 0;
  if (spec_.policy_function) policy_ref_ = ref_of("policy");
  // The `when` functions, by "from.reason" (the spec has checked the list's shape).
  // Raw reads only (the spec has checked these tables have no metatable).
  push_raw_field(L, top, "transitions");
  if (lua_type(L, -1) == LUA_TTABLE) {
    const int list = lua_gettop(L);
    for (int i = 1;; ++i) {
      lua_rawgeti(L, list, i);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        break;
      }
      push_raw_field(L, -1, "when");
      if (lua_type(L, -1) == LUA_TFUNCTION) {
        push_raw_field(L, -2, "from");
        push_raw_field(L, -3, "reason");
        const std::string key = std::string(lua_tostring(L, -2)) + "." + lua_tostring(L, -1);
        lua_pop(L, 2);
        guards_[key] = luaL_ref(L, LUA_REGISTRYINDEX);
      } else {
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  lua_pushvalue(L, top);
  strategy_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
  push_root_view(L);
  root_view_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  make_read_only(L, policy_inputs_ref_, policy_view_ref_);
  lua_newtable(L);
  int k = 1;
  for (const char* key : {"atr_pct", "volatility_pct", "spread_bps", "drawdown_pct",
                          "inventory_share", "bars_since_bos", "suggested", "level"}) {
    lua_pushstring(L, key);
    lua_rawseti(L, -2, k++);
  }
  for (int i = 0; i < 3; ++i) {
    lua_pushstring(L, kLevelNames[i]);
    lua_rawseti(L, -2, kLevelNameBase + i);
  }
  policy_keys_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  make_read_only(L, bar_ref_, bar_view_ref_);
}

StrategyScript::~StrategyScript() = default;

void StrategyScript::set_host(ScriptHost* host) {
  set_script_host(lua_->get(), host);
}

int StrategyScript::ref_of(const char* name) {
  lua_State* L = lua_->get();
  push_raw_field(L, -1, name);
  if (lua_type(L, -1) != LUA_TFUNCTION) {
    lua_pop(L, 1);
    return kNoRef;
  }
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

bool StrategyScript::push_callback(const char* name) {
  const auto it = callbacks_.find(name);
  if (it == callbacks_.end()) return false;
  lua_rawgeti(lua_->get(), LUA_REGISTRYINDEX, it->second);
  return true;
}

// "s.lua:12: boom\nstack traceback: ..." -> "s.lua:12: boom (in on_bar)\nstack ..."
ScriptError StrategyScript::with_context(const ScriptError& e, const char* what) {
  std::string message = e.what();
  const size_t end = message.find('\n');
  message.insert(end == std::string::npos ? message.size() : end,
                 std::string(" (in ") + what + ")");
  return ScriptError(message);
}

void StrategyScript::call(int nargs, int nresults, const char* what) {
  try {
    lua_->protected_call(nargs, nresults);
  } catch (const ScriptError& e) {
    throw with_context(e, what);
  }
}

void StrategyScript::on_start() {
  if (!push_callback("on_start")) return;
  lua_rawgeti(lua_->get(), LUA_REGISTRYINDEX, root_view_ref_);
  call(1, 0, "on_start");
}

void StrategyScript::on_stop() {
  if (!push_callback("on_stop")) return;
  lua_rawgeti(lua_->get(), LUA_REGISTRYINDEX, root_view_ref_);
  call(1, 0, "on_stop");
}

void StrategyScript::on_bar(const mmh_candle& bar) {
  if (!push_callback("on_bar")) return;
  lua_State* L = lua_->get();
  lua_rawgeti(L, LUA_REGISTRYINDEX, bar_ref_);
  const int t = lua_gettop(L);
  set_number(L, t, "open", static_cast<double>(bar.open_e8) / 1e8);
  set_number(L, t, "high", static_cast<double>(bar.high_e8) / 1e8);
  set_number(L, t, "low", static_cast<double>(bar.low_e8) / 1e8);
  set_number(L, t, "close", static_cast<double>(bar.close_e8) / 1e8);
  set_number(L, t, "volume", static_cast<double>(bar.volume_e8) / 1e8);
  set_number(L, t, "open_ms", static_cast<double>(bar.open_ts_ns / 1'000'000));
  set_number(L, t, "close_ms", static_cast<double>((bar.open_ts_ns + bar.interval_ns) / 1'000'000));
  lua_pop(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, bar_view_ref_);
  lua_rawgeti(L, LUA_REGISTRYINDEX, root_view_ref_);
  call(2, 0, "on_bar");
}

void StrategyScript::on_transition(const char* from, const char* to, const char* reason) {
  if (!push_callback("on_transition")) return;
  lua_State* L = lua_->get();
  lua_pushstring(L, from);
  lua_pushstring(L, to);
  lua_pushstring(L, reason);
  lua_rawgeti(L, LUA_REGISTRYINDEX, root_view_ref_);
  call(4, 0, "on_transition");
}

void StrategyScript::on_fill(const mmh_fill& fill, double price, double qty, double fee) {
  if (!push_callback("on_fill")) return;
  lua_State* L = lua_->get();
  lua_newtable(L);  // fills are rare; a fresh table per fill is fine
  const int t = lua_gettop(L);
  lua_pushstring(L, fill.side == MMH_SIDE_BUY ? "buy" : "sell");
  lua_setfield(L, t, "side");
  set_number(L, t, "price", price);
  set_number(L, t, "qty", qty);
  set_number(L, t, "fee", fee);
  lua_pushstring(L, fill.fee_asset);
  lua_setfield(L, t, "fee_asset");
  set_number(L, t, "ts_ms", static_cast<double>(fill.ts_ns / 1'000'000));
  lua_rawgeti(L, LUA_REGISTRYINDEX, root_view_ref_);
  call(2, 0, "on_fill");
}

void StrategyScript::on_reload(StrategyScript& old) {
  // Both scripts may have put traps on their globals and tables: raw reads and writes only, and
  // only plain values cross (copy_plain_value).
  lua_State* from = old.lua_->get();
  lua_State* L = lua_->get();
  push_raw_global(from, "mmhost");
  if (lua_type(from, -1) == LUA_TTABLE)
    push_raw_field(from, -1, "state");
  else
    lua_pushnil(from);
  copy_plain_value(from, -1, L);
  lua_pop(from, 2);
  if (lua_type(L, -1) != LUA_TTABLE) {  // the old script replaced mmhost.state with a scalar
    lua_pop(L, 1);
    lua_newtable(L);
  }
  push_raw_global(L, "mmhost");
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_pushliteral(L, "state");
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
  }
  lua_pop(L, 1);
  if (!push_callback("on_reload")) {
    lua_pop(L, 1);
    return;
  }
  lua_insert(L, -2);  // on_reload(old_state)
  call(1, 0, "on_reload");
}

const char* StrategyScript::policy(const PolicyInputs& in, const char* suggested,
                                   const char* level) {
  lua_State* L = lua_->get();
  lua_->push_traceback();
  const int handler = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, policy_ref_);
  lua_rawgeti(L, LUA_REGISTRYINDEX, policy_inputs_ref_);
  const int t = lua_gettop(L);
  // Keys and level names were interned once (policy_keys_ref_): rawgeti + rawset per field
  // instead of hashing each key string again on every bar.
  lua_rawgeti(L, LUA_REGISTRYINDEX, policy_keys_ref_);
  const int keys = t + 1;
  const double numbers[] = {in.atr_pct,      in.volatility_pct,  in.spread_bps,
                            in.drawdown_pct, in.inventory_share, in.bars_since_bos};
  int k = 1;
  for (const double value : numbers) {
    lua_rawgeti(L, keys, k++);
    lua_pushnumber(L, value);
    lua_rawset(L, t);
  }
  for (const char* name : {suggested, level}) {
    lua_rawgeti(L, keys, k++);
    lua_rawgeti(L, keys, kLevelNameBase + level_index(name));
    if (lua_isnil(L, -1)) {  // not one of the three: pass the text as it is
      lua_pop(L, 1);
      lua_pushstring(L, name);
    }
    lua_rawset(L, t);
  }
  lua_pop(L, 2);
  lua_rawgeti(L, LUA_REGISTRYINDEX, policy_view_ref_);
  lua_rawgeti(L, LUA_REGISTRYINDEX, root_view_ref_);
  try {
    lua_->call_above_traceback(handler, 2, 1);
  } catch (const ScriptError& e) {
    lua_settop(L, handler - 1);
    throw with_context(e, "policy");
  }
  size_t length = 0;
  const char* answer = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &length) : nullptr;
  const char* level_name = nullptr;
  if (answer != nullptr)
    for (const char* known : kLevelNames)
      if (equals_ignoring_case(answer, length, known)) level_name = known;
  if (level_name == nullptr) {
    const std::string got = answer != nullptr ? "'" + std::string(answer, length) + "'"
                                              : std::string(luaL_typename(L, -1));
    lua_settop(L, handler - 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, policy_ref_);
    lua_Debug ar{};
    lua_getinfo(L, ">S", &ar);
    throw ScriptError(std::string(ar.short_src) + ":" + std::to_string(ar.linedefined) +
                      ": policy returned " + got +
                      "; expected \"Disabled\", \"Defensive\" or \"Normal\" (in policy)");
  }
  lua_settop(L, handler - 1);
  return level_name;
}

bool StrategyScript::guard(const char* from, const char* reason) {
  std::string key = std::string(from) + "." + reason;
  const auto it = guards_.find(key);
  if (it == guards_.end()) return false;
  lua_State* L = lua_->get();
  lua_rawgeti(L, LUA_REGISTRYINDEX, it->second);
  push_root_view(L);
  key = "when of transition " + key;
  call(1, 1, key.c_str());
  const bool holds = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return holds;
}

StrategySpec load_strategy_spec(const std::string& path) {
  return StrategyScript(path, nullptr).spec();
}

}  // namespace mmh
