// The forked worker pool: every job runs once and its result comes back, whatever the number of
// workers; an exception fails its job only; a worker that dies fails its job and is replaced.
#include "batch/worker_pool.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <csignal>
#include <map>
#include <stdexcept>

using namespace mmh::batch;

TEST_CASE("batch pool: each job once, results back, same with one and three workers") {
  for (unsigned workers : {1u, 3u}) {
    std::map<size_t, JobOutcome> got;
    const bool complete = run_pool(
        20, workers,
        [](size_t i) {
          if (i == 7) throw std::runtime_error("job 7 refused");
          return std::to_string(i * i) + " from " + std::to_string(getpid());
        },
        [&](size_t i, const JobOutcome& o) {
          CHECK(got.count(i) == 0);
          got[i] = o;
        });
    CHECK(complete);
    REQUIRE(got.size() == 20);
    for (size_t i = 0; i < 20; ++i) {
      if (i == 7) {
        CHECK(!got[i].ok);
        CHECK(got[i].text == "job 7 refused");
        continue;
      }
      CHECK(got[i].ok);
      CHECK(got[i].text.rfind(std::to_string(i * i) + " from ", 0) == 0);
      // Ran in a worker process, not here.
      CHECK(got[i].text.find(" from " + std::to_string(getpid())) == std::string::npos);
    }
  }
}

TEST_CASE("batch pool: a worker that dies fails its job, the others still run") {
  std::map<size_t, JobOutcome> got;
  const bool complete = run_pool(
      6, 2,
      [](size_t i) -> std::string {
        if (i == 2) raise(SIGKILL);  // (SIGSEGV would be caught by ASan's handler)
        return "ok " + std::to_string(i);
      },
      [&](size_t i, const JobOutcome& o) { got[i] = o; });
  CHECK(complete);
  REQUIRE(got.size() == 6);
  CHECK(!got[2].ok);
  CHECK(got[2].text.find("signal 9") != std::string::npos);
  for (size_t i : {0u, 1u, 3u, 4u, 5u}) CHECK(got[i].text == "ok " + std::to_string(i));
}
