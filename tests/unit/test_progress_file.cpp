// The progress a long command reports to whoever started it (MMHOST_PROGRESS_FILE).
#include "app/progress_file.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

using namespace mmh;

TEST_CASE("progress file: written when asked for, clamped, throttled except the end") {
  mmh::test::TempDir dir;
  const std::string file = dir.file("progress");
  CHECK(read_progress(file, -1) == -1);  // none yet
  ::unsetenv("MMHOST_PROGRESS_FILE");
  ProgressFile off;
  CHECK_FALSE(off.active());
  off.update(0.5);
  CHECK_FALSE(std::filesystem::exists(file));
  ::setenv("MMHOST_PROGRESS_FILE", file.c_str(), 1);
  ProgressFile on;
  ::unsetenv("MMHOST_PROGRESS_FILE");
  REQUIRE(on.active());
  on.update(0.25);
  CHECK(read_progress(file, -1) == doctest::Approx(0.25));
  on.update(0.5);  // within 200 ms of the last: not written
  CHECK(read_progress(file, -1) == doctest::Approx(0.25));
  on.update(1.5);  // the end always is, clamped
  CHECK(read_progress(file, -1) == 1.0);
  mmh::test::write_file(file, "garbage");
  CHECK(read_progress(file, 0.1) == doctest::Approx(0.1));
}
