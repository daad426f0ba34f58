#include "app/event_file_writer.hpp"

#include "app/event_line.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// `n` records, each with its index in it.
std::string records(int first, int n) {
  std::vector<char> buffer(64);
  size_t used = 0;
  for (int i = first; i < first + n; ++i)
    mmh::EventLine(buffer, used)
        .str("type", "order")
        .num("ts_ns", i)
        .time("time", int64_t{i} * 60'000'000'000)
        .str("id", "mm-" + std::to_string(i))
        .e8("price", 250'000'000'000 + i)
        .done();
  return std::string(buffer.data(), used);
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path scratch(const char* name) {
  const fs::path dir = fs::temp_directory_path() / ("mmhost_efw_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST_CASE("event file writer: every chunk's lines, in order, once closed") {
  const fs::path path = scratch("events.jsonl");
  std::string expected;
  {
    mmh::EventFileWriter writer(path);
    // More chunks than the queue holds: add waits for the thread, nothing is dropped.
    for (int chunk = 0; chunk < 50; ++chunk) {
      const std::string r = records(chunk * 100, 100);
      writer.add(r);
      mmh::append_event_lines(r, expected);
    }
    writer.add("");  // nothing
    writer.close();
  }
  CHECK(read(path) == expected);
  CHECK(expected.find("\"id\":\"mm-4999\"") != std::string::npos);
  fs::remove_all(path.parent_path());
}

TEST_CASE("event file writer: failures are told at close, and an unclosed writer stops") {
  CHECK_THROWS_AS(mmh::EventFileWriter(scratch("no/such/dir/events.jsonl")), std::runtime_error);
  {
    mmh::EventFileWriter writer(scratch("bad.jsonl"));
    writer.add(records(0, 3));
    writer.add("typeQ\n");  // not a record
    writer.add(records(3, 3));
    CHECK_THROWS_WITH_AS(writer.close(), doctest::Contains("malformed"), std::runtime_error);
  }
  if (fs::exists("/dev/full")) {  // every write fails with ENOSPC
    mmh::EventFileWriter writer("/dev/full");
    for (int i = 0; i < 20; ++i) writer.add(records(i * 100, 100));
    CHECK_THROWS_WITH_AS(writer.close(), doctest::Contains("disk full"), std::runtime_error);
  }
  {
    mmh::EventFileWriter writer(scratch("dropped.jsonl"));
    for (int i = 0; i < 5; ++i) writer.add(records(i * 100, 100));
  }  // destroyed without close: the thread ends, nothing hangs
  fs::remove_all(scratch("x").parent_path());
}
