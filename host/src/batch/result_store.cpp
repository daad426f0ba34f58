#include "batch/result_store.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace mmh::batch {

namespace {

using json = nlohmann::json;

constexpr const char* kColumns =
    "key, batch_script, strategy, label, params, window_start, window_end, options, status, "
    "error, summary, event_hash, script_hash, data_hash, wall_ms, net_pnl, return_pct, "
    "max_drawdown_pct, sharpe_daily, fills, seq";

// A summary field as a number (amounts are exact decimal strings in summary.json).
std::optional<double> number(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) return decimal_number(it->get_ref<const std::string&>());
  return std::nullopt;
}

using store::SqliteStatement;

// An upsert, not INSERT OR REPLACE: the row keeps its place (rowid) when it is written again.
const std::string& upsert_sql() {
  static const std::string sql = [] {
    std::string out = std::string("INSERT INTO runs (") + kColumns + ") VALUES (?";
    std::string set;
    std::string columns = kColumns;
    for (size_t at = 0; at < columns.size();) {
      const size_t comma = std::min(columns.find(',', at), columns.size());
      std::string name = columns.substr(at, comma - at);
      name.erase(0, name.find_first_not_of(' '));
      at = comma + 1;
      if (name == "key") continue;
      out += ",?";
      set += (set.empty() ? "" : ", ") + name + " = excluded." + name;
    }
    return out + ") ON CONFLICT(key) DO UPDATE SET " + set +
           ", finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  }();
  return sql;
}

RunRecord read_row(const SqliteStatement& s) {
  RunRecord r;
  int i = 0;
  for (std::string* f : {&r.key, &r.batch_script, &r.strategy, &r.label, &r.params_json,
                         &r.window_start, &r.window_end, &r.options_json, &r.status, &r.error,
                         &r.summary_json, &r.event_hash, &r.script_hash, &r.data_hash})
    *f = s.text(i++);
  r.wall_ms = s.real(i++).value_or(0);
  r.net_pnl = s.real(i++);
  r.return_pct = s.real(i++);
  r.max_drawdown_pct = s.real(i++);
  r.sharpe_daily = s.real(i++);
  if (auto f = s.real(i++)) r.fills = static_cast<int64_t>(*f);
  r.seq = static_cast<int64_t>(s.real(i++).value_or(0));
  return r;
}

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string opt_text(std::optional<double> v) {
  if (!v) return "";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", *v);
  return buf;
}

}  // namespace

std::optional<double> decimal_number(std::string_view text) {
  // Digits with at most one point after an optional minus: no exponents, hex or "nan".
  size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
  bool digits = false, point = false;
  for (; i < text.size(); ++i) {
    if (text[i] >= '0' && text[i] <= '9')
      digits = true;
    else if (text[i] == '.' && !point)
      point = true;
    else
      return std::nullopt;
  }
  if (!digits) return std::nullopt;
  return std::strtod(std::string(text).c_str(), nullptr);
}

ResultStore::ResultStore(const std::string& path) : db_(path) {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS runs ("
      " key TEXT PRIMARY KEY, batch_script TEXT NOT NULL, strategy TEXT NOT NULL,"
      " label TEXT NOT NULL, params TEXT NOT NULL, window_start TEXT NOT NULL,"
      " window_end TEXT NOT NULL, options TEXT NOT NULL,"
      " status TEXT NOT NULL CHECK (status IN ('ok', 'failed')), error TEXT NOT NULL,"
      " summary TEXT NOT NULL, event_hash TEXT NOT NULL, script_hash TEXT NOT NULL,"
      " data_hash TEXT NOT NULL, wall_ms REAL NOT NULL, net_pnl REAL, return_pct REAL,"
      " max_drawdown_pct REAL, sharpe_daily REAL, fills INTEGER, seq INTEGER NOT NULL,"
      " finished_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))");
}

std::optional<RunRecord> ResultStore::find(const std::string& key) {
  SqliteStatement s(db_, std::string("SELECT ") + kColumns + " FROM runs WHERE key = ?");
  s.bind(1, key);
  if (s.step()) return read_row(s);
  return std::nullopt;
}

void ResultStore::put(RunRecord& r) {
  if (!r.summary_json.empty()) {
    const json j = json::parse(r.summary_json, nullptr, false);
    if (j.is_object()) {
      r.net_pnl = number(j, "net_pnl");
      r.return_pct = number(j, "return_pct");
      r.max_drawdown_pct = number(j, "max_drawdown_pct");
      r.sharpe_daily = number(j, "sharpe_daily");
      if (auto fills = j.find("fills"); fills != j.end() && fills->is_object())
        if (auto total = number(*fills, "total")) r.fills = static_cast<int64_t>(*total);
      if (auto h = j.find("event_hash"); h != j.end() && h->is_string()) r.event_hash = *h;
    }
  }
  SqliteStatement s(db_, upsert_sql());
  int i = 1;
  for (const std::string* f : {&r.key, &r.batch_script, &r.strategy, &r.label, &r.params_json,
                               &r.window_start, &r.window_end, &r.options_json, &r.status, &r.error,
                               &r.summary_json, &r.event_hash, &r.script_hash, &r.data_hash})
    s.bind(i++, *f);
  s.bind(i++, std::optional<double>(r.wall_ms));
  s.bind(i++, r.net_pnl);
  s.bind(i++, r.return_pct);
  s.bind(i++, r.max_drawdown_pct);
  s.bind(i++, r.sharpe_daily);
  s.bind(i++, r.fills);
  s.bind(i++, std::optional<int64_t>(r.seq));
  s.step();
}

std::vector<RunRecord> ResultStore::all() {
  SqliteStatement s(db_, std::string("SELECT ") + kColumns + " FROM runs ORDER BY seq, rowid");
  std::vector<RunRecord> out;
  while (s.step()) out.push_back(read_row(s));
  return out;
}

size_t ResultStore::count() {
  SqliteStatement s(db_, "SELECT COUNT(*) FROM runs");
  s.step();
  return static_cast<size_t>(s.integer(0).value_or(0));
}

void write_csv(const std::vector<RunRecord>& rows, std::ostream& out) {
  std::set<std::string> names;
  std::vector<json> params;
  for (const RunRecord& r : rows) {
    params.push_back(json::parse(r.params_json, nullptr, false));
    if (params.back().is_object())
      for (const auto& [k, v] : params.back().items()) names.insert(k);
  }
  out << "key,label,strategy,window_start,window_end";
  for (const std::string& n : names) out << ',' << csv_field(n);
  out << ",status,net_pnl,return_pct,max_drawdown_pct,sharpe_daily,fills,event_hash,error\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const RunRecord& r = rows[i];
    out << r.key.substr(0, 16) << ',' << csv_field(r.label) << ',' << csv_field(r.strategy) << ','
        << r.window_start << ',' << r.window_end;
    for (const std::string& n : names) {
      std::string v;
      if (params[i].is_object() && params[i].contains(n))
        v = params[i][n].is_string() ? params[i][n].get<std::string>() : params[i][n].dump();
      out << ',' << csv_field(v);
    }
    out << ',' << r.status << ',' << opt_text(r.net_pnl) << ',' << opt_text(r.return_pct) << ','
        << opt_text(r.max_drawdown_pct) << ',' << opt_text(r.sharpe_daily) << ','
        << (r.fills ? std::to_string(*r.fills) : "") << ',' << r.event_hash << ','
        << csv_field(r.error) << '\n';
  }
}

}  // namespace mmh::batch
