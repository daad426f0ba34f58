// The embedded run store: one SQLite file (WAL) in `mmhost serve`'s store directory. Safe to use
// from several threads (one connection behind a mutex) and from several processes (SQLite's
// own locking; claims run in an IMMEDIATE transaction).
#pragma once

#include "store/run_store.hpp"
#include "store/sqlite.hpp"

#include <mutex>

namespace mmh::store {

class SqliteRunStore : public RunStore {
 public:
  explicit SqliteRunStore(const std::string& path);

  std::pair<RunRow, bool> submit(const RunRow& row) override;
  int64_t submit_many(const std::vector<RunRow>& rows) override;
  void settle(const std::string& id, RunStatus status, const std::string& error, double progress,
              const std::string& summary_json, int64_t now_ms) override;
  std::optional<RunRow> get(const std::string& id) override;
  std::vector<RunRow> list(const RunFilter& filter) override;
  int64_t count(const RunFilter& filter) override;
  std::optional<RunRow> claim(const std::string& worker, int64_t now_ms) override;
  bool heartbeat(const std::string& id, const std::string& worker, int64_t now_ms,
                 double progress) override;
  void finish(const std::string& id, const std::string& worker, RunStatus status,
              const std::string& error, const std::string& summary_json, int64_t now_ms) override;
  void release(const std::string& id, const std::string& worker) override;
  bool cancel(const std::string& id, int64_t now_ms) override;
  int64_t reclaim(int64_t now_ms, int64_t silent_ms) override;
  std::string describe() const override { return "sqlite " + db_.path(); }

 private:
  std::optional<RunRow> get_locked(const std::string& id);
  std::mutex mutex_;
  SqliteDb db_;
};

}  // namespace mmh::store
