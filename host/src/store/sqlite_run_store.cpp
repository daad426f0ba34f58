#include "store/sqlite_run_store.hpp"

#include <array>

namespace mmh::store {

namespace {

constexpr const char* kColumns =
    "id, parent_id, name, kind, status, spec, argv, attempts, worker, heartbeat_ms, "
    "cancel_requested, error, progress, created_ms, started_ms, finished_ms, summary";

RunRow read_row(const SqliteStatement& s) {
  RunRow r;
  r.id = s.text(0);
  r.parent_id = s.text(1);
  r.name = s.text(2);
  r.kind = s.text(3);
  r.status = parse_status(s.text(4)).value_or(RunStatus::failed);
  r.spec_json = s.text(5);
  r.argv_json = s.text(6);
  r.attempts = s.integer(7).value_or(0);
  r.worker = s.text(8);
  r.heartbeat_ms = s.integer(9).value_or(0);
  r.cancel_requested = s.integer(10).value_or(0) != 0;
  r.error = s.text(11);
  r.progress = s.real(12).value_or(0);
  r.created_ms = s.integer(13).value_or(0);
  r.started_ms = s.integer(14).value_or(0);
  r.finished_ms = s.integer(15).value_or(0);
  r.summary_json = s.text(16);
  return r;
}

// WHERE clause and its parameters for a filter (parameters bound from 1).
std::string where(const RunFilter& f, std::vector<std::string>& params) {
  std::string w = " WHERE 1=1";
  if (f.status) {
    w += " AND status = ?";
    params.push_back(status_name(*f.status));
  }
  if (!f.kind.empty()) {
    w += " AND kind = ?";
    params.push_back(f.kind);
  }
  if (!f.name.empty()) {
    w += " AND instr(name, ?) > 0";
    params.push_back(f.name);
  }
  if (f.parent_id == "-") {
    w += " AND parent_id = ''";
  } else if (!f.parent_id.empty()) {
    w += " AND parent_id = ?";
    params.push_back(f.parent_id);
  }
  return w;
}

}  // namespace

SqliteRunStore::SqliteRunStore(const std::string& path) : db_(path) {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS runs ("
      " id TEXT PRIMARY KEY, parent_id TEXT NOT NULL DEFAULT '', name TEXT NOT NULL,"
      " kind TEXT NOT NULL, status TEXT NOT NULL, spec TEXT NOT NULL, argv TEXT NOT NULL,"
      " attempts INTEGER NOT NULL DEFAULT 0, worker TEXT NOT NULL DEFAULT '',"
      " heartbeat_ms INTEGER NOT NULL DEFAULT 0, cancel_requested INTEGER NOT NULL DEFAULT 0,"
      " error TEXT NOT NULL DEFAULT '', progress REAL NOT NULL DEFAULT 0,"
      " created_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL DEFAULT 0,"
      " finished_ms INTEGER NOT NULL DEFAULT 0, summary TEXT NOT NULL DEFAULT '',"
      " seq INTEGER NOT NULL DEFAULT 0)");
  db_.exec("CREATE INDEX IF NOT EXISTS runs_queue ON runs (status, seq)");
  db_.exec("CREATE INDEX IF NOT EXISTS runs_parent ON runs (parent_id, seq)");
  // Listing newest first (GET /runs) walks this one, not the table.
  db_.exec("CREATE INDEX IF NOT EXISTS runs_seq ON runs (seq)");
  db_.exec("CREATE INDEX IF NOT EXISTS runs_kind ON runs (kind, seq)");
}

namespace {

constexpr const char* kInsert =
    "INSERT INTO runs (id, parent_id, name, kind, status, spec, argv, created_ms, seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM runs)) "
    "ON CONFLICT(id) DO NOTHING";

bool insert(const SqliteDb& db, SqliteStatement& s, const RunRow& row) {
  s.reset();
  s.bind(1, row.id)
      .bind(2, row.parent_id)
      .bind(3, row.name)
      .bind(4, row.kind)
      .bind(5, status_name(row.status))
      .bind(6, row.spec_json)
      .bind(7, row.argv_json)
      .bind(8, row.created_ms);
  s.step();
  return db.changes() > 0;
}

}  // namespace

std::pair<RunRow, bool> SqliteRunStore::submit(const RunRow& row) {
  changed();
  std::lock_guard lock(mutex_);
  SqliteStatement s(db_, kInsert);
  const bool added = insert(db_, s, row);
  return {*get_locked(row.id), added};
}

int64_t SqliteRunStore::submit_many(const std::vector<RunRow>& rows) {
  changed();
  std::lock_guard lock(mutex_);
  db_.exec("BEGIN IMMEDIATE");
  try {
    SqliteStatement s(db_, kInsert);
    int64_t added = 0;
    for (const RunRow& row : rows) added += insert(db_, s, row) ? 1 : 0;
    db_.exec("COMMIT");
    return added;
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

void SqliteRunStore::settle(const std::string& id, RunStatus status, const std::string& error,
                            double progress, const std::string& summary_json, int64_t now_ms) {
  changed();
  std::lock_guard lock(mutex_);
  SqliteStatement s(db_,
                    "UPDATE runs SET status = ?, error = ?, progress = ?, summary = ?, "
                    "finished_ms = CASE WHEN ? IN ('done', 'failed', 'cancelled') THEN ? ELSE "
                    "finished_ms END WHERE id = ?");
  s.bind(1, status_name(status))
      .bind(2, error)
      .bind(3, std::optional<double>(progress))
      .bind(4, summary_json)
      .bind(5, status_name(status))
      .bind(6, now_ms)
      .bind(7, id);
  s.step();
}

std::optional<RunRow> SqliteRunStore::get(const std::string& id) {
  std::lock_guard lock(mutex_);
  return get_locked(id);
}

std::optional<RunRow> SqliteRunStore::get_locked(const std::string& id) {
  SqliteStatement s(db_, std::string("SELECT ") + kColumns + " FROM runs WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_row(s);
}

std::vector<RunRow> SqliteRunStore::list(const RunFilter& filter) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> params;
  const std::string w = where(filter, params);
  SqliteStatement s(db_, std::string("SELECT ") + kColumns + " FROM runs" + w +
                             " ORDER BY seq DESC LIMIT ? OFFSET ?");
  int i = 1;
  for (const std::string& p : params) s.bind(i++, p);
  s.bind(i, filter.limit);
  s.bind(i + 1, filter.offset);
  std::vector<RunRow> out;
  while (s.step()) out.push_back(read_row(s));
  return out;
}

int64_t SqliteRunStore::count(const RunFilter& filter) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> params;
  SqliteStatement s(db_, "SELECT COUNT(*) FROM runs" + where(filter, params));
  int i = 1;
  for (const std::string& p : params) s.bind(i++, p);
  s.step();
  return s.integer(0).value_or(0);
}

std::optional<RunRow> SqliteRunStore::claim(const std::string& worker, int64_t now_ms) {
  changed();
  std::lock_guard lock(mutex_);
  // IMMEDIATE: another process claiming at the same moment waits for this one.
  db_.exec("BEGIN IMMEDIATE");
  try {
    SqliteStatement pick(db_, "SELECT id FROM runs WHERE status = 'queued' ORDER BY seq LIMIT 1");
    if (!pick.step()) {
      db_.exec("COMMIT");
      return std::nullopt;
    }
    const std::string id = pick.text(0);
    SqliteStatement take(db_,
                         "UPDATE runs SET status = 'running', worker = ?, heartbeat_ms = ?, "
                         "started_ms = ?, attempts = attempts + 1, progress = 0 WHERE id = ?");
    take.bind(1, worker).bind(2, now_ms).bind(3, now_ms).bind(4, id);
    take.step();
    std::optional<RunRow> row = get_locked(id);
    db_.exec("COMMIT");
    return row;
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

bool SqliteRunStore::heartbeat(const std::string& id, const std::string& worker, int64_t now_ms,
                               double progress) {
  std::lock_guard lock(mutex_);
  SqliteStatement s(db_,
                    "UPDATE runs SET heartbeat_ms = ?, progress = ? WHERE id = ? AND worker = ? "
                    "AND status = 'running'");
  s.bind(1, now_ms).bind(2, std::optional<double>(progress)).bind(3, id).bind(4, worker);
  s.step();
  return db_.changes() > 0;
}

void SqliteRunStore::finish(const std::string& id, const std::string& worker, RunStatus status,
                            const std::string& error, const std::string& summary_json,
                            int64_t now_ms) {
  changed();
  std::lock_guard lock(mutex_);
  // Only the worker that holds it: a worker taken over must not overwrite its successor's.
  SqliteStatement s(db_,
                    "UPDATE runs SET status = ?, error = ?, summary = ?, finished_ms = ?, "
                    "progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END "
                    "WHERE id = ? AND worker = ? AND status = 'running'");
  s.bind(1, status_name(status))
      .bind(2, error)
      .bind(3, summary_json)
      .bind(4, now_ms)
      .bind(5, status_name(status))
      .bind(6, id)
      .bind(7, worker);
  s.step();
}

void SqliteRunStore::release(const std::string& id, const std::string& worker) {
  changed();
  std::lock_guard lock(mutex_);
  SqliteStatement s(db_,
                    "UPDATE runs SET status = 'queued', worker = '', attempts = MAX(attempts - 1, "
                    "0) WHERE id = ? AND worker = ? AND status = 'running'");
  s.bind(1, id).bind(2, worker);
  s.step();
}

bool SqliteRunStore::cancel(const std::string& id, int64_t now_ms) {
  changed();
  std::lock_guard lock(mutex_);
  SqliteStatement queued(db_,
                         "UPDATE runs SET status = 'cancelled', finished_ms = ?, "
                         "error = 'cancelled before it started' WHERE id = ? AND status = "
                         "'queued'");
  queued.bind(1, now_ms).bind(2, id);
  queued.step();
  if (db_.changes() > 0) return true;
  SqliteStatement running(
      db_, "UPDATE runs SET cancel_requested = 1 WHERE id = ? AND status = 'running'");
  running.bind(1, id);
  running.step();
  return db_.changes() > 0;
}

int64_t SqliteRunStore::reclaim(int64_t now_ms, int64_t silent_ms) {
  changed();
  std::lock_guard lock(mutex_);
  const int64_t before = now_ms - silent_ms;
  SqliteStatement fail(
      db_,
      "UPDATE runs SET status = 'failed', finished_ms = ?, error = 'its worker "
      "stopped ' || attempts || ' times (no heartbeat for ' || ? || ' ms)' "
      "WHERE status = 'running' AND worker != '' AND heartbeat_ms < ? AND attempts >= ?");
  fail.bind(1, now_ms).bind(2, silent_ms).bind(3, before).bind(4, kMaxAttempts);
  fail.step();
  int64_t n = db_.changes();
  SqliteStatement requeue(db_,
                          "UPDATE runs SET status = 'queued', worker = '' "
                          "WHERE status = 'running' AND worker != '' AND heartbeat_ms < ?");
  requeue.bind(1, before);
  requeue.step();
  return n + db_.changes();
}

const char* status_name(RunStatus s) {
  switch (s) {
    case RunStatus::queued:
      return "queued";
    case RunStatus::running:
      return "running";
    case RunStatus::done:
      return "done";
    case RunStatus::failed:
      return "failed";
    case RunStatus::cancelled:
      return "cancelled";
  }
  return "failed";
}

std::optional<RunStatus> parse_status(const std::string& text) {
  for (RunStatus s : {RunStatus::queued, RunStatus::running, RunStatus::done, RunStatus::failed,
                      RunStatus::cancelled})
    if (text == status_name(s)) return s;
  return std::nullopt;
}

}  // namespace mmh::store
