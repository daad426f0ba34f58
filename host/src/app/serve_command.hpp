// `mmhost serve`: the HTTP API (api/api_server.hpp) over a run store, with an in-process pool of
// workers running the queued runs as child mmhost processes. Embedded by default: a SQLite
// store in STORE/runs.sqlite, no other server. Runs until SIGINT/SIGTERM; queued and running
// runs survive a restart (a running one is queued again).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mmh {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  int workers = 0;  // 0: one per core
  std::string store = "store";
  std::string token_file;              // else MMHOST_API_TOKEN, else STORE/api-token (made)
  std::vector<std::string> data_dirs;  // besides data/ and ../shared/data
  std::string ready_file;              // written with the URL once listening (for scripts)
};

int run_serve_command(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mmh
