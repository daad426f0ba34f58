// A thin RAII layer over the SQLite C API for mmhost's stores (the batch results, the serve run
// store): one connection in WAL mode with a busy timeout, prepared statements that bind and read
// by position, and errors as exceptions that name the file.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace mmh::store {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SqliteStatement;

class SqliteDb {
 public:
  // Opens or creates `path` (WAL, synchronous=NORMAL, busy timeout 5 s); throws naming it.
  explicit SqliteDb(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void exec(const std::string& sql);
  int64_t changes() const;
  [[noreturn]] void fail(const std::string& what) const;
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class SqliteStatement {
 public:
  SqliteStatement(const SqliteDb& db, const std::string& sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters count from 1, as in SQL.
  SqliteStatement& bind(int i, const std::string& v);
  SqliteStatement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  SqliteStatement& bind(int i, std::optional<double> v);
  SqliteStatement& bind(int i, std::optional<int64_t> v);
  SqliteStatement& bind(int i, int64_t v) { return bind(i, std::optional<int64_t>(v)); }
  SqliteStatement& bind(int i, int v) { return bind(i, std::optional<int64_t>(v)); }
  // The next row: true while there is one; throws on an error.
  bool step();
  void reset();
  // Columns count from 0.
  std::string text(int i) const;
  std::optional<double> real(int i) const;
  std::optional<int64_t> integer(int i) const;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  const SqliteDb& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace mmh::store
