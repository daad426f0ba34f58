// `mmhost serve`: the HTTP API (api/api_server.hpp) over a run store, with an in-process pool of
// workers running the queued runs as child mmhost processes. Embedded by default: a SQLite
// store in STORE/runs.sqlite, no other server. With DATABASE_URL and REDIS_URL: runs in
// PostgreSQL, the queue in Redis, and `mmhost worker` processes (anywhere that shares --store)
// run them. Runs until SIGINT/SIGTERM; queued and running runs survive a restart.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mmh {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  int workers = -1;  // -1: one per core (embedded), none (PostgreSQL + Redis)
  std::string store = "store";
  std::string token_file;                 // else MMHOST_API_TOKEN, else STORE/api-token (made)
  std::vector<std::string> data_dirs;     // besides data/ and ../shared/data
  std::string ready_file;                 // written with the URL once listening (for scripts)
  std::vector<std::string> session_dirs;  // paper/live/paced runs for the Live page; default runs/
};

int run_serve_command(const ServeOptions& options, std::ostream& out, std::ostream& err);

struct WorkerOptions {
  int slots = 0;  // 0: one per core
  std::string store = "store";
};

// `mmhost worker`: takes runs from the PostgreSQL + Redis store until SIGINT/SIGTERM (its running
// runs then go back to the queue).
int run_worker_command(const WorkerOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mmh
