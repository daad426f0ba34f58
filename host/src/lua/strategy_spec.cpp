#include "lua/strategy_spec.hpp"

#include "lua/lua_state.hpp"

#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/suggest.hpp>

#include <lua.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

namespace mmh {
namespace {

// mmhost.strategy{...}: marks the table as a strategy and returns it.
int strategy_fn(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, 1);
  return 1;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Line (1-based) of the first "name =" at or after line `from`; 0 when absent.
int find_assignment(const std::vector<std::string>& lines, const std::string& name, int from) {
  for (size_t i = static_cast<size_t>(from > 0 ? from - 1 : 0); i < lines.size(); ++i) {
    const std::string& line = lines[i];
    for (size_t at = line.find(name); at != std::string::npos; at = line.find(name, at + 1)) {
      if (at > 0 && is_name_char(line[at - 1])) continue;
      size_t end = at + name.size();
      if (end < line.size() && is_name_char(line[end])) continue;
      while (end < line.size() && (line[end] == ' ' || line[end] == '\t')) ++end;
      if (end < line.size() && line[end] == '=' && (end + 1 == line.size() || line[end + 1] != '='))
        return static_cast<int>(i + 1);
    }
  }
  return 0;
}

}  // namespace

int script_line_of(const std::string& path, const std::string& key_path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  // Walk "group.name": each part is searched from where the previous one was found.
  int line = 1;
  size_t start = 0;
  while (true) {
    const size_t dot = key_path.find('.', start);
    const std::string part = key_path.substr(start, dot == std::string::npos ? dot : dot - start);
    const int found = find_assignment(lines, part, line);
    if (found == 0) return 0;
    line = found;
    if (dot == std::string::npos) return line;
    start = dot + 1;
  }
}

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& key, const std::string& what) {
  const int line = script_line_of(path, key);
  throw ScriptError(path + (line > 0 ? ":" + std::to_string(line) : "") + ": " + key + ": " + what);
}

void check_keys(lua_State* L, int table, const std::string& path, const std::string& prefix,
                const std::set<std::string>& known) {
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    lua_pop(L, 1);  // value
    if (lua_type(L, -1) != LUA_TSTRING) fail(path, prefix + "?", "keys must be names");
    const std::string key = lua_tostring(L, -1);
    if (known.count(key) == 0) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      const std::string guess = sdk::closest_name(key, known);
      lua_pop(L, 1);
      fail(path, prefix + key,
           "unknown key (" + (guess.empty() ? "" : "did you mean '" + guess + "'? ") +
               "known: " + list + ")");
    }
  }
}

// Reads t[key] as a string; nullopt-like empty when absent. Wrong types are errors.
bool get_string(lua_State* L, int table, const char* key, const std::string& path,
                const std::string& key_path, std::string& out) {
  lua_getfield(L, table, key);
  const int type = lua_type(L, -1);
  bool present = false;
  if (type == LUA_TSTRING) {
    out = lua_tostring(L, -1);
    present = true;
  } else if (type != LUA_TNIL) {
    const std::string got = lua_typename(L, type);
    lua_pop(L, 1);
    fail(path, key_path, std::string("expected a string, got ") + got);
  }
  lua_pop(L, 1);
  return present;
}

int64_t get_interval(lua_State* L, int table, const char* key, const char* fallback,
                     const std::string& path, const std::string& key_path) {
  std::string text = fallback;
  get_string(L, table, key, path, key_path, text);
  const int64_t ns = sdk::parse_interval_ns(text);
  if (ns == 0)
    fail(path, key_path, "'" + text + "' is not an interval (use 1m, 5m, 15m, 1h, 4h, 1d)");
  return ns;
}

// Flattens t[group] = { name = value, ... } into "group.name" -> text. Values are numbers,
// strings or booleans; the core plugin validates names and ranges.
void read_param_group(lua_State* L, int table, const char* group, const std::string& path,
                      std::map<std::string, std::string>& out) {
  lua_getfield(L, table, group);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return;
  }
  if (lua_type(L, -1) != LUA_TTABLE) fail(path, group, "expected a table of parameters");
  const int t = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING)
      fail(path, std::string(group) + ".?", "parameter names must be strings");
    const std::string key = std::string(group) + "." + lua_tostring(L, -2);
    const int type = lua_type(L, -1);
    if (type == LUA_TBOOLEAN) {
      out[key] = lua_toboolean(L, -1) ? "true" : "false";
    } else if (type == LUA_TNUMBER || type == LUA_TSTRING) {
      lua_pushvalue(L, -1);  // tostring on a copy: converting the original would upset lua_next
      out[key] = lua_tostring(L, -1);
      lua_pop(L, 1);
    } else {
      fail(path, key,
           std::string("expected a number, string or boolean, got ") + lua_typename(L, type));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

}  // namespace

StrategySpec load_strategy_spec(const std::string& path) {
  LuaState lua;
  // Shared helper modules live beside the strategies, in lib/.
  lua.set_lib_dir((std::filesystem::path(path).parent_path() / "lib").string());
  lua_State* L = lua.get();
  lua_newtable(L);
  lua_pushcfunction(L, strategy_fn);
  lua_setfield(L, -2, "strategy");
  lua_pushstring(L, LuaState::runtime_name());
  lua_setfield(L, -2, "lua_runtime");
  lua_setglobal(L, "mmhost");

  lua.run_file(path, 1);
  if (lua_type(L, -1) != LUA_TTABLE)
    throw ScriptError(path +
                      ": the script must return a strategy table (return mmhost.strategy{ ... })");
  const int top = lua_gettop(L);
  check_keys(L, top, path, "",
             {"name", "description", "core", "market", "execution", "capital", "structure", "bos",
              "pullback", "policy", "grid", "risk", "transitions", "on_start", "on_transition",
              "on_fill", "on_bar", "on_reload", "on_stop"});

  StrategySpec spec;
  spec.path = path;
  get_string(L, top, "name", path, "name", spec.name);
  lua_getfield(L, top, "market");
  if (lua_type(L, -1) != LUA_TTABLE)
    fail(path, "market", "required table (data, symbol, ltf, htf, file)");
  const int market = lua_gettop(L);
  check_keys(L, market, path, "market.", {"data", "symbol", "ltf", "htf", "file"});
  get_string(L, market, "data", path, "market.data", spec.data_plugin);
  if (!get_string(L, market, "symbol", path, "market.symbol", spec.symbol) || spec.symbol.empty())
    fail(path, "market.symbol", "required (e.g. \"ETHUSDT\")");
  spec.ltf_interval_ns = get_interval(L, market, "ltf", "1m", path, "market.ltf");
  spec.htf_interval_ns = get_interval(L, market, "htf", "5m", path, "market.htf");
  if (spec.htf_interval_ns % spec.ltf_interval_ns != 0)
    fail(path, "market.htf", "must be a multiple of market.ltf");
  get_string(L, market, "file", path, "market.file", spec.replay_file);

  get_string(L, top, "core", path, "core", spec.core_plugin);
  for (const char* group :
       {"structure", "bos", "pullback", "policy", "grid", "execution", "risk", "capital"})
    read_param_group(L, top, group, path, spec.core_params);
  if (spec.core_plugin.empty() && !spec.core_params.empty())
    fail(path, "core", "parameter groups are set but no core plugin is named (core = \"bos_mm\")");
  lua_settop(L, 0);
  spec.source_files.push_back(path);
  for (const std::string& module : lua.required_files()) spec.source_files.push_back(module);
  return spec;
}

}  // namespace mmh
