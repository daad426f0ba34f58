#include "store/pg_redis_store.hpp"

#include <dlfcn.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include <charconv>
#include <mutex>
#include <regex>

namespace mmh::store {

namespace {

// libpq is loaded when a PostgreSQL store is opened, not linked: its dependencies (Kerberos,
// LDAP, GnuTLS, ...) would cost every mmhost process ~7 ms to load, every backtest a sweep
// starts included.
struct LibPq {
  decltype(&::PQconnectdb) connectdb = nullptr;
  decltype(&::PQstatus) status = nullptr;
  decltype(&::PQerrorMessage) error_message = nullptr;
  decltype(&::PQfinish) finish = nullptr;
  decltype(&::PQreset) reset = nullptr;
  decltype(&::PQexecParams) exec_params = nullptr;
  decltype(&::PQresultStatus) result_status = nullptr;
  decltype(&::PQclear) clear = nullptr;
  decltype(&::PQntuples) ntuples = nullptr;
  decltype(&::PQgetvalue) getvalue = nullptr;
  decltype(&::PQcmdTuples) cmd_tuples = nullptr;
};

const LibPq& libpq() {
  static LibPq pq;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      error = std::string("cannot load libpq.so.5 (Debian package libpq5): ") + ::dlerror();
      return;
    }
    auto get = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(lib, name));
      if (fn == nullptr && error.empty()) error = std::string("libpq.so.5 has no ") + name;
    };
    get(pq.connectdb, "PQconnectdb");
    get(pq.status, "PQstatus");
    get(pq.error_message, "PQerrorMessage");
    get(pq.finish, "PQfinish");
    get(pq.reset, "PQreset");
    get(pq.exec_params, "PQexecParams");
    get(pq.result_status, "PQresultStatus");
    get(pq.clear, "PQclear");
    get(pq.ntuples, "PQntuples");
    get(pq.getvalue, "PQgetvalue");
    get(pq.cmd_tuples, "PQcmdTuples");
  });
  if (!error.empty()) throw ServiceError("PostgreSQL: " + error);
  return pq;
}

constexpr const char* kColumns =
    "id, parent_id, name, kind, status, spec, argv, attempts, worker, heartbeat_ms, "
    "cancel_requested, error, progress, created_ms, started_ms, finished_ms, summary";

int64_t to_int(const char* text) {
  int64_t v = 0;
  std::from_chars(text, text + std::char_traits<char>::length(text), v);
  return v;
}

}  // namespace

std::string redact_url(const std::string& url) {
  static const std::regex password("(://[^:/@]*:)[^@]*@");
  return std::regex_replace(url, password, "$1***@");
}

// One libpq connection, used under a mutex; reset once when the server dropped it.
struct PgRedisStore::Pg {
  std::mutex mutex;
  PGconn* conn = nullptr;
  std::string shown;

  struct Result {
    PGresult* r = nullptr;
    ~Result() { libpq().clear(r); }
    int rows() const { return libpq().ntuples(r); }
    const char* at(int row, int col) const { return libpq().getvalue(r, row, col); }
    int64_t affected() const { return to_int(libpq().cmd_tuples(r)); }
  };

  explicit Pg(const std::string& url) : shown(redact_url(url)) {
    conn = libpq().connectdb(url.c_str());
    if (libpq().status(conn) != CONNECTION_OK) {
      const std::string why = libpq().error_message(conn);
      libpq().finish(conn);
      throw ServiceError("PostgreSQL at " + shown + ": " + why);
    }
  }
  ~Pg() { libpq().finish(conn); }

  // Runs `sql` with text parameters ($1, $2, ...); throws on an error.
  std::unique_ptr<Result> exec(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    for (int attempt = 0;; ++attempt) {
      auto res = std::make_unique<Result>();
      res->r = libpq().exec_params(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                   values.data(), nullptr, nullptr, 0);
      const ExecStatusType st = libpq().result_status(res->r);
      if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
      if (attempt == 0 && libpq().status(conn) != CONNECTION_OK) {
        libpq().reset(conn);  // the server restarted or the connection dropped: once more
        continue;
      }
      throw ServiceError("PostgreSQL at " + shown + ": " + libpq().error_message(conn) +
                         " (in: " + sql.substr(0, 60) + ")");
    }
  }
};

// One hiredis connection, used under a mutex; reconnected when a command fails on it.
struct PgRedisStore::Redis {
  std::mutex mutex;
  redisContext* ctx = nullptr;
  std::string host, password, shown;
  int port = 6379, db = 0;

  struct Reply {
    redisReply* r = nullptr;
    ~Reply() {
      if (r != nullptr) freeReplyObject(r);
    }
  };

  explicit Redis(const std::string& url) : shown(redact_url(url)) {
    static const std::regex form(
        R"(^redis://(?:([^:@/]*):?([^@/]*)@)?([^:/]+)(?::(\d+))?(?:/(\d+))?$)");
    std::smatch m;
    if (!std::regex_match(url, m, form))
      throw ServiceError("REDIS_URL " + shown + ": expected redis://[:password@]host[:port][/db]");
    password = m[2].matched && !m[2].str().empty() ? m[2].str() : m[1].str();
    host = m[3];
    if (m[4].matched) port = std::stoi(m[4]);
    if (m[5].matched) db = std::stoi(m[5]);
    connect();
  }
  ~Redis() {
    if (ctx != nullptr) redisFree(ctx);
  }

  void connect() {
    if (ctx != nullptr) redisFree(ctx);
    timeval timeout{5, 0};
    ctx = redisConnectWithTimeout(host.c_str(), port, timeout);
    if (ctx == nullptr || ctx->err != 0)
      throw ServiceError("Redis at " + shown + ": " +
                         (ctx != nullptr ? ctx->errstr : "cannot allocate a connection"));
    redisSetTimeout(ctx, timeout);
    if (!password.empty()) command({"AUTH", password});
    if (db != 0) command({"SELECT", std::to_string(db)});
  }

  // A command as separate arguments (binary safe); throws on an error reply.
  // hiredis's argument vector (pointers and lengths) of `args`.
  struct Argv {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    explicit Argv(const std::vector<std::string>& args) {
      for (const std::string& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
    }
    int count() const { return static_cast<int>(argv.size()); }
  };

  std::unique_ptr<Reply> command(const std::vector<std::string>& args, bool retry = true) {
    Argv a(args);
    auto reply = std::make_unique<Reply>();
    reply->r =
        static_cast<redisReply*>(redisCommandArgv(ctx, a.count(), a.argv.data(), a.lens.data()));
    if (reply->r == nullptr) {
      const std::string why = ctx->errstr;
      if (retry) {
        connect();
        return command(args, false);
      }
      throw ServiceError("Redis at " + shown + ": " + why);
    }
    if (reply->r->type == REDIS_REPLY_ERROR)
      throw ServiceError("Redis at " + shown + ": " + std::string(reply->r->str, reply->r->len) +
                         " (" + args[0] + ")");
    return reply;
  }

  // Commands sent together and their replies read after (one round trip; a finished job's
  // XACK + XDEL). Throws on an error reply or a lost connection.
  void pipeline(const std::vector<std::vector<std::string>>& commands) {
    for (const auto& args : commands) {
      Argv a(args);
      redisAppendCommandArgv(ctx, a.count(), a.argv.data(), a.lens.data());
    }
    std::string error;  // the first; every reply is read so the next command gets its own
    for (size_t i = 0; i < commands.size(); ++i) {
      Reply reply;
      void* r = nullptr;
      if (redisGetReply(ctx, &r) != REDIS_OK || r == nullptr) {
        const std::string why = ctx->errstr;
        connect();  // the next command starts clean
        throw ServiceError("Redis at " + shown + ": " + why);
      }
      reply.r = static_cast<redisReply*>(r);
      if (reply.r->type == REDIS_REPLY_ERROR && error.empty())
        error = std::string(reply.r->str, reply.r->len) + " (" + commands[i][0] + ")";
    }
    if (!error.empty()) throw ServiceError("Redis at " + shown + ": " + error);
  }
};

namespace {

RunRow read_row(const PGresult* r, int row) {
  auto text = [&](int col) { return std::string(libpq().getvalue(r, row, col)); };
  auto num = [&](int col) { return to_int(libpq().getvalue(r, row, col)); };
  RunRow out;
  out.id = text(0);
  out.parent_id = text(1);
  out.name = text(2);
  out.kind = text(3);
  out.status = parse_status(text(4)).value_or(RunStatus::failed);
  out.spec_json = text(5);
  out.argv_json = text(6);
  out.attempts = num(7);
  out.worker = text(8);
  out.heartbeat_ms = num(9);
  out.cancel_requested = num(10) != 0;
  out.error = text(11);
  out.progress = std::strtod(libpq().getvalue(r, row, 12), nullptr);
  out.created_ms = num(13);
  out.started_ms = num(14);
  out.finished_ms = num(15);
  out.summary_json = text(16);
  return out;
}

std::string where(const RunFilter& f, std::vector<std::string>& params) {
  std::string w = " WHERE TRUE";
  auto add = [&](const std::string& clause, const std::string& value) {
    params.push_back(value);
    w += " AND " + clause + "$" + std::to_string(params.size());
  };
  if (f.status) add("status = ", status_name(*f.status));
  if (!f.kind.empty()) add("kind = ", f.kind);
  if (!f.name.empty()) {
    params.push_back(f.name);
    w += " AND strpos(name, $" + std::to_string(params.size()) + ") > 0";
  }
  if (f.parent_id == "-")
    w += " AND parent_id = ''";
  else if (!f.parent_id.empty())
    add("parent_id = ", f.parent_id);
  return w;
}

// The entries of an XREADGROUP / XAUTOCLAIM reply list: (entry id, run id).
std::vector<std::pair<std::string, std::string>> entries_of(const redisReply* list) {
  std::vector<std::pair<std::string, std::string>> out;
  if (list == nullptr || list->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < list->elements; ++i) {
    const redisReply* e = list->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2) continue;
    const std::string entry(e->element[0]->str, e->element[0]->len);
    const redisReply* fields = e->element[1];
    std::string run;
    if (fields->type == REDIS_REPLY_ARRAY)
      for (size_t k = 0; k + 1 < fields->elements; k += 2)
        if (std::string(fields->element[k]->str, fields->element[k]->len) == "run")
          run.assign(fields->element[k + 1]->str, fields->element[k + 1]->len);
    out.emplace_back(entry, run);
  }
  return out;
}

}  // namespace

PgRedisStore::PgRedisStore(const std::string& database_url, const std::string& redis_url,
                           int64_t silent_ms)
    : pg_(std::make_unique<Pg>(database_url)),
      redis_(std::make_unique<Redis>(redis_url)),
      silent_ms_(silent_ms) {
  pg_->exec(
      "CREATE TABLE IF NOT EXISTS runs ("
      " id TEXT PRIMARY KEY, parent_id TEXT NOT NULL DEFAULT '', name TEXT NOT NULL,"
      " kind TEXT NOT NULL, status TEXT NOT NULL, spec TEXT NOT NULL, argv TEXT NOT NULL,"
      " attempts BIGINT NOT NULL DEFAULT 0, worker TEXT NOT NULL DEFAULT '',"
      " heartbeat_ms BIGINT NOT NULL DEFAULT 0, cancel_requested INT NOT NULL DEFAULT 0,"
      " error TEXT NOT NULL DEFAULT '', progress DOUBLE PRECISION NOT NULL DEFAULT 0,"
      " created_ms BIGINT NOT NULL, started_ms BIGINT NOT NULL DEFAULT 0,"
      " finished_ms BIGINT NOT NULL DEFAULT 0, summary TEXT NOT NULL DEFAULT '',"
      " seq BIGSERIAL)",
      {});
  pg_->exec("CREATE INDEX IF NOT EXISTS runs_status ON runs (status, seq)", {});
  pg_->exec("CREATE INDEX IF NOT EXISTS runs_parent ON runs (parent_id, seq)", {});
  pg_->exec("CREATE INDEX IF NOT EXISTS runs_seq ON runs (seq)", {});
  try {
    redis_->command({"XGROUP", "CREATE", kStream, kGroup, "0", "MKSTREAM"});
  } catch (const ServiceError& e) {
    if (std::string(e.what()).find("BUSYGROUP") == std::string::npos) throw;
  }
}

PgRedisStore::~PgRedisStore() = default;

std::string PgRedisStore::describe() const {
  return "postgresql " + pg_->shown + " + redis " + redis_->shown;
}

std::pair<RunRow, bool> PgRedisStore::submit(const RunRow& row) {
  changed();
  bool added = false;
  {
    std::lock_guard lock(pg_->mutex);
    const auto r = pg_->exec(
        "INSERT INTO runs (id, parent_id, name, kind, status, spec, argv, created_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
        {row.id, row.parent_id, row.name, row.kind, status_name(row.status), row.spec_json,
         row.argv_json, std::to_string(row.created_ms)});
    added = r->affected() > 0;
  }
  if (added && row.status == RunStatus::queued) {
    try {
      std::lock_guard lock(redis_->mutex);
      redis_->command({"XADD", kStream, "*", "run", row.id});
    } catch (...) {
      // Not queued: not kept either, so the same job can be posted again.
      std::lock_guard lock(pg_->mutex);
      pg_->exec("DELETE FROM runs WHERE id = $1 AND status = 'queued'", {row.id});
      throw;
    }
  }
  return {*get(row.id), added};
}

int64_t PgRedisStore::submit_many(const std::vector<RunRow>& rows) {
  changed();
  std::vector<std::string> added;
  {
    std::lock_guard lock(pg_->mutex);
    pg_->exec("BEGIN", {});
    try {
      for (const RunRow& row : rows)
        if (pg_->exec("INSERT INTO runs (id, parent_id, name, kind, status, spec, argv, "
                      "created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO "
                      "NOTHING",
                      {row.id, row.parent_id, row.name, row.kind, status_name(row.status),
                       row.spec_json, row.argv_json, std::to_string(row.created_ms)})
                    ->affected() > 0 &&
            row.status == RunStatus::queued)
          added.push_back(row.id);
      pg_->exec("COMMIT", {});
    } catch (...) {
      pg_->exec("ROLLBACK", {});
      throw;
    }
  }
  // Queued in one round trip (pipelined).
  std::lock_guard lock(redis_->mutex);
  for (const std::string& id : added)
    redisAppendCommand(redis_->ctx, "XADD %s * run %s", kStream, id.c_str());
  for (size_t i = 0; i < added.size(); ++i) {
    void* reply = nullptr;
    if (redisGetReply(redis_->ctx, &reply) != REDIS_OK)
      throw ServiceError("Redis at " + redis_->shown + ": " + redis_->ctx->errstr);
    freeReplyObject(reply);
  }
  return static_cast<int64_t>(added.size());
}

void PgRedisStore::settle(const std::string& id, RunStatus status, const std::string& error,
                          double progress, const std::string& summary_json, int64_t now_ms) {
  changed();
  std::lock_guard lock(pg_->mutex);
  pg_->exec(
      "UPDATE runs SET status = $2, error = $3, progress = $4, summary = $5, finished_ms = CASE "
      "WHEN $2 IN ('done', 'failed', 'cancelled') THEN $6::BIGINT ELSE finished_ms END WHERE id = "
      "$1",
      {id, status_name(status), error, std::to_string(progress), summary_json,
       std::to_string(now_ms)});
}

std::optional<RunRow> PgRedisStore::get(const std::string& id) {
  std::lock_guard lock(pg_->mutex);
  const auto r = pg_->exec(std::string("SELECT ") + kColumns + " FROM runs WHERE id = $1", {id});
  if (r->rows() == 0) return std::nullopt;
  return read_row(r->r, 0);
}

std::vector<RunRow> PgRedisStore::list(const RunFilter& filter) {
  std::vector<std::string> params;
  const std::string w = where(filter, params);
  params.push_back(std::to_string(filter.limit));
  params.push_back(std::to_string(filter.offset));
  std::lock_guard lock(pg_->mutex);
  const auto r = pg_->exec(std::string("SELECT ") + kColumns + " FROM runs" + w +
                               " ORDER BY seq DESC LIMIT $" + std::to_string(params.size() - 1) +
                               " OFFSET $" + std::to_string(params.size()),
                           params);
  std::vector<RunRow> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(read_row(r->r, i));
  return out;
}

int64_t PgRedisStore::count(const RunFilter& filter) {
  std::vector<std::string> params;
  const std::string w = where(filter, params);
  std::lock_guard lock(pg_->mutex);
  const auto r = pg_->exec("SELECT COUNT(*) FROM runs" + w, params);
  return to_int(r->at(0, 0));
}

std::optional<RunRow> PgRedisStore::claim(const std::string& worker, int64_t now_ms) {
  changed();
  for (;;) {
    std::vector<std::pair<std::string, std::string>> got;
    bool taken_over = false;
    {
      std::lock_guard lock(redis_->mutex);
      // A job whose worker went silent first (looked for at most once a second: the silence
      // that makes a takeover lasts 15), then a new one.
      if (now_ms >= next_takeover_ms_) {
        const auto stale = redis_->command({"XAUTOCLAIM", kStream, kGroup, worker,
                                            std::to_string(silent_ms_), "0-0", "COUNT", "1"});
        if (stale->r->type == REDIS_REPLY_ARRAY && stale->r->elements >= 2)
          got = entries_of(stale->r->element[1]);
        if (got.empty()) next_takeover_ms_ = now_ms + 1000;
      }
      taken_over = !got.empty();
      if (got.empty()) {
        const auto fresh = redis_->command(
            {"XREADGROUP", "GROUP", kGroup, worker, "COUNT", "1", "STREAMS", kStream, ">"});
        if (fresh->r->type == REDIS_REPLY_ARRAY && fresh->r->elements > 0)
          got = entries_of(fresh->r->element[0]->element[1]);
      }
    }
    if (got.empty()) return std::nullopt;
    const auto& [entry, id] = got.front();
    std::unique_ptr<Pg::Result> r;
    {
      std::lock_guard lock(pg_->mutex);
      if (taken_over) {
        // Its worker stopped: after kMaxAttempts the run fails, with why.
        pg_->exec(
            "UPDATE runs SET status = 'failed', finished_ms = $2, error = 'its worker stopped "
            "' || attempts || ' times (no heartbeat for ' || $3 || ' ms)' WHERE id = $1 AND "
            "status = 'running' AND attempts >= $4",
            {id, std::to_string(now_ms), std::to_string(silent_ms_), std::to_string(kMaxAttempts)});
      }
      r = pg_->exec(std::string("UPDATE runs SET status = 'running', worker = $2, heartbeat_ms = "
                                "$3, started_ms = $3, attempts = attempts + 1, progress = 0 "
                                "WHERE id = $1 AND status IN ('queued', 'running') RETURNING ") +
                        kColumns,
                    {id, worker, std::to_string(now_ms)});
    }
    if (r->rows() == 0) {  // cancelled, failed or finished meanwhile: the entry is done
      std::lock_guard lock(redis_->mutex);
      redis_->pipeline({{"XACK", kStream, kGroup, entry}, {"XDEL", kStream, entry}});
      continue;
    }
    std::lock_guard lock(entries_mutex_);
    entries_[id] = entry;
    return read_row(r->r, 0);
  }
}

bool PgRedisStore::heartbeat(const std::string& id, const std::string& worker, int64_t now_ms,
                             double progress) {
  int64_t mine = 0;
  {
    std::lock_guard lock(pg_->mutex);
    mine = pg_->exec(
                  "UPDATE runs SET heartbeat_ms = $3, progress = $4 WHERE id = $1 AND worker = "
                  "$2 AND status = 'running'",
                  {id, worker, std::to_string(now_ms), std::to_string(progress)})
               ->affected();
  }
  if (mine == 0) return false;
  std::string entry;
  {
    std::lock_guard lock(entries_mutex_);
    entry = entries_[id];
  }
  // Its pending entry stays young: nobody takes it over while this worker lives.
  std::lock_guard lock(redis_->mutex);
  redis_->command({"XCLAIM", kStream, kGroup, worker, "0", entry, "JUSTID"});
  return true;
}

void PgRedisStore::finish(const std::string& id, const std::string& worker, RunStatus status,
                          const std::string& error, const std::string& summary_json,
                          int64_t now_ms) {
  changed();
  int64_t mine = 0;
  {
    std::lock_guard lock(pg_->mutex);
    mine = pg_->exec(
                  "UPDATE runs SET status = $3, error = $4, summary = $5, finished_ms = $6, "
                  "progress = CASE WHEN $3 = 'done' THEN 1 ELSE progress END WHERE id = $1 AND "
                  "worker = $2 AND status = 'running'",
                  {id, worker, status_name(status), error, summary_json, std::to_string(now_ms)})
               ->affected();
  }
  std::string entry;
  {
    std::lock_guard lock(entries_mutex_);
    entry = entries_[id];
    entries_.erase(id);
  }
  if (mine == 0 || entry.empty()) return;  // taken over: the new holder acknowledges it
  std::lock_guard lock(redis_->mutex);
  redis_->pipeline({{"XACK", kStream, kGroup, entry}, {"XDEL", kStream, entry}});
}

void PgRedisStore::release(const std::string& id, const std::string& worker) {
  changed();
  int64_t mine = 0;
  {
    std::lock_guard lock(pg_->mutex);
    mine = pg_->exec(
                  "UPDATE runs SET status = 'queued', worker = '', attempts = GREATEST(attempts "
                  "- 1, 0) WHERE id = $1 AND worker = $2 AND status = 'running'",
                  {id, worker})
               ->affected();
  }
  std::string entry;
  {
    std::lock_guard lock(entries_mutex_);
    entry = entries_[id];
    entries_.erase(id);
  }
  if (mine == 0) return;
  // A fresh entry for the next worker; this one is done.
  std::lock_guard lock(redis_->mutex);
  redis_->command({"XADD", kStream, "*", "run", id});
  if (!entry.empty()) {
    redis_->pipeline({{"XACK", kStream, kGroup, entry}, {"XDEL", kStream, entry}});
  }
}

bool PgRedisStore::cancel(const std::string& id, int64_t now_ms) {
  changed();
  std::lock_guard lock(pg_->mutex);
  if (pg_->exec("UPDATE runs SET status = 'cancelled', finished_ms = $2, error = 'cancelled before "
                "it started' WHERE id = $1 AND status = 'queued'",
                {id, std::to_string(now_ms)})
          ->affected() > 0)
    return true;  // its stream entry is skipped by the worker that reads it
  return pg_->exec("UPDATE runs SET cancel_requested = 1 WHERE id = $1 AND status = 'running'",
                   {id})
             ->affected() > 0;
}

int64_t PgRedisStore::reclaim(int64_t, int64_t) {
  return 0;  // workers take over silent jobs themselves, in claim (XAUTOCLAIM)
}

}  // namespace mmh::store
