// `mmhost serve` + `mmhost worker` on real PostgreSQL 15 and Redis 7 (started here in temporary
// directories): the seed's body through the API and two workers gives the CLI's event hash; a
// serve restart keeps everything; a worker killed with -9 mid-run has its run taken over by the
// other, which finishes it once.
#include "serve_client.hpp"
#include "services.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <future>
#include <sstream>
#include <thread>

using namespace mmh::test;

namespace {

// `mmhost worker` in the background; its process id once it runs.
class Worker {
 public:
  Worker(const std::string& store, const std::string& env, int slots = 1) {
    done_ = std::async(std::launch::async, [=] {
      return run_mmhost("worker --slots " + std::to_string(slots) + " --store " + store, env);
    });
  }
  std::future<CommandResult>& done() { return done_; }

 private:
  std::future<CommandResult> done_;
};

// The pids of `mmhost worker` processes on `store`.
std::vector<int> worker_pids(const std::string& store) {
  const CommandResult r =
      run_command("pgrep -f -- '^" + mmhost_binary() + " worker .*--store " + store + "$'");
  std::vector<int> pids;
  std::istringstream in(r.output);
  for (int pid = 0; in >> pid;) pids.push_back(pid);
  return pids;
}

}  // namespace

TEST_CASE("mmhost serve + worker on PostgreSQL and Redis: the CLI's hash, a restart keeps all") {
  PostgresServer pg;
  RedisServer redis;
  TempDir dir;
  const std::string env = "DATABASE_URL=" + pg.url() + " REDIS_URL=" + redis.url();
  const std::string store = dir.file("store");
  std::string id;
  {
    Serve serve(store, 0, "", env);
    const json health = serve.get("/health").second;
    CHECK(health["workers"]["mode"] == "postgresql+redis");
    CHECK(health["store"].get<std::string>().find("postgresql postgres://mmhost@127.0.0.1:") == 0);
    const auto [code, run] = serve.post("/runs", kSeedBody);
    REQUIRE(code == 201);
    id = run["id"];
    CHECK(serve.post("/runs", kSeedBody).second["existing"] == true);
    CHECK(serve.stop().exit_code == 0);  // nothing ran yet: the run waits in Redis
  }
  Worker a(store, env), b(store, env);
  Serve serve(store, 0, "", env);
  const json run = serve.wait_finished(id);
  INFO(run.dump());
  REQUIRE(run["status"] == "done");
  CHECK(run["attempts"] == 1);
  const json summary = cli_seed_summary(dir.file("cli"));
  CHECK(serve.get("/runs/" + id + "/metrics").second["event_hash"] == summary["event_hash"]);
  const auto [fcode, fills] = http_request(serve.url() + "/runs/" + id + "/artifacts/fills.csv");
  CHECK(fcode == 200);
  CHECK(fills == read_file(dir.file("cli/fills.csv")));
  CHECK(serve.get("/runs").second["total"] == 1);
  for (int pid : worker_pids(store)) ::kill(pid, SIGTERM);
  CHECK(a.done().get().exit_code == 0);
  CHECK(b.done().get().exit_code == 0);
}

TEST_CASE("mmhost worker: killed with -9 mid-run, its run is taken over and finishes once") {
  PostgresServer pg;
  RedisServer redis;
  TempDir dir;
  const std::string env = "DATABASE_URL=" + pg.url() + " REDIS_URL=" + redis.url();
  const std::string store = dir.file("store");
  Serve serve(store, 0, "", env);
  Worker first(store, env);
  REQUIRE(wait_for([&] { return worker_pids(store).size() == 1; }, 10000));
  const int first_pid = worker_pids(store).front();
  const std::string id =
      serve.post("/runs", R"({"kind":"batch","script":"scripts/sweep_grid.lua","jobs":1})")
          .second["id"];
  REQUIRE(wait_for([&] { return serve.get("/runs/" + id).second["status"] == "running"; }, 15000));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // some of the batch is done
  Worker second(store, env);
  REQUIRE(wait_for([&] { return worker_pids(store).size() == 2; }, 10000));
  REQUIRE(::kill(first_pid, SIGKILL) == 0);
  CHECK(first.done().get().exit_code != 0);
  // The other worker takes it over once its heartbeat is 15 s old, and finishes it (90 backtests:
  // minutes under the sanitizers, `ctest --preset asan-full`).
  const json run = serve.wait_finished(id, 120000 * kBuildSlowdown);
  INFO(run.dump());
  CHECK(run["status"] == "done");
  CHECK(run["attempts"] == 2);
  CHECK(run["worker"] != "");
  // Nothing of the first worker's child is left, and the batch holds each of its runs once.
  CHECK(run_command("pgrep -f -- '[r]uns/" + id + "'").output.empty());
  const CommandResult rows = run_command("sqlite3 " + store + "/runs/" + id +
                                         "/results.sqlite 'SELECT COUNT(*), COUNT(DISTINCT key) "
                                         "FROM runs'");
  CHECK(rows.output == "90|90\n");
  for (int pid : worker_pids(store)) ::kill(pid, SIGTERM);
  CHECK(second.done().get().exit_code == 0);
}
