#include "api/job_spec.hpp"

#include "hash/sha256.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

namespace mmh::api {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr size_t kMaxArgs = 64;
constexpr size_t kMaxArgChars = 1000;
constexpr size_t kMaxStrategyBytes = 256 * 1024;

// The options of `mmhost backtest` a request may pass, and the form of each value.
enum class Value { interval, date, symbol, data_file, word };
const std::map<std::string, Value>& backtest_options() {
  static const std::map<std::string, Value> options = {
      {"--symbol", Value::symbol},
      {"--interval", Value::interval},
      {"--htf-interval", Value::interval},
      {"--ltf-interval", Value::interval},
      {"--start", Value::date},
      {"--end", Value::date},
      {"--cache", Value::data_file},
      {"--trades", Value::data_file},
      {"--book", Value::data_file},
      {"--fill-model", Value::word},
      {"--queue-model", Value::word},
      {"--fees", Value::word},
      {"--latency-ms", Value::word},
      {"--md-latency-ms", Value::word},
      {"--slippage", Value::word},
      {"--seed", Value::word},
      {"--risk", Value::word},
  };
  return options;
}

const char* expected(Value v) {
  switch (v) {
    case Value::interval:
      return "an interval like 5, 1m, 30s or 1h";
    case Value::date:
      return "a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM";
    case Value::symbol:
      return "a symbol like ETHUSDT";
    case Value::data_file:
      return "a data file under the server's data directories";
    case Value::word:
      return "letters, digits and . : , _ = -";
  }
  return "";
}

bool matches(Value v, const std::string& text) {
  static const std::regex interval("^[0-9]{1,6}[smhd]?$");
  static const std::regex date("^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2})?$");
  static const std::regex symbol("^[A-Z0-9]{2,24}$");
  static const std::regex word("^[A-Za-z0-9.:,_=-]{1,200}$");
  switch (v) {
    case Value::interval:
      return std::regex_match(text, interval);
    case Value::date:
      return std::regex_match(text, date);
    case Value::symbol:
      return std::regex_match(text, symbol);
    case Value::data_file:
      return !text.empty();
    case Value::word:
      return std::regex_match(text, word);
  }
  return false;
}

bool under(const fs::path& file, const fs::path& root) {
  std::error_code ec;
  const fs::path r = fs::weakly_canonical(root, ec);
  if (ec) return false;
  auto f = file.begin();
  for (auto it = r.begin(); it != r.end(); ++it, ++f)
    if (f == file.end() || *f != *it) return false;
  return true;
}

// `text` as a regular file under one of `roots` (relative paths from the source directory).
std::string allowed_file(const SpecContext& c, const std::string& field, const std::string& text,
                         const std::vector<fs::path>& roots, const std::string& what) {
  std::error_code ec;
  fs::path p(text);
  if (p.is_relative()) p = c.source_dir / p;
  const fs::path canonical = fs::weakly_canonical(p, ec);
  bool inside = false;
  for (const fs::path& root : roots) inside = inside || (!ec && under(canonical, root));
  if (!inside) throw SpecError(field, "'" + text + "' is not " + what);
  if (!fs::is_regular_file(canonical, ec))
    throw SpecError(field, "'" + text + "' does not exist (expected " + what + ")");
  return canonical.string();
}

std::string string_field(const json& body, const char* field, size_t max_chars,
                         const std::string& fallback = "") {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string()) throw SpecError(field, std::string(field) + " must be a string");
  const std::string& v = it->get_ref<const std::string&>();
  if (v.size() > max_chars)
    throw SpecError(
        field, std::string(field) + " is longer than " + std::to_string(max_chars) + " characters");
  return v;
}

// Appends checked backtest options (flag, value) from cli_args to argv.
void add_cli_args(const json& body, const SpecContext& c, JobSpec& spec,
                  std::map<std::string, std::string>& given) {
  auto it = body.find("cli_args");
  if (it == body.end() || it->is_null()) return;
  if (!it->is_array()) throw SpecError("cli_args", "cli_args must be an array of strings");
  if (it->size() > kMaxArgs)
    throw SpecError("cli_args", "at most " + std::to_string(kMaxArgs) + " arguments");
  std::vector<std::string> args;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& a = (*it)[i];
    const std::string field = "cli_args[" + std::to_string(i) + "]";
    if (!a.is_string() || a.get_ref<const std::string&>().size() > kMaxArgChars)
      throw SpecError(field, "each argument must be a string of at most 1000 characters");
    args.push_back(a.get<std::string>());
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string field = "cli_args[" + std::to_string(i) + "]";
    std::string flag = args[i], value;
    const size_t eq = flag.find('=');
    const bool inline_value = flag.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inline_value) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    const auto option = backtest_options().find(flag);
    if (option == backtest_options().end()) {
      std::string known;
      for (const auto& [name, kind] : backtest_options())
        known += (known.empty() ? "" : ", ") + name;
      throw SpecError(field, "unknown option '" + flag + "'; expected one of " + known);
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) throw SpecError(field, flag + " needs a value");
      value = args[++i];
    }
    const std::string value_field = inline_value ? field : "cli_args[" + std::to_string(i) + "]";
    if (!matches(option->second, value))
      throw SpecError(value_field, flag + " '" + value + "': expected " + expected(option->second));
    if (option->second == Value::data_file) {
      value = allowed_file(c, value_field, value, c.data_roots, expected(Value::data_file));
      spec.input_files.push_back(value);
    }
    if (flag != "--risk" && given.count(flag))
      throw SpecError(value_field, flag + " is given twice");
    given[flag] = value;
    spec.argv.push_back(flag);
    spec.argv.push_back(value);
  }
}

// Structured fields of a backtest, as their command-line options.
void add_structured(const json& body, const SpecContext& c, JobSpec& spec,
                    std::map<std::string, std::string>& given) {
  static const std::vector<std::pair<const char*, const char*>> fields = {
      {"data", "--cache"},
      {"symbol", "--symbol"},
      {"start", "--start"},
      {"end", "--end"},
      {"interval", "--interval"},
      {"htf_interval", "--htf-interval"},
      {"ltf_interval", "--ltf-interval"},
      {"fill_model", "--fill-model"},
      {"fees", "--fees"},
      {"latency_ms", "--latency-ms"},
      {"seed", "--seed"},
  };
  for (const auto& [field, flag] : fields) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) continue;
    std::string value;
    if (it->is_string())
      value = it->get<std::string>();
    else if (it->is_number())
      value = it->dump();
    else
      throw SpecError(field, std::string(field) + " must be a string or a number");
    const Value kind = backtest_options().at(flag);
    if (!matches(kind, value))
      throw SpecError(field, std::string(field) + " '" + value + "': expected " + expected(kind));
    if (kind == Value::data_file) {
      value = allowed_file(c, field, value, c.data_roots, expected(kind));
      spec.input_files.push_back(value);
    }
    if (given.count(flag))
      throw SpecError(field, std::string(field) + " is also given in cli_args");
    given[flag] = value;
    spec.argv.push_back(flag);
    spec.argv.push_back(value);
  }
}

std::string strategy_file(const json& body, const SpecContext& c, const std::string& fallback) {
  const std::string text = string_field(body, "strategy_text", kMaxStrategyBytes);
  const std::string path = string_field(body, "strategy", 1000);
  if (!text.empty() && !path.empty())
    throw SpecError("strategy_text", "give strategy or strategy_text, not both");
  if (!text.empty()) {
    // Kept by content: the same text is the same file (and the same job key).
    fs::create_directories(c.inline_dir);
    const fs::path file = c.inline_dir / (sha256_hex(text).substr(0, 32) + ".lua");
    if (!fs::exists(file)) {
      const fs::path tmp = file.string() + ".tmp";
      std::ofstream(tmp, std::ios::binary) << text;
      fs::rename(tmp, file);
    }
    return file.string();
  }
  const std::string chosen = path.empty() ? fallback : path;
  if (chosen.empty()) throw SpecError("strategy", "strategy (a path) or strategy_text is required");
  if (fs::path(chosen).extension() != ".lua")
    throw SpecError("strategy", "'" + chosen + "' is not a .lua strategy script");
  return allowed_file(c, "strategy", chosen, {c.source_dir / "strategies"},
                      "a strategy under strategies/ (or send strategy_text)");
}

// The cached SHA-256 of a file, keyed by path, size and modification time (a sweep submits the
// same data file a thousand times).
std::string file_hash(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<std::string, std::string>> cache;
  std::error_code ec;
  const auto stamp = std::to_string(fs::file_size(path, ec)) + "/" +
                     std::to_string(fs::last_write_time(path, ec).time_since_epoch().count());
  std::lock_guard lock(mutex);
  auto& [seen, hash] = cache[path];
  if (seen != stamp || hash.empty()) {
    hash = sha256_file_hex(path);
    seen = stamp;
  }
  return hash;
}

// A UTC day "YYYY-MM-DD" of a fetch request, or a SpecError naming the field.
std::chrono::sys_days fetch_day(const json& body, const char* field) {
  const std::string text = string_field(body, field, 10);
  if (text.empty()) throw SpecError(field, std::string("a fetch needs ") + field + " (YYYY-MM-DD)");
  static const std::regex day("^([0-9]{4})-([0-9]{2})-([0-9]{2})$");
  std::smatch m;
  const bool form = std::regex_match(text, m, day);
  const std::chrono::year_month_day ymd{
      std::chrono::year{form ? std::stoi(m.str(1)) : 0},
      std::chrono::month{form ? static_cast<unsigned>(std::stoi(m.str(2))) : 0U},
      std::chrono::day{form ? static_cast<unsigned>(std::stoi(m.str(3))) : 0U}};
  if (!form || !ymd.ok())
    throw SpecError(field, std::string(field) + " '" + text + "': expected a UTC day YYYY-MM-DD");
  return std::chrono::sys_days{ymd};
}

std::string day_text(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd{day};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

// `mmhost fetch` of a symbol's candles into the store's data directory, named as find_candles
// looks for them (<venue>_spot_<SYMBOL>_<N>m_<first day>_<last day>.csv), so a later backtest
// finds them; the same range again resumes the same file.
void add_fetch(const json& body, const SpecContext& c, JobSpec& spec) {
  if (c.fetch_dir.empty()) throw SpecError("kind", "this server does not fetch data");
  const std::string symbol = string_field(body, "symbol", 24);
  if (!matches(Value::symbol, symbol))
    throw SpecError("symbol", "a fetch needs symbol: " + std::string(expected(Value::symbol)));
  const std::string interval = string_field(body, "interval", 4, "1");
  static const std::map<std::string, std::string> minutes = {
      {"1", "1"},     {"3", "3"},     {"5", "5"},     {"15", "15"},   {"30", "30"}, {"60", "60"},
      {"120", "120"}, {"240", "240"}, {"360", "360"}, {"720", "720"}, {"D", "1440"}};
  const auto tag = minutes.find(interval);
  if (tag == minutes.end())
    throw SpecError("interval",
                    "interval '" + interval +
                        "': expected a Bybit kline interval (minutes: 1 3 5 15 30 60 120 240 360 "
                        "720, or D)");
  const std::string venue = string_field(body, "venue", 40, "mainnet");
  static const std::regex venue_name("^[a-z0-9_-]{1,40}$");
  if (!std::regex_match(venue, venue_name))
    throw SpecError("venue",
                    "venue '" + venue + "': expected a venue name (mainnet, testnet, demo)");
  const std::chrono::sys_days first = fetch_day(body, "start"), end = fetch_day(body, "end");
  if (end <= first) throw SpecError("end", "end must be after start (end is exclusive)");
  const fs::path file =
      c.fetch_dir / (venue + "_spot_" + symbol + "_" + tag->second + "m_" + day_text(first) + "_" +
                     day_text(end - std::chrono::days{1}) + ".csv");
  spec.argv = {"fetch",   "--symbol",      symbol,        "--interval",   interval,
               "--start", day_text(first), "--end",       day_text(end),  "--venue",
               venue,     "--cache",       file.string(), "--no-progress"};
}

// A parameter value as --set takes it: a number or a word.
std::string param_value(const json& v, const std::string& field) {
  static const std::regex word("^[A-Za-z0-9._:-]{1,64}$");
  std::string text = v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : "";
  if (v.is_boolean()) text = v.get<bool>() ? "true" : "false";
  if (!std::regex_match(text, word))
    throw SpecError(field, "a parameter value is a number, true/false or a word");
  return text;
}

void check_param_name(const std::string& name, const std::string& field) {
  static const std::regex ok("^[a-z_][a-z0-9_]*(\\.[a-z0-9_]+)*$");
  if (!std::regex_match(name, ok))
    throw SpecError(field, "'" + name + "' is not a parameter name (like grid.levels)");
}

}  // namespace

std::string find_candles(const SpecContext& c, const std::string& symbol,
                         const std::string& ltf_minutes, const std::string& start,
                         const std::string& end) {
  const std::string tag = symbol + "_" + ltf_minutes + "m_";
  static const std::regex days("_([0-9]{4}-[0-9]{2}-[0-9]{2})_([0-9]{4}-[0-9]{2}-[0-9]{2})\\.");
  std::string best;
  std::pair<bool, uintmax_t> best_rank{false, 0};
  for (const fs::path& root : c.data_roots) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), stop; !ec && it != stop; it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const std::string name = it->path().filename().string();
      const bool spot = name.find("_spot_" + tag) != std::string::npos || name.rfind(tag, 0) == 0;
      if (!spot || (it->path().extension() != ".csv" && it->path().extension() != ".gz")) continue;
      // ISO days compare as text; the name's last day is inclusive.
      std::smatch m;
      const bool covers = !start.empty() && std::regex_search(name, m, days) &&
                          m[1].str() <= start.substr(0, 10) &&
                          (end.empty() || end.substr(0, 10) <= m[2].str());
      const std::pair<bool, uintmax_t> rank{covers, it->file_size()};
      if (rank > best_rank) {
        best_rank = rank;
        best = it->path().string();
      }
    }
  }
  return best;
}

JobSpec parse_job(const json& body, const SpecContext& c) {
  if (!body.is_object()) throw SpecError("", "the body must be a JSON object");
  static const std::set<std::string> known = {
      "name",       "kind", "cli_args", "strategy",     "strategy_text", "data",       "symbol",
      "start",      "end",  "interval", "htf_interval", "ltf_interval",  "fill_model", "fees",
      "latency_ms", "seed", "script",   "jobs",         "venue",         "params"};
  for (const auto& [key, value] : body.items())
    if (!known.count(key)) throw SpecError(key, "unknown field '" + key + "'");
  JobSpec spec;
  spec.kind = string_field(body, "kind", 40);
  spec.name = string_field(body, "name", 200, spec.kind);
  std::map<std::string, std::string> given;
  if (spec.kind == "backtest" || spec.kind == "backtest_mm_mtf") {
    const std::string strategy =
        strategy_file(body, c, spec.kind == "backtest_mm_mtf" ? "strategies/eth_bos_mm.lua" : "");
    spec.input_files.push_back(strategy);
    spec.argv = {"backtest", strategy};
    add_cli_args(body, c, spec, given);
    add_structured(body, c, spec, given);
    // Core parameters over the script's, as --set (in name order: the same set, the same job).
    if (auto it = body.find("params"); it != body.end() && !it->is_null()) {
      if (!it->is_object())
        throw SpecError("params", "params is an object of parameter: value (like grid.levels: 6)");
      for (const auto& [name, value] : it->items()) {
        check_param_name(name, "params." + name);
        spec.argv.push_back("--set");
        spec.argv.push_back(name + "=" + param_value(value, "params." + name));
      }
    }
    if (!given.count("--cache")) {
      const std::string symbol = given.count("--symbol") ? given["--symbol"] : "ETHUSDT";
      std::string ltf = given.count("--ltf-interval") ? given["--ltf-interval"]
                        : given.count("--interval")   ? given["--interval"]
                                                      : "1";
      if (!ltf.empty() && ltf.back() == 'm') ltf.pop_back();
      const std::string data = find_candles(c, symbol, ltf, given["--start"], given["--end"]);
      if (data.empty())
        throw SpecError("cli_args", "no " + symbol + " " + ltf +
                                        "m candle file under the server's data directories; "
                                        "name one with --cache or data");
      spec.input_files.push_back(data);
      spec.argv.push_back("--cache");
      spec.argv.push_back(data);
    }
    spec.argv.push_back("--no-progress");
  } else if (spec.kind == "batch") {
    const std::string script = string_field(body, "script", 1000);
    if (script.empty()) throw SpecError("script", "a batch needs script (scripts/*.lua)");
    const std::string file = allowed_file(c, "script", script, {c.source_dir / "scripts"},
                                          "a batch script under scripts/");
    spec.input_files.push_back(file);
    spec.argv = {"batch", file, "--no-progress"};
    auto jobs = body.find("jobs");
    if (jobs != body.end() && !jobs->is_null()) {
      if (!jobs->is_number_integer() || *jobs < 1 || *jobs > 64)
        throw SpecError("jobs", "jobs must be an integer from 1 to 64");
      spec.argv.push_back("--jobs");
      spec.argv.push_back(std::to_string(jobs->get<int>()));
    }
  } else if (spec.kind == "fetch") {
    add_fetch(body, c, spec);
  } else if (spec.kind == "sweep") {
    throw SpecError("kind", "a sweep is submitted as a sweep (parse_sweep)");
  } else if (spec.kind.empty()) {
    throw SpecError("kind", "kind is required: backtest, backtest_mm_mtf, batch or fetch");
  } else {
    throw SpecError("kind", "unknown kind '" + spec.kind +
                                "'; expected backtest, backtest_mm_mtf, batch or fetch");
  }
  spec.normalized = body;
  spec.normalized["name"] = spec.name;
  spec.normalized.erase("strategy_text");  // kept as a file; the argv names it
  if (spec.kind == "fetch") spec.normalized["file"] = spec.argv[spec.argv.size() - 2];
  return spec;
}

SweepSpec parse_sweep(const json& body, const SpecContext& c) {
  if (!body.is_object()) throw SpecError("", "the body must be a JSON object");
  json base = body;
  base["kind"] = "backtest";
  base.erase("grid");
  base.erase("sets");
  if (!base.contains("strategy") && !base.contains("strategy_text"))
    base["strategy"] = "strategies/eth_bos_mm.lua";
  SweepSpec sweep;
  const JobSpec child_base = parse_job(base, c);
  std::vector<std::map<std::string, std::string>> sets;
  const bool has_grid = body.contains("grid"), has_sets = body.contains("sets");
  if (has_grid == has_sets) throw SpecError("grid", "a sweep needs grid or sets (one of them)");
  if (has_grid) {
    const json& grid = body["grid"];
    if (!grid.is_object() || grid.empty())
      throw SpecError("grid", "grid is an object of parameter: [values]");
    sets.push_back({});
    for (const auto& [name, values] : grid.items()) {
      const std::string field = "grid." + name;
      check_param_name(name, field);
      if (!values.is_array() || values.empty())
        throw SpecError(field, "each grid parameter takes a non-empty array of values");
      std::vector<std::map<std::string, std::string>> next;
      for (const auto& set : sets)
        for (const json& v : values) {
          auto more = set;
          more[name] = param_value(v, field);
          next.push_back(std::move(more));
          if (next.size() > kMaxSweepRuns)
            throw SpecError("grid", "more than " + std::to_string(kMaxSweepRuns) + " runs");
        }
      sets = std::move(next);
    }
  } else {
    const json& list = body["sets"];
    if (!list.is_array() || list.empty() || list.size() > kMaxSweepRuns)
      throw SpecError("sets", "sets is an array of 1 to " + std::to_string(kMaxSweepRuns) +
                                  " objects of parameter: value");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string field = "sets[" + std::to_string(i) + "]";
      if (!list[i].is_object()) throw SpecError(field, "each set is an object");
      std::map<std::string, std::string> set;
      for (const auto& [name, v] : list[i].items()) {
        check_param_name(name, field + "." + name);
        set[name] = param_value(v, field + "." + name);
      }
      sets.push_back(std::move(set));
    }
  }
  sweep.parent.kind = "sweep";
  sweep.parent.name = child_base.name == "backtest" ? "sweep" : child_base.name;
  sweep.parent.normalized = body;
  sweep.parent.normalized["name"] = sweep.parent.name;
  sweep.parent.normalized.erase("strategy_text");
  sweep.parent.argv = child_base.argv;
  for (const auto& set : sets) {
    JobSpec child = child_base;
    std::string label;
    // Before --no-progress, in name order: the same set is the same command line.
    child.argv.pop_back();
    for (const auto& [name, value] : set) {
      child.argv.push_back("--set");
      child.argv.push_back(name + "=" + value);
      label += (label.empty() ? "" : " ") + name + "=" + value;
    }
    child.argv.push_back("--no-progress");
    child.argv.push_back("--summary-only");  // as a batch's runs: the figures, not the files
    child.name = sweep.parent.name + ": " + (label.empty() ? "defaults" : label);
    child.normalized = {{"kind", "backtest"}, {"name", child.name}, {"params", set}};
    sweep.children.push_back(std::move(child));
  }
  return sweep;
}

std::string sweep_key(const std::vector<std::string>& child_keys) {
  std::string all = "sweep";
  for (const std::string& k : child_keys) all += k;
  return sha256_hex(all).substr(0, 32);
}

std::string job_key(const JobSpec& spec, const SpecContext& c) {
  json inputs;
  inputs["kind"] = spec.kind;
  inputs["argv"] = spec.argv;
  inputs["build"] = c.build_hash;
  for (const std::string& f : spec.input_files) inputs["files"][f] = file_hash(f);
  return sha256_hex(inputs.dump()).substr(0, 32);
}

}  // namespace mmh::api
