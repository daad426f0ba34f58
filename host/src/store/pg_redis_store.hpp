// The scale-out run store: runs in PostgreSQL (DATABASE_URL, libpq), the queue a Redis stream
// with a consumer group (REDIS_URL, hiredis). Any number of `mmhost worker` processes on any
// number of machines claim jobs with XREADGROUP; a worker heartbeats by resetting its pending
// entry's idle time (XCLAIM ... JUSTID) and its row's heartbeat; a job whose worker went silent
// is taken over with XAUTOCLAIM and fails after RunStore::kMaxAttempts. PostgreSQL decides who
// holds a run: only the worker named in its row may heartbeat or finish it.
#pragma once

#include "store/run_store.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace mmh::store {

class ServiceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PgRedisStore : public RunStore {
 public:
  // Connects to both (and creates the table and the consumer group when missing); throws
  // ServiceError saying which service failed and why (never the URLs' passwords).
  PgRedisStore(const std::string& database_url, const std::string& redis_url,
               int64_t silent_ms = 15000);
  ~PgRedisStore() override;

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
  std::string describe() const override;

  static constexpr const char* kStream = "mmhost:jobs";
  static constexpr const char* kGroup = "workers";

 private:
  struct Pg;
  struct Redis;
  std::unique_ptr<Pg> pg_;
  std::unique_ptr<Redis> redis_;
  int64_t silent_ms_;
  int64_t next_takeover_ms_ = 0;  // the next look for silent workers' jobs (under redis_->mutex)
  std::mutex entries_mutex_;
  std::map<std::string, std::string> entries_;  // run id -> its stream entry (held here)
};

// "postgres://user:***@host:5432/db": a URL as it may be shown.
std::string redact_url(const std::string& url);

}  // namespace mmh::store
