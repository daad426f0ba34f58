#include "lua/script_api.hpp"

#include "lua/lua_state.hpp"

#include <mmhost/sdk/suggest.hpp>

#include <spdlog/spdlog.h>
#include <lua.hpp>

#include <cmath>
#include <cstring>

namespace mmh {

void CoreValues::assign(const mmh_core_value* values, size_t count) {
  values_ = values;
  count_ = count;
  // A core keeps its names (the same pointers) for life: comparing pointers is enough to know
  // the index still holds; a new set (another core) rebuilds it.
  bool same = count == name_ptrs_.size();
  for (size_t i = 0; same && i < count; ++i) same = name_ptrs_[i] == values[i].name;
  if (same) return;
  name_ptrs_.clear();
  index_.clear();
  groups_.clear();
  for (size_t i = 0; i < count; ++i) {
    name_ptrs_.push_back(values[i].name);
    const std::string name = values[i].name != nullptr ? values[i].name : "";
    const size_t dot = name.find('.');
    const std::string group = dot == std::string::npos ? "" : name.substr(0, dot);
    const std::string key = dot == std::string::npos ? name : name.substr(dot + 1);
    auto [it, added] = index_.try_emplace(group);
    if (added && !group.empty()) groups_.push_back(group);
    it->second.emplace(key, i);
  }
}

const mmh_core_value* CoreValues::find(std::string_view group, std::string_view key) const {
  const auto g = index_.find(group);
  if (g == index_.end()) return nullptr;
  const auto k = g->second.find(key);
  return k == g->second.end() ? nullptr : values_ + k->second;
}

std::vector<std::string> CoreValues::keys(std::string_view group) const {
  std::vector<std::string> out;
  const auto g = index_.find(group);
  if (g != index_.end())
    for (const auto& [key, i] : g->second) out.push_back(key);
  if (group.empty()) out.insert(out.end(), groups_.begin(), groups_.end());
  return out;
}

namespace {

char kHostKey;   // registry: lightuserdata ScriptHost*
char kViewsKey;  // registry: table group name -> view userdata
const char* const kViewMeta = "mmhost.view";

constexpr size_t kGroupCapacity = 32;
struct View {
  char group[kGroupCapacity];  // "" = the root
};

ScriptHost* host_of(lua_State* L) {
  lua_pushlightuserdata(L, &kHostKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* host = static_cast<ScriptHost*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return host;
}

void push_view(lua_State* L, const std::string& group) {
  lua_pushlightuserdata(L, &kViewsKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_getfield(L, -1, group.c_str());
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    auto* view = static_cast<View*>(lua_newuserdata(L, sizeof(View)));
    std::snprintf(view->group, sizeof(view->group), "%s", group.c_str());
    luaL_getmetatable(L, kViewMeta);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, group.c_str());
  }
  lua_remove(L, -2);
}

std::string view_path(const View& view, const char* key) {
  return std::string("mmhost.") + (view.group[0] != '\0' ? std::string(view.group) + "." : "") +
         key;
}

// Pushes the value, or an error message and returns false. C++ objects live only in here, so
// the caller can raise a Lua error (a longjmp in PUC Lua) without skipping destructors.
bool lookup(lua_State* L, const View& view, const char* key) {
  ScriptHost* host = host_of(L);
  const CoreValues* values = host != nullptr ? host->values() : nullptr;
  if (values == nullptr || values->empty()) {
    lua_pushstring(
        L, (view_path(view, key) + ": no core is running yet (values are there in callbacks)")
               .c_str());
    return false;
  }
  const mmh_core_value* v = values->find(view.group, key);
  if (v == nullptr && view.group[0] == '\0') {
    for (const std::string& group : values->groups())
      if (group == key) {
        push_view(L, group);
        return true;
      }
  }
  if (v == nullptr) {
    const std::vector<std::string> keys = values->keys(view.group);
    const std::string guess = sdk::closest_name(key, keys);
    std::string known;
    for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
    lua_pushstring(
        L, (view_path(view, key) + ": unknown value (" +
            (guess.empty() ? "" : "did you mean '" + guess + "'? ") + "known: " + known + ")")
               .c_str());
    return false;
  }
  switch (v->type) {
    case MMH_VALUE_FLAG:
      lua_pushboolean(L, v->number != 0.0);
      break;
    case MMH_VALUE_TEXT:
      lua_pushstring(L, v->text != nullptr ? v->text : "");
      break;
    default:
      lua_pushnumber(L, v->number);
  }
  return true;
}

int raise_with_position(lua_State* L) {
  // The message is on top; prefix the script position like luaL_error does.
  luaL_where(L, 1);
  lua_insert(L, -2);
  lua_concat(L, 2);
  return lua_error(L);
}

int view_index(lua_State* L) {
  const auto* view = static_cast<const View*>(luaL_checkudata(L, 1, kViewMeta));
  const char* key = luaL_checkstring(L, 2);
  if (lookup(L, *view, key)) return 1;
  return raise_with_position(L);
}

int view_newindex(lua_State* L) {
  const auto* view = static_cast<const View*>(luaL_checkudata(L, 1, kViewMeta));
  const char* key = lua_tostring(L, 2);
  lua_pushstring(L, (view_path(*view, key != nullptr ? key : "?") +
                     " is read-only (keep your own values in mmhost.state)")
                        .c_str());
  return raise_with_position(L);
}

int view_tostring(lua_State* L) {
  const auto* view = static_cast<const View*>(luaL_checkudata(L, 1, kViewMeta));
  lua_pushfstring(L, "mmhost view %s", view->group[0] != '\0' ? view->group : "(root)");
  return 1;
}

// mmhost.strategy{...}: returns the table; validation happens when the host reads it.
int strategy_fn(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, 1);
  return 1;
}

int now_fn(lua_State* L) {
  ScriptHost* host = host_of(L);
  // Milliseconds are exact in a double for any date; nanoseconds since 1970 are not.
  lua_pushnumber(L, host != nullptr ? static_cast<double>(host->now_ns() / 1'000'000) : 0.0);
  return 1;
}

int metric_fn(lua_State* L) {
  size_t length = 0;
  const char* name = luaL_checklstring(L, 1, &length);
  const double value = luaL_checknumber(L, 2);
  bool valid = length > 0 && length <= 64;
  for (size_t i = 0; valid && i < length; ++i) {
    const char c = name[i];
    valid = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  }
  if (!valid)
    return luaL_error(L, "mmhost.metric: name '%s' must be 1-64 characters of [a-z0-9_.]", name);
  if (!std::isfinite(value)) return luaL_error(L, "mmhost.metric('%s'): value is not finite", name);
  if (ScriptHost* host = host_of(L)) host->metric(name, value);
  return 0;
}

// mmhost.log.*: upvalue 1 is the spdlog level, 2 the script's name.
int log_fn(lua_State* L) {
  const auto level = static_cast<spdlog::level::level_enum>(lua_tointeger(L, lua_upvalueindex(1)));
  std::string message;
  const int n = lua_gettop(L);
  for (int i = 1; i <= n; ++i) {
    if (i > 1) message += ' ';
    if (lua_type(L, i) == LUA_TSTRING || lua_type(L, i) == LUA_TNUMBER)
      message += lua_tostring(L, i);
    else if (lua_type(L, i) == LUA_TBOOLEAN)
      message += lua_toboolean(L, i) ? "true" : "false";
    else if (lua_isnil(L, i))
      message += "nil";
    else
      message += luaL_typename(L, i);
    if (message.size() > 2000) {
      message.resize(2000);
      message += "...";
      break;
    }
  }
  lua_Debug ar{};
  std::string where = lua_tostring(L, lua_upvalueindex(2));
  if (lua_getstack(L, 1, &ar) != 0 && lua_getinfo(L, "Sl", &ar) != 0 && ar.currentline > 0)
    where = std::string(ar.short_src) + ":" + std::to_string(ar.currentline);
  spdlog::log(level, "[script {}] {}", where, message);
  return 0;
}

void copy_value(lua_State* from, int index, lua_State* to, int seen, int depth) {
  switch (lua_type(from, index)) {
    case LUA_TBOOLEAN:
      lua_pushboolean(to, lua_toboolean(from, index));
      return;
    case LUA_TNUMBER:
#if LUA_VERSION_NUM >= 503
      if (lua_isinteger(from, index)) {  // keep 3 an integer, not 3.0
        lua_pushinteger(to, lua_tointeger(from, index));
        return;
      }
#endif
      lua_pushnumber(to, lua_tonumber(from, index));
      return;
    case LUA_TSTRING: {
      size_t length = 0;
      const char* s = lua_tolstring(from, index, &length);
      lua_pushlstring(to, s, length);
      return;
    }
    case LUA_TTABLE:
      break;
    default:
      lua_pushnil(to);
      return;
  }
  // Each level holds a few slots on both stacks (32 levels pass LUA_MINSTACK).
  if (lua_checkstack(from, 4) == 0 || lua_checkstack(to, 6) == 0) {
    lua_pushnil(to);
    return;
  }
  const void* identity = lua_topointer(from, index);
  lua_pushlightuserdata(to, const_cast<void*>(identity));
  lua_rawget(to, seen);
  if (!lua_isnil(to, -1) || depth >= 32) return;  // shared (or too deep: nil)
  lua_pop(to, 1);
  lua_newtable(to);
  lua_pushlightuserdata(to, const_cast<void*>(identity));
  lua_pushvalue(to, -2);
  lua_rawset(to, seen);
  const int table = lua_gettop(to);
  const int source = index < 0 ? lua_gettop(from) + index + 1 : index;
  lua_pushnil(from);
  while (lua_next(from, source) != 0) {
    const int key_type = lua_type(from, -2);
    const int value_type = lua_type(from, -1);
    const bool plain_key =
        key_type == LUA_TSTRING || key_type == LUA_TNUMBER || key_type == LUA_TBOOLEAN;
    const bool plain_value = value_type == LUA_TSTRING || value_type == LUA_TNUMBER ||
                             value_type == LUA_TBOOLEAN || value_type == LUA_TTABLE;
    if (plain_key && plain_value) {
      copy_value(from, -2, to, seen, depth + 1);
      copy_value(from, -1, to, seen, depth + 1);
      if (lua_isnil(to, -1) || lua_isnil(to, -2))
        lua_pop(to, 2);
      else
        lua_rawset(to, table);
    }
    lua_pop(from, 1);
  }
}

}  // namespace

void install_script_api(LuaState& lua, ScriptHost* host, const std::string& script_name) {
  lua_State* L = lua.get();
  set_script_host(L, host);
  lua_pushlightuserdata(L, &kViewsKey);
  lua_newtable(L);
  lua_rawset(L, LUA_REGISTRYINDEX);
  luaL_newmetatable(L, kViewMeta);
  lua_pushcfunction(L, view_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, view_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, view_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushliteral(L, "read-only");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);

  lua_newtable(L);
  lua_pushcfunction(L, strategy_fn);
  lua_setfield(L, -2, "strategy");
  lua_pushstring(L, LuaState::runtime_name());
  lua_setfield(L, -2, "lua_runtime");
  lua_pushcfunction(L, now_fn);
  lua_setfield(L, -2, "now");
  lua_pushcfunction(L, metric_fn);
  lua_setfield(L, -2, "metric");
  lua_newtable(L);
  lua_setfield(L, -2, "state");
  lua_newtable(L);
  const std::pair<const char*, spdlog::level::level_enum> levels[] = {
      {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},
      {"error", spdlog::level::err}};
  for (const auto& [name, level] : levels) {
    lua_pushinteger(L, static_cast<lua_Integer>(level));
    lua_pushstring(L, script_name.c_str());
    lua_pushcclosure(L, log_fn, 2);
    lua_setfield(L, -2, name);
  }
  lua_setfield(L, -2, "log");
  push_view(L, "");
  lua_setfield(L, -2, "core");
  for (const char* group : {"structure", "market", "inventory", "balances", "pnl", "facts"}) {
    push_view(L, group);
    lua_setfield(L, -2, group);
  }
  lua_setglobal(L, "mmhost");
}

void set_script_host(lua_State* L, ScriptHost* host) {
  lua_pushlightuserdata(L, &kHostKey);
  lua_pushlightuserdata(L, host);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

void push_root_view(lua_State* L) {
  push_view(L, "");
}

void copy_plain_value(lua_State* from, int index, lua_State* to) {
  const int source = index < 0 ? lua_gettop(from) + index + 1 : index;
  lua_newtable(to);  // identity of source tables -> their copies
  const int seen = lua_gettop(to);
  copy_value(from, source, to, seen, 0);
  lua_remove(to, seen);
}

}  // namespace mmh
