#include "batch/batch_script.hpp"

#include "app/backtest_command.hpp"
#include "app/format.hpp"
#include "app/host_context.hpp"
#include "app/run_command.hpp"
#include "batch/batch_runner.hpp"
#include "batch/result_store.hpp"
#include "batch/search_space.hpp"
#include "lua/lua_state.hpp"
#include "lua/script_api.hpp"

#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <lua.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <set>

#if LUA_VERSION_NUM >= 502
#define MMH_LUA_LEN lua_rawlen
#else
#define MMH_LUA_LEN lua_objlen
#endif

namespace mmh::batch {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

char kContextKey;
const char* const kDataMeta = "mmhost.batch.data";

struct Context {
  HostContext* host;
  ResultStore* store;
  BatchRunner* runner;
  std::string script;
  std::string out_dir;
  std::vector<std::shared_ptr<const CandleSet>> data;  // userdata hold an index here
  bool interrupted = false;
};

Context& context(lua_State* L) {
  lua_pushlightuserdata(L, &kContextKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* c = static_cast<Context*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return *c;
}

// C++ failures become Lua errors at the script's calling line; no C++ object is alive when
// lua_error unwinds (PUC Lua longjmps).
template <int (*Impl)(lua_State*)>
int guarded(lua_State* L) {
  char message[2048];
  try {
    return Impl(L);
  } catch (const std::exception& e) {
    std::snprintf(message, sizeof(message), "%s", e.what());
  }
  return luaL_error(L, "%s", message);
}

size_t length(lua_State* L, int index) {
  return static_cast<size_t>(MMH_LUA_LEN(L, index));
}

int absolute(lua_State* L, int index) {
  return index < 0 ? lua_gettop(L) + index + 1 : index;
}

// A parameter value as the core reads it.
std::string value_text(lua_State* L, int index, const std::string& name) {
  switch (lua_type(L, index)) {
    case LUA_TNUMBER:
      return number_text(lua_tonumber(L, index));
    case LUA_TSTRING:
      return lua_tostring(L, index);
    case LUA_TBOOLEAN:
      return lua_toboolean(L, index) ? "true" : "false";
    default:
      throw std::invalid_argument("'" + name + "': values are numbers, strings or booleans, got " +
                                  luaL_typename(L, index));
  }
}

std::string field_string(lua_State* L, int table, const char* key, const std::string& fallback) {
  lua_getfield(L, table, key);
  std::string out = fallback;
  if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)
    out = lua_tostring(L, -1);
  else if (!lua_isnil(L, -1))
    throw std::invalid_argument(std::string("'") + key + "' must be a string");
  lua_pop(L, 1);
  return out;
}

double field_number(lua_State* L, int table, const char* key, double fallback) {
  lua_getfield(L, table, key);
  double out = fallback;
  if (lua_type(L, -1) == LUA_TNUMBER)
    out = lua_tonumber(L, -1);
  else if (!lua_isnil(L, -1))
    throw std::invalid_argument(std::string("'") + key + "' must be a number");
  lua_pop(L, 1);
  return out;
}

int64_t field_time(lua_State* L, int table, const char* key, int64_t fallback) {
  const std::string text = field_string(L, table, key, "");
  if (text.empty()) return fallback;
  try {
    return parse_utc_date_ns(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("'") + key + "': " + e.what());
  }
}

void check_keys(lua_State* L, int table, const char* what,
                std::initializer_list<const char*> keys) {
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    lua_pop(L, 1);
    const char* k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : nullptr;
    bool known = false;
    for (const char* allowed : keys)
      known = known || (k != nullptr && std::strcmp(k, allowed) == 0);
    if (!known) {
      std::string list;
      for (const char* allowed : keys) list += (list.empty() ? "" : ", ") + std::string(allowed);
      const std::string name = k != nullptr ? k : std::string("(") + luaL_typename(L, -1) + ")";
      lua_pop(L, 1);
      throw std::invalid_argument(std::string(what) + ": unknown key '" + name +
                                  "' (known: " + list + ")");
    }
  }
}

const CandleSet& data_arg(lua_State* L, int index, std::shared_ptr<const CandleSet>* out) {
  auto* id = static_cast<size_t*>(luaL_testudata(L, index, kDataMeta));
  if (id == nullptr) throw std::invalid_argument("'data' must be what mmhost.data.load returned");
  Context& c = context(L);
  if (out != nullptr) *out = c.data.at(*id);
  return *c.data.at(*id);
}

ParamSet set_from_table(lua_State* L, int index) {
  index = absolute(L, index);
  if (!lua_istable(L, index)) throw std::invalid_argument("a parameter set must be a table");
  ParamSet set;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      throw std::invalid_argument("parameter names are strings like \"grid.step_atr\"");
    }
    const std::string name = lua_tostring(L, -2);
    set[name] = value_text(L, -1, name);
    lua_pop(L, 1);
  }
  return set;
}

void push_set(lua_State* L, const ParamSet& set) {
  lua_createtable(L, 0, static_cast<int>(set.size()));
  for (const auto& [k, v] : set) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (!v.empty() && end != nullptr && *end == '\0')
      lua_pushnumber(L, d);
    else
      lua_pushstring(L, v.c_str());
    lua_setfield(L, -2, k.c_str());
  }
}

// Summary values: exact decimal strings become numbers (results are for ranking; the exact
// text stays in the database); hashes stay text.
void push_json(lua_State* L, const json& j, const std::string& key) {
  switch (j.type()) {
    case json::value_t::object:
      lua_createtable(L, 0, static_cast<int>(j.size()));
      for (const auto& [k, v] : j.items()) {
        push_json(L, v, k);
        lua_setfield(L, -2, k.c_str());
      }
      return;
    case json::value_t::array:
      lua_createtable(L, static_cast<int>(j.size()), 0);
      for (size_t i = 0; i < j.size(); ++i) {
        push_json(L, j[i], key);
        lua_rawseti(L, -2, static_cast<int>(i + 1));
      }
      return;
    case json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      const bool textual = key.find("hash") != std::string::npos || key == "sha256";
      if (const std::optional<double> d = textual ? std::nullopt : decimal_number(s))
        lua_pushnumber(L, *d);
      else
        lua_pushstring(L, s.c_str());
      return;
    }
    case json::value_t::boolean:
      lua_pushboolean(L, j.get<bool>() ? 1 : 0);
      return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      lua_pushnumber(L, j.get<double>());
      return;
    default:
      lua_pushnil(L);
      return;
  }
}

void push_record(lua_State* L, const RunRecord& r, bool cached) {
  const json summary =
      r.summary_json.empty() ? json::object() : json::parse(r.summary_json, nullptr, false);
  if (summary.is_object())
    push_json(L, summary, "");
  else
    lua_newtable(L);
  const json params = json::parse(r.params_json, nullptr, false);
  ParamSet set;
  if (params.is_object())
    for (const auto& [k, v] : params.items()) set[k] = v.is_string() ? v.get<std::string>() : "";
  push_set(L, set);
  lua_setfield(L, -2, "params");
  for (const auto& [k, v] : {std::pair{"key", &r.key},
                             {"label", &r.label},
                             {"status", &r.status},
                             {"strategy", &r.strategy},
                             {"start", &r.window_start},
                             {"end", &r.window_end}}) {
    lua_pushstring(L, v->c_str());
    lua_setfield(L, -2, k);
  }
  if (!r.error.empty()) {
    lua_pushstring(L, r.error.c_str());
    lua_setfield(L, -2, "error");
  }
  lua_pushboolean(L, cached ? 1 : 0);
  lua_setfield(L, -2, "cached");
  lua_pushnumber(L, r.wall_ms);
  lua_setfield(L, -2, "wall_ms");
}

// --- functions -------------------------------------------------------------------------------

int range_impl(lua_State* L) {
  const std::vector<double> values =
      value_range(luaL_checknumber(L, 1), luaL_checknumber(L, 2), luaL_checknumber(L, 3));
  lua_createtable(L, static_cast<int>(values.size()), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    lua_pushnumber(L, values[i]);
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  return 1;
}

int data_index(lua_State* L) {
  std::shared_ptr<const CandleSet> set;
  data_arg(L, 1, &set);
  const std::string key = luaL_checkstring(L, 2);
  if (key == "file")
    lua_pushstring(L, set->file.c_str());
  else if (key == "bars")
    lua_pushnumber(L, static_cast<double>(set->bars.size()));
  else if (key == "first")
    lua_pushstring(L, iso_time(set->bars.front().open_ts_ns).c_str());
  else if (key == "last")
    lua_pushstring(L, iso_time(set->bars.back().open_ts_ns).c_str());
  else if (key == "interval")
    lua_pushstring(L, sdk::format_interval(set->interval_ns).c_str());
  else if (key == "hash")
    lua_pushstring(L, set->hash.c_str());
  else
    lua_pushnil(L);
  return 1;
}

int data_load_impl(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  check_keys(L, 1, "mmhost.data.load", {"file", "start", "end"});
  const std::string file = field_string(L, 1, "file", "");
  if (file.empty()) throw std::invalid_argument("mmhost.data.load: 'file' is required");
  if (!fs::exists(file))
    throw std::invalid_argument("mmhost.data.load: " + file +
                                ": no such file (paths are relative to where mmhost runs)");
  const int64_t start = field_time(L, 1, "start", INT64_MIN);
  const int64_t end = field_time(L, 1, "end", INT64_MAX);
  Context& c = context(L);
  c.data.push_back(load_candles(*c.host, file, start, end));
  auto* id = static_cast<size_t*>(lua_newuserdata(L, sizeof(size_t)));
  *id = c.data.size() - 1;
  luaL_getmetatable(L, kDataMeta);
  lua_setmetatable(L, -2);
  return 1;
}

int data_exists_impl(lua_State* L) {
  lua_pushboolean(L, fs::is_regular_file(luaL_checkstring(L, 1)) ? 1 : 0);
  return 1;
}

int grid_impl(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  std::map<std::string, std::vector<std::string>> dims;
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1)) {
      lua_pop(L, 2);
      throw std::invalid_argument(
          "mmhost.batch.grid: give {[\"group.name\"] = {values...}, ...} (see mmhost.range)");
    }
    const std::string name = lua_tostring(L, -2);
    const int values = absolute(L, -1);
    std::vector<std::string>& out = dims[name];
    for (size_t i = 1; i <= length(L, values); ++i) {
      lua_rawgeti(L, values, static_cast<int>(i));
      out.push_back(value_text(L, -1, name));
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  const std::vector<ParamSet> sets = grid_sets(dims);
  lua_createtable(L, static_cast<int>(sets.size()), 0);
  for (size_t i = 0; i < sets.size(); ++i) {
    push_set(L, sets[i]);
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  return 1;
}

int dimension(lua_State* L, const char* kind) {
  if (std::strcmp(kind, "choice") == 0) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_newtable(L);
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "choices");
  } else {
    const lua_Number lo = luaL_checknumber(L, 1);
    const lua_Number hi = luaL_checknumber(L, 2);
    const lua_Number step = luaL_optnumber(L, 3, 0);
    lua_newtable(L);
    lua_pushnumber(L, lo);
    lua_setfield(L, -2, "lo");
    lua_pushnumber(L, hi);
    lua_setfield(L, -2, "hi");
    lua_pushnumber(L, step);
    lua_setfield(L, -2, "step");
  }
  lua_pushstring(L, kind);
  lua_setfield(L, -2, "dimension");
  return 1;
}
int uniform_fn(lua_State* L) {
  return dimension(L, "uniform");
}
int integer_fn(lua_State* L) {
  return dimension(L, "integer");
}
int choice_fn(lua_State* L) {
  return dimension(L, "choice");
}

Space space_arg(lua_State* L, int table) {
  lua_getfield(L, table, "space");
  if (!lua_istable(L, -1))
    throw std::invalid_argument(
        "'space' must be a table of dimensions: {[\"grid.step_atr\"] = "
        "mmhost.batch.uniform(0.1, 0.5), ...}");
  const int t = absolute(L, -1);
  Space space;
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    const std::string name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
    const int d = absolute(L, -1);
    if (!lua_istable(L, d)) throw std::invalid_argument("space '" + name + "': not a dimension");
    const std::string kind = field_string(L, d, "dimension", "");
    Dimension dim;
    if (kind == "choice") {
      dim.kind = Dimension::choice;
      lua_getfield(L, d, "choices");
      const int choices = absolute(L, -1);
      for (size_t i = 1; i <= length(L, choices); ++i) {
        lua_rawgeti(L, choices, static_cast<int>(i));
        dim.choices.push_back(value_text(L, -1, name));
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    } else if (kind == "uniform" || kind == "integer") {
      dim.kind = kind == "uniform" ? Dimension::uniform : Dimension::integer;
      dim.lo = field_number(L, d, "lo", 0);
      dim.hi = field_number(L, d, "hi", 0);
      dim.step = field_number(L, d, "step", 0);
    } else {
      throw std::invalid_argument("space '" + name +
                                  "': use mmhost.batch.uniform, .integer or .choice");
    }
    space[name] = dim;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  check_space(space);
  return space;
}

int random_impl(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  check_keys(L, 1, "mmhost.batch.random", {"space", "n", "seed"});
  const Space space = space_arg(L, 1);
  const double n = field_number(L, 1, "n", 0);
  if (n < 1 || n > 1e6 || n != std::floor(n))
    throw std::invalid_argument("mmhost.batch.random: 'n' must be a whole number in [1, 1e6]");
  const auto seed = static_cast<uint64_t>(field_number(L, 1, "seed", 1));
  const std::vector<ParamSet> sets = random_sets(space, static_cast<size_t>(n), seed);
  lua_createtable(L, static_cast<int>(sets.size()), 0);
  for (size_t i = 0; i < sets.size(); ++i) {
    push_set(L, sets[i]);
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  return 1;
}

// The run options shared by run{} and nsga2{}.
BatchJob job_template(lua_State* L, int t) {
  BatchJob job;
  job.strategy = field_string(L, t, "strategy", "");
  if (job.strategy.empty()) throw std::invalid_argument("'strategy' (a script path) is required");
  if (!fs::exists(job.strategy)) throw std::invalid_argument(job.strategy + ": no such file");
  lua_getfield(L, t, "data");
  if (lua_isnil(L, -1)) throw std::invalid_argument("'data' (mmhost.data.load{...}) is required");
  data_arg(L, -1, &job.data);
  lua_pop(L, 1);
  job.label = field_string(L, t, "label", "");
  job.start_ns = field_time(L, t, "start", INT64_MIN);
  job.end_ns = field_time(L, t, "end", INT64_MAX);
  if (job.start_ns >= job.end_ns) throw std::invalid_argument("'start' must be before 'end'");
  BacktestOptions& o = job.options;
  o.htf_interval = field_string(L, t, "htf", "");
  o.fill_model = field_string(L, t, "fill_model", "candle");
  if (o.fill_model != "candle")
    throw std::invalid_argument(
        "fill_model: batches run the candle model (trade and book "
        "streams are not shared yet)");
  o.fees = field_string(L, t, "fees", "");
  o.latency_ms = field_string(L, t, "latency_ms", "");
  o.slippage = field_string(L, t, "slippage", "");
  o.seed = static_cast<uint64_t>(field_number(L, t, "seed", 1));
  backtest_run_options(o);  // checks the options once, here, with the script's line
  return job;
}

void push_results(lua_State* L, const std::vector<RunRecord>& records,
                  const std::vector<bool>& cached) {
  lua_createtable(L, static_cast<int>(records.size()), 0);
  int n = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].status.empty()) continue;  // interrupted before it ran
    push_record(L, records[i], cached[i]);
    lua_rawseti(L, -2, ++n);
  }
}

std::vector<RunRecord> run_jobs(lua_State* L, const std::vector<BatchJob>& jobs,
                                std::vector<bool>& cached) {
  Context& c = context(L);
  bool interrupted = false;
  std::vector<RunRecord> records = c.runner->run(jobs, interrupted, &cached);
  if (interrupted) {
    c.interrupted = true;
    throw std::runtime_error("interrupted (finished runs are kept in the database)");
  }
  return records;
}

int run_impl(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  check_keys(L, 1, "mmhost.batch.run",
             {"strategy", "data", "sets", "label", "start", "end", "htf", "fill_model", "fees",
              "latency_ms", "slippage", "seed"});
  const BatchJob base = job_template(L, 1);
  lua_getfield(L, 1, "sets");
  if (!lua_istable(L, -1))
    throw std::invalid_argument("'sets' must be a list of parameter sets (mmhost.batch.grid)");
  const int sets = absolute(L, -1);
  std::vector<BatchJob> jobs;
  for (size_t i = 1; i <= length(L, sets); ++i) {
    lua_rawgeti(L, sets, static_cast<int>(i));
    BatchJob job = base;
    try {
      job.params = set_from_table(L, -1);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("sets[" + std::to_string(i) + "]: " + e.what());
    }
    lua_pop(L, 1);
    jobs.push_back(std::move(job));
  }
  lua_pop(L, 1);
  std::vector<bool> cached;
  const std::vector<RunRecord> records = run_jobs(L, jobs, cached);
  push_results(L, records, cached);
  return 1;
}

// The value of a metric path ("net_pnl", "fills.total") in a summary; NaN when absent.
double metric_value(const json& summary, const std::string& path) {
  const json* at = &summary;
  size_t from = 0;
  while (true) {
    const size_t dot = path.find('.', from);
    const std::string part = path.substr(from, dot == std::string::npos ? dot : dot - from);
    if (!at->is_object() || !at->contains(part)) return std::nan("");
    at = &(*at)[part];
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  if (at->is_number()) return at->get<double>();
  if (at->is_object() && at->contains("total")) return metric_value(*at, "total");
  if (at->is_string()) return decimal_number(at->get_ref<const std::string&>()).value_or(NAN);
  return std::nan("");
}

// {min_fills = 10, max_max_drawdown_pct = 20, ...}: min_/max_ + a metric path.
struct Constraint {
  std::string metric;
  bool is_min = true;
  double bound = 0;
};
std::vector<Constraint> constraints_arg(lua_State* L, int table, const char* key) {
  std::vector<Constraint> out;
  lua_getfield(L, table, key);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return out;
  }
  if (!lua_istable(L, -1))
    throw std::invalid_argument(std::string("'") + key + "' must be a table");
  const int t = absolute(L, -1);
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    const std::string name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
    if ((name.rfind("min_", 0) != 0 && name.rfind("max_", 0) != 0) || !lua_isnumber(L, -1))
      throw std::invalid_argument(std::string("'") + key +
                                  "': entries are min_<metric> = number "
                                  "or max_<metric> = number, got '" +
                                  name + "'");
    out.push_back({name.substr(4), name[1] == 'i', lua_tonumber(L, -1)});
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return out;
}

bool feasible(const RunRecord& r, const json& summary, const std::vector<Constraint>& cs) {
  if (r.status != "ok") return false;
  for (const Constraint& c : cs) {
    const double v = metric_value(summary, c.metric);
    if (std::isnan(v) || (c.is_min ? v < c.bound : v > c.bound)) return false;
  }
  return true;
}

int nsga2_impl(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  check_keys(
      L, 1, "mmhost.batch.nsga2",
      {"strategy", "data", "space", "objectives", "constraints", "population", "generations",
       "seed", "label", "start", "end", "htf", "fill_model", "fees", "latency_ms", "slippage"});
  const BatchJob base = job_template(L, 1);
  const Space space = space_arg(L, 1);
  std::vector<Objective> objectives;
  lua_getfield(L, 1, "objectives");
  if (!lua_istable(L, -1) || length(L, -1) < 1)
    throw std::invalid_argument("'objectives' must list metrics: {\"net_pnl:max\", ...}");
  for (size_t i = 1; i <= length(L, -1); ++i) {
    lua_rawgeti(L, -1, static_cast<int>(i));
    objectives.push_back(parse_objective(luaL_checkstring(L, -1)));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  const std::vector<Constraint> cs = constraints_arg(L, 1, "constraints");
  const double population = field_number(L, 1, "population", 24);
  const double generations = field_number(L, 1, "generations", 6);
  if (population < 4 || population > 10000 || generations < 1 || generations > 1000)
    throw std::invalid_argument("'population' must be in [4, 10000], 'generations' in [1, 1000]");
  const auto pop = static_cast<size_t>(population);
  Rng rng(static_cast<uint64_t>(field_number(L, 1, "seed", 1)));

  std::vector<RunRecord> all;
  std::vector<bool> all_cached;
  std::vector<std::vector<double>> genes;  // unit-cube points of all
  std::vector<std::vector<double>> values;
  std::vector<bool> ok;
  auto evaluate = [&](const std::vector<std::vector<double>>& points, int generation) {
    std::vector<BatchJob> jobs;
    for (const auto& p : points) {
      BatchJob job = base;
      job.params = decode(space, p);
      if (job.label.empty()) job.label = "nsga2";
      job.label += "/g" + std::to_string(generation);
      jobs.push_back(std::move(job));
    }
    std::vector<bool> cached;
    std::vector<RunRecord> records = run_jobs(L, jobs, cached);
    for (size_t i = 0; i < records.size(); ++i) {
      const json summary = records[i].summary_json.empty()
                               ? json::object()
                               : json::parse(records[i].summary_json, nullptr, false);
      std::vector<double> v;
      for (const Objective& o : objectives) v.push_back(metric_value(summary, o.metric));
      bool fine = feasible(records[i], summary, cs);
      for (double x : v) fine = fine && !std::isnan(x);
      for (double& x : v)
        if (std::isnan(x)) x = 0;
      // Decoded values are snapped to the grid of the space: encode them back.
      genes.push_back(encode(space, jobs[i].params));
      values.push_back(std::move(v));
      ok.push_back(fine);
      all.push_back(std::move(records[i]));
      all_cached.push_back(cached[i]);
    }
  };
  std::vector<std::vector<double>> first;
  for (const ParamSet& s : random_sets(space, pop, rng.next())) first.push_back(encode(space, s));
  evaluate(first, 0);
  std::vector<size_t> parents(all.size());
  for (size_t i = 0; i < parents.size(); ++i) parents[i] = i;
  for (int g = 1; g <= static_cast<int>(generations); ++g) {
    // Ranks and crowding of the parents, for the tournaments.
    std::vector<std::vector<double>> pv;
    std::vector<bool> pf;
    std::vector<std::vector<double>> pg;
    for (size_t i : parents) {
      pv.push_back(values[i]);
      pf.push_back(ok[i]);
      pg.push_back(genes[i]);
    }
    std::vector<size_t> rank(parents.size(), 0);
    std::vector<double> crowd(parents.size(), 0);
    const auto fronts = non_dominated_fronts(pv, objectives, pf);
    for (size_t f = 0; f < fronts.size(); ++f) {
      const std::vector<double> d = crowding_distance(pv, fronts[f]);
      for (size_t k = 0; k < fronts[f].size(); ++k) {
        rank[fronts[f][k]] = f;
        crowd[fronts[f][k]] = d[k];
      }
    }
    const size_t offset = all.size();
    evaluate(nsga2_offspring(pg, rank, crowd, pop, rng), g);
    // Survivors from parents + children.
    std::vector<size_t> pool = parents;
    for (size_t i = offset; i < all.size(); ++i) pool.push_back(i);
    std::vector<std::vector<double>> qv;
    std::vector<bool> qf;
    for (size_t i : pool) {
      qv.push_back(values[i]);
      qf.push_back(ok[i]);
    }
    std::vector<size_t> next;
    for (size_t k : nsga2_select(qv, objectives, qf, pop)) next.push_back(pool[k]);
    parents = std::move(next);
  }
  // Results: every evaluated run; front: the non-dominated feasible runs of all of them.
  lua_newtable(L);
  push_results(L, all, all_cached);
  lua_setfield(L, -2, "results");
  lua_newtable(L);
  const auto fronts = non_dominated_fronts(values, objectives, ok);
  int n = 0;
  std::set<std::string> listed;  // a set evaluated twice is one run
  if (!fronts.empty())
    for (size_t i : fronts[0]) {
      if (!ok[i] || !listed.insert(all[i].key).second) continue;
      push_record(L, all[i], all_cached[i]);
      lua_rawseti(L, -2, ++n);
    }
  lua_setfield(L, -2, "front");
  return 1;
}

int windows_impl(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  check_keys(L, 1, "mmhost.batch.windows", {"data", "train", "test", "step", "start", "end"});
  lua_getfield(L, 1, "data");
  const CandleSet& data = data_arg(L, -1, nullptr);
  lua_pop(L, 1);
  auto span = [&](const char* key, const char* fallback) {
    const std::string text = field_string(L, 1, key, fallback);
    const int64_t ns = sdk::parse_interval_ns(text);
    if (ns <= 0)
      throw std::invalid_argument(std::string("'") + key + "': '" + text +
                                  "' is not a duration (30d, 12h, 90m)");
    return ns;
  };
  const int64_t train = span("train", "");
  const int64_t test = span("test", "");
  const int64_t step = span("step", field_string(L, 1, "test", "").c_str());
  const int64_t begin = field_time(L, 1, "start", data.bars.front().open_ts_ns);
  const int64_t end = field_time(L, 1, "end", data.bars.back().open_ts_ns + data.interval_ns);
  lua_newtable(L);
  int n = 0;
  for (int64_t at = begin; at + train + test <= end; at += step) {
    lua_newtable(L);
    const std::pair<const char*, int64_t> fields[] = {{"train_start", at},
                                                      {"train_end", at + train},
                                                      {"test_start", at + train},
                                                      {"test_end", at + train + test}};
    for (const auto& [k, v] : fields) {
      lua_pushstring(L, iso_time(v).substr(0, 16).c_str());
      lua_setfield(L, -2, k);
    }
    lua_rawseti(L, -2, ++n);
  }
  if (n == 0) throw std::invalid_argument("no window fits: train + test is longer than the data");
  return 1;
}

// _fronts(values, maximize): values[i] = {v1, v2, ...} (nil/NaN = infeasible) -> fronts of
// 1-based indices.
int fronts_impl(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  std::vector<Objective> objectives;
  for (size_t k = 1; k <= length(L, 2); ++k) {
    lua_rawgeti(L, 2, static_cast<int>(k));
    objectives.push_back({"", lua_toboolean(L, -1) != 0});
    lua_pop(L, 1);
  }
  std::vector<std::vector<double>> values;
  std::vector<bool> ok;
  for (size_t i = 1; i <= length(L, 1); ++i) {
    lua_rawgeti(L, 1, static_cast<int>(i));
    std::vector<double> v;
    bool fine = lua_istable(L, -1);
    for (size_t k = 1; k <= objectives.size(); ++k) {
      double x = std::nan("");
      if (fine) {
        lua_rawgeti(L, -1, static_cast<int>(k));
        if (lua_isnumber(L, -1)) x = lua_tonumber(L, -1);
        lua_pop(L, 1);
      }
      fine = fine && !std::isnan(x);
      v.push_back(std::isnan(x) ? 0 : x);
    }
    lua_pop(L, 1);
    values.push_back(std::move(v));
    ok.push_back(fine);
  }
  const auto fronts = non_dominated_fronts(values, objectives, ok);
  lua_newtable(L);
  int n = 0;
  for (const auto& front : fronts) {
    lua_newtable(L);
    int m = 0;
    for (size_t i : front) {
      if (!ok[i]) continue;
      lua_pushnumber(L, static_cast<double>(i + 1));
      lua_rawseti(L, -2, ++m);
    }
    if (m == 0) {
      lua_pop(L, 1);
      continue;
    }
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

int save_csv_impl(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const std::string name = luaL_checkstring(L, 2);
  Context& c = context(L);
  if (name.empty() || name.find("..") != std::string::npos || name.front() == '/')
    throw std::invalid_argument("save_csv: give a file name inside the output directory");
  std::vector<RunRecord> rows;
  for (size_t i = 1; i <= length(L, 1); ++i) {
    lua_rawgeti(L, 1, static_cast<int>(i));
    const std::string key = lua_istable(L, -1) ? field_string(L, lua_gettop(L), "key", "") : "";
    lua_pop(L, 1);
    if (key.empty()) continue;
    if (std::optional<RunRecord> r = c.store->find(key)) rows.push_back(std::move(*r));
  }
  const fs::path path = fs::path(c.out_dir) / name;
  std::ostringstream csv;
  write_csv(rows, csv);
  sdk::TempOutput out(path.string());  // whole or not at all, over a regular file only
  const std::string text = csv.str();
  out.write(text.data(), text.size());
  out.commit();
  lua_pushstring(L, path.string().c_str());
  return 1;
}

int out_dir_fn(lua_State* L) {
  lua_pushstring(L, context(L).out_dir.c_str());
  return 1;
}

// The table helpers, in Lua: rank, filter, best, pareto, print.
const char* const kPrelude = R"LUA(
local batch = mmhost.batch
local fronts = batch._fronts
batch._fronts = nil

-- r.net_pnl, r["fills.total"] (nested path), r["params.grid.step_atr"]
local function metric(r, path)
  if path:sub(1, 7) == "params." then
    local v = r.params and r.params[path:sub(8)]
    return v
  end
  local v = r
  for part in path:gmatch("[^%.]+") do
    if type(v) ~= "table" then return nil end
    v = v[part]
  end
  if type(v) == "table" and v.total ~= nil then v = v.total end
  return v
end
batch.metric = metric

local function ok_number(r, path)
  if r.status ~= "ok" then return nil end
  local v = metric(r, path)
  if type(v) == "number" and v == v then return v end
  return nil
end

function batch.rank(results, path, order)
  if type(results) ~= "table" or type(path) ~= "string" then
    error("rank(results, metric[, \"desc\"|\"asc\"])", 2)
  end
  order = order or "desc"
  if order ~= "desc" and order ~= "asc" then error("rank: order is \"desc\" or \"asc\"", 2) end
  local out = {}
  for i, r in ipairs(results) do out[i] = r end
  local pos = {}
  for i, r in ipairs(out) do pos[r] = i end
  table.sort(out, function(a, b)
    local x, y = ok_number(a, path), ok_number(b, path)
    if x == nil and y == nil then return pos[a] < pos[b] end
    if x == nil then return false end
    if y == nil then return true end
    if x == y then return pos[a] < pos[b] end
    if order == "desc" then return x > y end
    return x < y
  end)
  return out
end

local function check(r, constraints)
  if r.status ~= "ok" then return false end
  for k, bound in pairs(constraints or {}) do
    local kind, path = k:sub(1, 4), k:sub(5)
    local v = ok_number(r, path)
    if kind ~= "min_" and kind ~= "max_" then
      error("constraints are min_<metric> or max_<metric>, got '" .. k .. "'", 3)
    end
    if v == nil then return false end
    if kind == "min_" and v < bound then return false end
    if kind == "max_" and v > bound then return false end
  end
  return true
end

function batch.filter(results, constraints)
  local out = {}
  for _, r in ipairs(results) do
    if check(r, constraints) then out[#out + 1] = r end
  end
  return out
end

function batch.best(results, path, order)
  return batch.rank(batch.filter(results, {}), path, order)[1]
end

-- The non-dominated runs for objectives {"net_pnl:max", "max_drawdown_pct:min"}.
function batch.pareto(results, objectives, constraints)
  if type(objectives) ~= "table" or #objectives < 2 then
    error("pareto(results, {\"metric:max\", \"metric:min\", ...}[, constraints])", 2)
  end
  local paths, maximize = {}, {}
  for i, o in ipairs(objectives) do
    local path, sense = o:match("^(.-):(%a+)$")
    if path == nil then path, sense = o, "max" end
    if sense ~= "max" and sense ~= "min" then error("objective '" .. o .. "': :max or :min", 2) end
    paths[i], maximize[i] = path, sense == "max"
  end
  local values = {}
  for i, r in ipairs(results) do
    local v = false
    if check(r, constraints) then
      v = {}
      for k, path in ipairs(paths) do v[k] = ok_number(r, path) end
    end
    values[i] = v
  end
  local f = fronts(values, maximize)[1] or {}
  local out = {}
  for i, index in ipairs(f) do out[i] = results[index] end
  table.sort(out, function(a, b) return ok_number(a, paths[1]) > ok_number(b, paths[1]) end)
  return out
end

local function cell(v)
  if v == nil then return "-" end
  if type(v) == "number" then
    if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
    return string.format("%.4f", v)
  end
  return tostring(v)
end

-- An aligned table: columns are metric paths or "params.<name>"; default all params + main metrics.
function batch.print(results, columns, limit)
  if type(results) ~= "table" then error("print(results[, columns][, limit])", 2) end
  if columns == nil then
    columns = {}
    local names = {}
    for name in pairs((results[1] or {}).params or {}) do names[#names + 1] = name end
    table.sort(names)
    for _, name in ipairs(names) do columns[#columns + 1] = "params." .. name end
    for _, m in ipairs({"net_pnl", "return_pct", "max_drawdown_pct", "fills.total"}) do
      columns[#columns + 1] = m
    end
  end
  limit = limit or #results
  local rows = {{"#"}}
  for _, c in ipairs(columns) do rows[1][#rows[1] + 1] = c:gsub("^params%.", "") end
  for i = 1, math.min(limit, #results) do
    local r = results[i]
    local row = {tostring(i)}
    for _, c in ipairs(columns) do
      if r.status ~= "ok" and c:sub(1, 7) ~= "params." then
        row[#row + 1] = "failed"
      else
        row[#row + 1] = cell(metric(r, c))
      end
    end
    rows[#rows + 1] = row
  end
  local width = {}
  for _, row in ipairs(rows) do
    for k, v in ipairs(row) do width[k] = math.max(width[k] or 0, #v) end
  end
  for _, row in ipairs(rows) do
    local parts = {}
    for k, v in ipairs(row) do parts[k] = string.rep(" ", width[k] - #v) .. v end
    print(table.concat(parts, "  "))
  end
  if #results > limit then print(string.format("(%d more)", #results - limit)) end
end
)LUA";

}  // namespace

BatchScriptResult run_batch_script(const std::string& path, HostContext& host, ResultStore& store,
                                   BatchRunner& runner, const std::string& out_dir) {
  if (!fs::exists(path)) throw RunError(path + ": no such file");
  LuaLimits limits;
  limits.memory_bytes = size_t{1} << 30;
  limits.instructions_per_call = 2'000'000'000;
  LuaState lua(limits);
  lua_State* L = lua.get();
  Context c{&host, &store, &runner, path, out_dir, {}, false};
  lua_pushlightuserdata(L, &kContextKey);
  lua_pushlightuserdata(L, &c);
  lua_rawset(L, LUA_REGISTRYINDEX);
  install_script_api(lua, nullptr, fs::path(path).filename().string());

  luaL_newmetatable(L, kDataMeta);
  lua_pushcfunction(L, guarded<data_index>);
  lua_setfield(L, -2, "__index");
  lua_pushstring(L, "batch data");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);

  lua_getglobal(L, "mmhost");
  lua_pushcfunction(L, guarded<range_impl>);
  lua_setfield(L, -2, "range");
  lua_newtable(L);
  lua_pushcfunction(L, guarded<data_load_impl>);
  lua_setfield(L, -2, "load");
  lua_pushcfunction(L, guarded<data_exists_impl>);
  lua_setfield(L, -2, "exists");
  lua_setfield(L, -2, "data");
  lua_newtable(L);
  const std::pair<const char*, lua_CFunction> fns[] = {{"grid", guarded<grid_impl>},
                                                       {"random", guarded<random_impl>},
                                                       {"uniform", uniform_fn},
                                                       {"integer", integer_fn},
                                                       {"choice", choice_fn},
                                                       {"run", guarded<run_impl>},
                                                       {"nsga2", guarded<nsga2_impl>},
                                                       {"windows", guarded<windows_impl>},
                                                       {"_fronts", guarded<fronts_impl>},
                                                       {"save_csv", guarded<save_csv_impl>},
                                                       {"out_dir", out_dir_fn}};
  for (const auto& [name, fn] : fns) {
    lua_pushcfunction(L, fn);
    lua_setfield(L, -2, name);
  }
  lua_setfield(L, -2, "batch");
  lua_pop(L, 1);

  if (luaL_loadbuffer(L, kPrelude, std::strlen(kPrelude), "=batch-prelude") != 0)
    throw std::logic_error(std::string("batch prelude: ") + lua_tostring(L, -1));
  lua.protected_call(0, 0);
  try {
    lua.run_file(path, 0);
  } catch (const ScriptError&) {
    if (c.interrupted) return {true};
    throw;
  }
  return {false};
}

}  // namespace mmh::batch
