// The embedded run store: a job submitted twice is one run, claims take the oldest queued run
// once, only the holder's heartbeat and outcome count, a silent worker's run is taken back (and
// fails after three attempts), cancel and release.
#include "store/sqlite_run_store.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <set>
#include <thread>

using namespace mmh::store;
using mmh::test::TempDir;

namespace {

RunRow job(const std::string& id, int64_t created_ms = 1000) {
  RunRow r;
  r.id = id;
  r.name = "job " + id;
  r.kind = "backtest";
  r.spec_json = "{}";
  r.argv_json = "[\"backtest\"]";
  r.created_ms = created_ms;
  return r;
}

}  // namespace

TEST_CASE("run store: the same id is one run, claims go oldest first and only once") {
  TempDir dir;
  SqliteRunStore s(dir.file("runs.sqlite"));
  CHECK(s.submit(job("a")).second);
  CHECK(s.submit(job("b")).second);
  const auto [again, added] = s.submit(job("a"));
  CHECK_FALSE(added);
  CHECK(again.name == "job a");
  std::optional<RunRow> first = s.claim("w1", 2000);
  REQUIRE(first);
  CHECK(first->id == "a");
  CHECK(first->status == RunStatus::running);
  CHECK(first->attempts == 1);
  CHECK(s.claim("w2", 2000)->id == "b");
  CHECK_FALSE(s.claim("w3", 2000));
  RunFilter running;
  running.status = RunStatus::running;
  CHECK(s.count(running) == 2);
}

TEST_CASE("run store: claims from many threads never hand out a run twice") {
  TempDir dir;
  SqliteRunStore s(dir.file("runs.sqlite"));
  for (int i = 0; i < 200; ++i) s.submit(job("r" + std::to_string(i), i));
  std::mutex m;
  std::multiset<std::string> taken;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&, w] {
      while (auto row = s.claim("w" + std::to_string(w), 1)) {
        std::lock_guard lock(m);
        taken.insert(row->id);
      }
    });
  for (auto& t : workers) t.join();
  CHECK(taken.size() == 200);
  CHECK(std::set<std::string>(taken.begin(), taken.end()).size() == 200);
}

TEST_CASE("run store: only the holder heartbeats and finishes, a silent one is taken back") {
  TempDir dir;
  SqliteRunStore s(dir.file("runs.sqlite"));
  s.submit(job("a"));
  REQUIRE(s.claim("w1", 1000));
  CHECK(s.heartbeat("a", "w1", 2000, 0.5));
  CHECK_FALSE(s.heartbeat("a", "w2", 2000, 0.5));
  CHECK(s.reclaim(5000, 10000) == 0);  // heartbeat 3 s ago: still alive
  CHECK(s.reclaim(20000, 10000) == 1);
  CHECK(s.get("a")->status == RunStatus::queued);
  REQUIRE(s.claim("w2", 21000));
  // The first worker comes back late: neither its heartbeat nor its outcome counts.
  CHECK_FALSE(s.heartbeat("a", "w1", 21500, 0.9));
  s.finish("a", "w1", RunStatus::failed, "late", "", 21600);
  CHECK(s.get("a")->status == RunStatus::running);
  s.finish("a", "w2", RunStatus::done, "", "{\"net_pnl\":\"1\"}", 22000);
  const RunRow done = *s.get("a");
  CHECK(done.status == RunStatus::done);
  CHECK(done.attempts == 2);
  CHECK(done.progress == 1.0);
  CHECK(done.summary_json == "{\"net_pnl\":\"1\"}");
}

TEST_CASE("run store: after three silent workers the run fails with why") {
  TempDir dir;
  SqliteRunStore s(dir.file("runs.sqlite"));
  s.submit(job("a"));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    REQUIRE(s.claim("w" + std::to_string(attempt), attempt * 100000));
    CHECK(s.reclaim(attempt * 100000 + 50000, 10000) == 1);
  }
  const RunRow r = *s.get("a");
  CHECK(r.status == RunStatus::failed);
  CHECK(r.error.find("its worker stopped 3 times") != std::string::npos);
  CHECK_FALSE(s.claim("w4", 500000));
}

TEST_CASE("run store: cancel ends a queued run at once, flags a running one, release requeues") {
  TempDir dir;
  SqliteRunStore s(dir.file("runs.sqlite"));
  s.submit(job("q"));
  s.submit(job("r", 2000));
  CHECK(s.cancel("q", 3000));
  CHECK(s.get("q")->status == RunStatus::cancelled);
  CHECK_FALSE(s.cancel("q", 3000));  // finished
  CHECK_FALSE(s.cancel("nope", 3000));
  REQUIRE(s.claim("w", 3000)->id == "r");
  CHECK(s.cancel("r", 3100));
  CHECK(s.get("r")->cancel_requested);
  CHECK(s.get("r")->status == RunStatus::running);
  s.release("r", "w");  // the worker stops: back in the queue, the attempt not counted
  CHECK(s.get("r")->status == RunStatus::queued);
  CHECK(s.get("r")->attempts == 0);
}

TEST_CASE("run store: filters and paging, newest first, the file keeps everything") {
  TempDir dir;
  {
    SqliteRunStore s(dir.file("runs.sqlite"));
    for (int i = 0; i < 30; ++i) {
      RunRow r = job("r" + std::to_string(i), i);
      r.kind = i % 3 == 0 ? "batch" : "backtest";
      r.name = i % 2 ? "odd " + std::to_string(i) : "even " + std::to_string(i);
      s.submit(r);
    }
  }
  SqliteRunStore s(dir.file("runs.sqlite"));  // reopened: a restart loses nothing
  RunFilter f;
  f.kind = "batch";
  CHECK(s.count(f) == 10);
  f = {};
  f.name = "odd";
  f.limit = 5;
  f.offset = 5;
  const std::vector<RunRow> page = s.list(f);
  REQUIRE(page.size() == 5);
  CHECK(page[0].name == "odd 19");  // newest first: 29 27 25 23 21 | 19 ...
  CHECK(s.count(f) == 15);
  f = {};
  f.status = RunStatus::done;
  CHECK(s.count(f) == 0);
}

TEST_CASE("run store: a sweep's parent is never a job, its children are, in one transaction") {
  TempDir dir;
  SqliteRunStore s(dir.file("runs.sqlite"));
  RunRow parent = job("p");
  parent.kind = "sweep";
  parent.status = RunStatus::running;
  s.submit(parent);
  std::vector<RunRow> children;
  for (int i = 0; i < 3; ++i) {
    children.push_back(job("c" + std::to_string(i)));
    children.back().parent_id = "p";
  }
  CHECK(s.submit_many(children) == 3);
  CHECK(s.submit_many(children) == 0);
  CHECK(s.reclaim(1'000'000'000, 0) == 0);  // the parent has no worker: nothing to take back
  std::set<std::string> claimed;
  while (auto r = s.claim("w", 5)) claimed.insert(r->id);
  CHECK(claimed == std::set<std::string>{"c0", "c1", "c2"});
  s.settle("p", RunStatus::done, "", 1.0, "{\"runs\":3}", 9);
  CHECK(s.get("p")->status == RunStatus::done);
  CHECK(s.get("p")->finished_ms == 9);
  RunFilter f;
  f.parent_id = "p";
  CHECK(s.count(f) == 3);
}
