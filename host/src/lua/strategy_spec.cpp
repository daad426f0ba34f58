#include "lua/strategy_spec.hpp"

#include "lua/lua_state.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/regular_file.hpp>
#include <mmhost/sdk/suggest.hpp>

#include <lua.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>

namespace mmh {
namespace {

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
  std::string text;
  try {
    text = sdk::read_regular_file(path, LuaState::kMaxScriptBytes);
  } catch (const sdk::FileError&) {
    return 0;  // swapped for something else since it loaded: the message goes without a line
  }
  std::vector<std::string> lines;
  std::istringstream in(text);
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

// execution.reprice's text: true for "amend", false for "replace"; anything else is refused.
bool reprice_by_amend(const std::string& text) {
  if (text != "replace" && text != "amend")
    throw std::invalid_argument("must be \"replace\" or \"amend\", got '" + text + "'");
  return text == "amend";
}

// The host reads script tables raw; a metatable would make them say something else to the
// script than to the host (and an __index trap would run script code outside any call).
void check_plain(lua_State* L, int table, const std::string& path, const std::string& key) {
  if (lua_getmetatable(L, table) == 0) return;
  lua_pop(L, 1);
  fail(path, key, "must be a plain table (it has a metatable)");
}

void check_keys(lua_State* L, int table, const std::string& path, const std::string& prefix,
                const std::set<std::string>& known) {
  check_plain(L, table, path,
              prefix.empty() ? "strategy table" : prefix.substr(0, prefix.size() - 1));
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
// What the host copies out of a script is bounded: the script's memory is capped, the host's
// copies must be too.
constexpr size_t kMaxTextBytes = 4096;   // a string field or parameter value
constexpr size_t kMaxParameters = 1000;  // parameters over all groups
constexpr int kMaxListItems = 256;       // transitions, fact lists

// The string (or number, as text) at `index`, refused past kMaxTextBytes.
std::string bounded_text(lua_State* L, int index, const std::string& path,
                         const std::string& key_path) {
  size_t bytes = 0;
  const char* text = lua_tolstring(L, index, &bytes);
  if (bytes > kMaxTextBytes)
    fail(path, key_path, "longer than " + std::to_string(kMaxTextBytes) + " bytes");
  return std::string(text, bytes);
}

bool get_string(lua_State* L, int table, const char* key, const std::string& path,
                const std::string& key_path, std::string& out) {
  push_raw_field(L, table, key);
  const int type = lua_type(L, -1);
  bool present = false;
  if (type == LUA_TSTRING) {
    out = bounded_text(L, -1, path, key_path);
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

// Reads t[key] as a number; false when absent. Wrong types are errors.
bool get_number(lua_State* L, int table, const char* key, const std::string& path,
                const std::string& key_path, double& out) {
  push_raw_field(L, table, key);
  const int type = lua_type(L, -1);
  bool present = false;
  if (type == LUA_TNUMBER) {
    out = lua_tonumber(L, -1);
    present = true;
  } else if (type != LUA_TNIL) {
    const std::string got = lua_typename(L, type);
    lua_pop(L, 1);
    fail(path, key_path, "expected a number, got " + got);
  }
  lua_pop(L, 1);
  return present;
}

std::string number_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", value);
  return buf;
}

int64_t whole_in(const std::string& path, const std::string& key_path, double value, double low,
                 double high) {
  // The range check comes first: a double past int64 must not be converted to test wholeness.
  if (!(value >= low && value <= high) || value != std::floor(value))
    fail(path, key_path,
         "must be a whole number in [" + number_text(low) + ", " + number_text(high) + "], got " +
             number_text(value));
  return static_cast<int64_t>(value);
}

// A host field the script must give as a number (not text that looks like one, not a boolean):
// t[group][name], read raw (read_param_group has checked the group is a plain table).
double host_number(lua_State* L, int top, const char* group, const char* name,
                   const std::string& path) {
  const std::string key_path = std::string(group) + "." + name;
  push_raw_field(L, top, group);
  double value = 0;
  const bool present = get_number(L, lua_gettop(L), name, path, key_path, value);
  lua_pop(L, 1);
  if (!present) fail(path, key_path, "expected a number");
  return value;
}

// Flattens t[group] = { name = value, ... } into "group.name" -> text. Values are numbers,
// strings or booleans; the core plugin validates names and ranges.
void read_param_group(lua_State* L, int table, const char* group, const std::string& path,
                      std::map<std::string, std::string>& out) {
  push_raw_field(L, table, group);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return;
  }
  if (lua_type(L, -1) != LUA_TTABLE) fail(path, group, "expected a table of parameters");
  const int t = lua_gettop(L);
  check_plain(L, t, path, group);
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING)
      fail(path, std::string(group) + ".?", "parameter names must be strings");
    if (out.size() >= kMaxParameters)
      fail(path, group, "more than " + std::to_string(kMaxParameters) + " parameters");
    size_t name_bytes = 0;
    const char* name = lua_tolstring(L, -2, &name_bytes);
    if (name_bytes > 64) fail(path, std::string(group) + ".?", "parameter names are 1-64 bytes");
    const std::string key = std::string(group) + "." + std::string(name, name_bytes);
    const int type = lua_type(L, -1);
    if (type == LUA_TBOOLEAN) {
      out[key] = lua_toboolean(L, -1) ? "true" : "false";
    } else if (type == LUA_TNUMBER || type == LUA_TSTRING) {
      lua_pushvalue(L, -1);  // tostring on a copy: converting the original would upset lua_next
      out[key] = bounded_text(L, -1, path, key);
      lua_pop(L, 1);
    } else {
      fail(path, key,
           std::string("expected a number, string or boolean, got ") + lua_typename(L, type));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

// Takes a host field out of the flattened core parameters.
bool take(std::map<std::string, std::string>& params, const std::string& key, std::string& out) {
  auto it = params.find(key);
  if (it == params.end()) return false;
  out = it->second;
  params.erase(it);
  return true;
}

// A fact list: { "bearish_bos", "holding_base" } or "bearish_bos|holding_base".
std::string fact_list(lua_State* L, int index, const std::string& path,
                      const std::string& key_path) {
  if (lua_type(L, index) == LUA_TSTRING) return bounded_text(L, index, path, key_path);
  if (lua_type(L, index) != LUA_TTABLE)
    fail(path, key_path, "expected a list of fact names, e.g. { \"bearish_bos\" }");
  check_plain(L, index, path, key_path);
  std::string out;
  for (int i = 1;; ++i) {
    lua_rawgeti(L, index, i);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (lua_type(L, -1) != LUA_TSTRING) fail(path, key_path, "fact names must be strings");
    if (i > kMaxListItems || out.size() > kMaxTextBytes)
      fail(path, key_path,
           "more than " + std::to_string(kMaxListItems) + " facts or " +
               std::to_string(kMaxTextBytes) + " bytes");
    out += (out.empty() ? "" : "|") + std::string(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  return out;
}

// transitions = { { from = "mm", reason = "bearish_bos", all = {...}, ... }, ... } -> the
// core's edit text, in list order; `when` functions mark the edge scripted.
void read_transitions(lua_State* L, int table, const std::string& path, StrategySpec& spec) {
  push_raw_field(L, table, "transitions");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return;
  }
  if (lua_type(L, -1) != LUA_TTABLE)
    fail(path, "transitions", "expected a list of edge edits ({ from = ..., reason = ... })");
  const int list = lua_gettop(L);
  check_plain(L, list, path, "transitions");
  std::string edits;
  for (int i = 1;; ++i) {
    lua_rawgeti(L, list, i);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    const std::string at = "transitions[" + std::to_string(i) + "]";
    if (i > kMaxListItems)
      fail(path, "transitions", "more than " + std::to_string(kMaxListItems) + " edge edits");
    if (lua_type(L, -1) != LUA_TTABLE) fail(path, "transitions", at + " must be a table");
    const int edge = lua_gettop(L);
    check_keys(L, edge, path, at + ".",
               {"from", "reason", "to", "all", "none", "any", "when", "remove"});
    std::string from, reason, to;
    if (!get_string(L, edge, "from", path, at + ".from", from))
      fail(path, "transitions", at + ".from is required (idle, bos, rebalance, mm, exit)");
    if (!get_string(L, edge, "reason", path, at + ".reason", reason))
      fail(path, "transitions", at + ".reason is required (names the edge)");
    std::string edit = from + "." + reason + ":";
    push_raw_field(L, edge, "remove");
    const bool remove = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    if (remove) {
      edit += " off";
    } else {
      if (get_string(L, edge, "to", path, at + ".to", to)) edit += " to=" + to;
      for (const char* key : {"all", "none", "any"}) {
        push_raw_field(L, edge, key);
        if (!lua_isnil(L, -1))
          edit += std::string(" ") + key + "=" + fact_list(L, lua_gettop(L), path, at + "." + key);
        lua_pop(L, 1);
      }
      push_raw_field(L, edge, "when");
      if (lua_type(L, -1) == LUA_TFUNCTION) {
        edit += " script=true";
        spec.scripted_edges.push_back(from + "." + reason);
      } else if (!lua_isnil(L, -1)) {
        fail(path, "transitions", at + ".when must be a function(ctx) returning true or false");
      }
      lua_pop(L, 1);
    }
    edits += (edits.empty() ? "" : "; ") + edit;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (!edits.empty()) spec.core_params["transitions"] = edits;
}

}  // namespace

StrategySpec read_strategy_spec(lua_State* L, int top, const std::string& path) {
  if (lua_type(L, top) != LUA_TTABLE)
    throw ScriptError(path +
                      ": the script must return a strategy table (return mmhost.strategy{ ... })");
  static const char* const kCallbacks[] = {"on_start", "on_transition", "on_fill",
                                           "on_bar",   "on_reload",     "on_stop"};
  check_keys(
      L, top, path, "",
      {"name",     "description",   "core",    "market", "execution", "capital",     "structure",
       "bos",      "pullback",      "policy",  "grid",   "risk",      "transitions", "reload",
       "on_start", "on_transition", "on_fill", "on_bar", "on_reload", "on_stop"});

  StrategySpec spec;
  spec.path = path;
  get_string(L, top, "name", path, "name", spec.name);
  push_raw_field(L, top, "market");
  if (lua_type(L, -1) != LUA_TTABLE)
    fail(path, "market", "required table (data, symbol, ltf, htf, file, instrument)");
  const int market = lua_gettop(L);
  check_keys(L, market, path, "market.", {"data", "symbol", "ltf", "htf", "file", "instrument"});
  get_string(L, market, "data", path, "market.data", spec.data_plugin);
  if (!get_string(L, market, "symbol", path, "market.symbol", spec.symbol) || spec.symbol.empty())
    fail(path, "market.symbol", "required (e.g. \"ETHUSDT\")");
  // It ends up in exchange requests, topics and file names: the exchange's own alphabet only.
  if (spec.symbol.size() > 32 ||
      spec.symbol.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != std::string::npos)
    fail(path, "market.symbol", "must be 1-32 upper-case letters and digits (e.g. \"ETHUSDT\")");
  spec.ltf_interval_ns = get_interval(L, market, "ltf", "1m", path, "market.ltf");
  spec.htf_interval_ns = get_interval(L, market, "htf", "5m", path, "market.htf");
  if (spec.htf_interval_ns % spec.ltf_interval_ns != 0)
    fail(path, "market.htf", "must be a multiple of market.ltf");
  get_string(L, market, "file", path, "market.file", spec.replay_file);
  // The symbol's trading rules for a replay: decimal strings, as exchanges send them (a Lua
  // number would lose digits: 1e-06 is not a step anyone types).
  push_raw_field(L, market, "instrument");
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TTABLE)
      fail(path, "market.instrument",
           "expected a table { tick_size = \"0.01\", lot_size = \"0.00001\", ... }");
    const int ins = lua_gettop(L);
    check_plain(L, ins, path, "market.instrument");
    const char* fields[] = {"tick_size", "lot_size", "min_order_qty", "min_order_value"};
    check_keys(L, ins, path, "market.instrument.", {fields[0], fields[1], fields[2], fields[3]});
    for (const char* field : fields) {
      const std::string key = std::string("market.instrument.") + field;
      std::string text;
      if (!get_string(L, ins, field, path, key, text)) continue;
      try {
        const mmh_decimal d = sdk::decimal_from_text(text);
        int64_t e8 = 0;
        const bool step = std::string_view(field).find("_size") != std::string_view::npos;
        if (step && (!sdk::decimal_to_e8(d, e8) || e8 <= 0))
          fail(path, key, "must be a positive step of at most 8 decimals, got '" + text + "'");
      } catch (const std::invalid_argument& e) {
        fail(path, key, std::string("must be a decimal string like \"0.01\": ") + e.what());
      }
      spec.instrument[field] = text;
    }
    if (spec.instrument.count("tick_size") == 0 || spec.instrument.count("lot_size") == 0)
      fail(path, "market.instrument", "needs tick_size and lot_size (decimal strings)");
  }
  lua_pop(L, 1);
  lua_pop(L, 1);

  get_string(L, top, "core", path, "core", spec.core_plugin);
  push_raw_field(L, top, "policy");
  spec.policy_function = lua_type(L, -1) == LUA_TFUNCTION;
  lua_pop(L, 1);
  for (const char* group : {"structure", "bos", "pullback", "grid", "execution", "risk", "capital"})
    read_param_group(L, top, group, path, spec.core_params);
  if (!spec.policy_function) read_param_group(L, top, "policy", path, spec.core_params);
  read_transitions(L, top, path, spec);

  // Host fields inside the groups.
  auto& params = spec.core_params;
  take(params, "execution.venue", spec.venue_plugin);
  const size_t usdt = spec.symbol.size() > 4 ? spec.symbol.size() - 4 : 0;
  const bool quote_asset_set = take(params, "capital.quote_asset", spec.quote_asset);
  if (!quote_asset_set)
    spec.quote_asset = usdt > 0 && spec.symbol.compare(usdt, 4, "USDT") == 0 ? "USDT" : "";
  // A core needs to know which side of the pair is its capital.
  if ((quote_asset_set || !spec.core_plugin.empty()) &&
      (spec.quote_asset.empty() || spec.symbol.size() <= spec.quote_asset.size() ||
       spec.symbol.compare(spec.symbol.size() - spec.quote_asset.size(), std::string::npos,
                           spec.quote_asset) != 0))
    fail(path, "capital.quote_asset",
         "'" + spec.quote_asset + "' must be how market.symbol '" + spec.symbol + "' ends");
  std::string share;
  if (take(params, "capital.target_base_share", share)) {
    if (params.count("grid.target_base_share") != 0)
      fail(path, "capital.target_base_share",
           "set in capital and in grid; say it once (capital.target_base_share)");
    params["grid.target_base_share"] = share;
    spec.risk.target_base_share = std::strtod(share.c_str(), nullptr);  // where `reduce` heads
    spec.param_aliases["grid.target_base_share"] = "capital.target_base_share";
  }
  std::string text;
  if (take(params, "execution.replace_threshold_ticks", text))
    spec.replace_threshold_ticks = static_cast<int64_t>(
        whole_in(path, "execution.replace_threshold_ticks",
                 host_number(L, top, "execution", "replace_threshold_ticks", path), 0,
                 kMaxReplaceThresholdTicks));
  if (take(params, "execution.reprice", text)) {
    try {
      spec.reprice_by_amend = reprice_by_amend(text);
    } catch (const std::invalid_argument& e) {
      fail(path, "execution.reprice", e.what());
    }
  }
  if (take(params, "risk.on_script_error", text)) {
    if (text == "keep")
      spec.on_script_error = ScriptErrorAction::keep;
    else if (text == "stop_quoting")
      spec.on_script_error = ScriptErrorAction::stop_quoting;
    else
      fail(path, "risk.on_script_error",
           "must be \"keep\" or \"stop_quoting\", got '" + text + "'");
  }
  if (take(params, "risk.script_instructions", text))
    spec.limits.instructions_per_call =
        whole_in(path, "risk.script_instructions",
                 host_number(L, top, "risk", "script_instructions", path), 1e4, 1e10);
  if (take(params, "risk.script_memory_mib", text))
    spec.limits.memory_bytes = static_cast<size_t>(
        whole_in(path, "risk.script_memory_mib",
                 host_number(L, top, "risk", "script_memory_mib", path), 1, 4096)
        << 20);

  // The RiskGate's limits (risk/risk_gate.cpp lists them with their ranges). The host's own
  // limits are applied over these later, the tighter of each holding.
  for (const RiskLimitSpec& limit : risk_limit_specs()) {
    const std::string key = std::string("risk.") + limit.name;
    if (!take(params, key, text)) continue;
    const std::string error =
        set_risk_limit(spec.risk, limit.name, host_number(L, top, "risk", limit.name, path));
    if (!error.empty()) fail(path, key, error);
  }

  push_raw_field(L, top, "reload");
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TTABLE) fail(path, "reload", "expected a table (dry_run_bars)");
    const int reload = lua_gettop(L);
    check_keys(L, reload, path, "reload.", {"dry_run_bars"});
    double bars = 0;
    if (get_number(L, reload, "dry_run_bars", path, "reload.dry_run_bars", bars))
      spec.dry_run_bars = whole_in(path, "reload.dry_run_bars", bars, 0, 100000);
  }
  lua_pop(L, 1);

  for (const char* callback : kCallbacks) {
    push_raw_field(L, top, callback);
    if (lua_type(L, -1) == LUA_TFUNCTION)
      spec.callbacks.push_back(callback);
    else if (!lua_isnil(L, -1))
      fail(path, callback, std::string("expected a function, got ") + luaL_typename(L, -1));
    lua_pop(L, 1);
  }
  if (spec.core_plugin.empty() && (!params.empty() || spec.policy_function))
    fail(path, "core", "parameter groups are set but no core plugin is named (core = \"bos_mm\")");
  spec.source_files.push_back(path);
  return spec;
}

bool is_host_field(const std::string& name) {
  return name == "execution.replace_threshold_ticks" || name == "execution.reprice";
}

bool set_host_field(StrategySpec& spec, const std::string& name, const std::string& value) {
  if (!is_host_field(name)) return false;
  if (name == "execution.reprice") {
    try {
      spec.reprice_by_amend = reprice_by_amend(value);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(name + " " + e.what());
    }
    return true;
  }
  int64_t ticks = -1;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ticks);
  if (ec != std::errc() || end != value.data() + value.size() || ticks < 0 ||
      ticks > kMaxReplaceThresholdTicks)
    throw std::invalid_argument(name + " must be a whole number of ticks in [0, " +
                                std::to_string(kMaxReplaceThresholdTicks) + "], got '" + value +
                                "'");
  spec.replace_threshold_ticks = ticks;
  return true;
}

}  // namespace mmh
