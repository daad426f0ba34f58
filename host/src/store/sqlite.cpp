#include "store/sqlite.hpp"

#include <sqlite3.h>

namespace mmh::store {

SqliteDb::SqliteDb(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);  // a failed open still allocates the handle
    db_ = nullptr;
    throw SqliteError(path_ + ": cannot open: " + why);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
  } catch (...) {
    sqlite3_close(db_);  // the destructor does not run for a throwing constructor
    db_ = nullptr;
    throw;
  }
}

SqliteDb::~SqliteDb() {
  sqlite3_close(db_);
}

void SqliteDb::fail(const std::string& what) const {
  throw SqliteError(path_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
}

void SqliteDb::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string why = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw SqliteError(path_ + ": " + why + " (in: " + sql.substr(0, 80) + ")");
  }
}

int64_t SqliteDb::changes() const {
  return sqlite3_changes(db_);
}

SqliteStatement::SqliteStatement(const SqliteDb& db, const std::string& sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
    db.fail("SQL error in \"" + sql.substr(0, 80) + "\"");
}

SqliteStatement::~SqliteStatement() {
  sqlite3_finalize(stmt_);
}

SqliteStatement& SqliteStatement::bind(int i, const std::string& v) {
  sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int i, std::optional<double> v) {
  if (v)
    sqlite3_bind_double(stmt_, i, *v);
  else
    sqlite3_bind_null(stmt_, i);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int i, std::optional<int64_t> v) {
  if (v)
    sqlite3_bind_int64(stmt_, i, *v);
  else
    sqlite3_bind_null(stmt_, i);
  return *this;
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("step");
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string SqliteStatement::text(int i) const {
  const auto* p = sqlite3_column_text(stmt_, i);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p),
                                    static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}

std::optional<double> SqliteStatement::real(int i) const {
  if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(stmt_, i);
}

std::optional<int64_t> SqliteStatement::integer(int i) const {
  if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(stmt_, i);
}

}  // namespace mmh::store
