#include "app/run_file_writer.hpp"

#include "app/event_line.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
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

// Records handed over as a backtest does, from a buffer of the caller's.
void give(mmh::RunFileWriter& writer, std::string_view records) {
  std::vector<char> buffer(records.begin(), records.end());
  writer.take_events(buffer, buffer.size());
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path scratch(const char* name) {
  const fs::path dir = fs::temp_directory_path() / ("mmhost_rfw_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

constexpr mmh::amount_e18 kE18 = mmh::kE18;

}  // namespace

TEST_CASE("run file writer: every chunk's lines and every row, in order, once closed") {
  const fs::path events = scratch("events.jsonl");
  const fs::path equity = scratch("equity.csv");
  std::string expected;
  {
    mmh::RunFileWriter writer(events, equity);
    writer.add_equity_text("time,ts_ns,mid,base,quote,equity,drawdown_pct,base_share,state\n");
    // More chunks than the queue holds: adding waits for the thread, nothing is dropped.
    for (int chunk = 0; chunk < 50; ++chunk) {
      const std::string r = records(chunk * 100, 100);
      give(writer, r);
      mmh::append_event_lines(r, expected);
    }
    give(writer, "");  // nothing
    // More rows than a chunk holds; holdings that change, and a value that does.
    const size_t rows = 2 * mmh::RunFileWriter::kRowsPerChunk + 3;
    for (size_t i = 0; i < rows; ++i) {
      mmh::EquityRow row;
      row.ts_ns = 1'700'000'000'000'000'000 + static_cast<int64_t>(i) * 60'000'000'000;
      row.mid_e8 = 250'012'000'000;
      row.base_e18 = i < 5 ? 0 : kE18 / 4;
      row.quote_e18 = 10'000 * kE18 - static_cast<mmh::amount_e18>(i);
      row.equity_e18 = row.quote_e18 + kE18 * 625;
      row.drawdown_pct = 1.23456;
      row.base_share = i < 5 ? 0.0 : 0.05;
      writer.add_equity_row(row, {i < 5 ? "idle" : "mm"});
    }
    writer.close();
  }
  CHECK(read(events) == expected);
  CHECK(expected.find("\"id\":\"mm-4999\"") != std::string::npos);
  const std::string csv = read(equity);
  CHECK(csv.rfind("time,ts_ns,mid,base,quote,equity,drawdown_pct,base_share,state\n"
                  "2023-11-14T22:13:20Z,1700000000000000000,2500.12,0,10000,10625,1.2346,0.0000,"
                  "idle\n",
                  0) == 0);
  CHECK(csv.find("\n2023-11-14T22:18:20Z,1700000300000000000,2500.12,0.25,"
                 "9999.999999999999999995,10624.999999999999999995,1.2346,0.0500,mm\n") !=
        std::string::npos);
  CHECK(std::count(csv.begin(), csv.end(), '\n') ==
        static_cast<long>(2 * mmh::RunFileWriter::kRowsPerChunk + 4));
  fs::remove_all(events.parent_path());
}

TEST_CASE("run file writer: records taken by swapping buffers, the caller's reused at once") {
  const fs::path events = scratch("taken.jsonl");
  std::string expected;
  {
    mmh::RunFileWriter writer(events, scratch("taken.csv"));
    std::vector<char> buffer(16);
    for (int chunk = 0; chunk < 60; ++chunk) {
      const std::string r = records(chunk * 50, 50 + chunk);
      if (buffer.size() < r.size() + 7) buffer.resize(r.size() + 7);
      std::copy(r.begin(), r.end(), buffer.begin());
      // Every third chunk from a buffer of its own: buffers of every size mix in one stream,
      // in order.
      if (chunk % 3 == 2)
        give(writer, std::string_view(buffer.data(), r.size()));
      else
        writer.take_events(buffer, r.size());
      mmh::append_event_lines(r, expected);
      // What came back is the caller's to overwrite: nothing queued may still read it.
      std::fill(buffer.begin(), buffer.end(), 'Q');
    }
    writer.take_events(buffer, 0);  // nothing, and the buffer stays
    CHECK(std::all_of(buffer.begin(), buffer.end(), [](char c) { return c == 'Q'; }));
    writer.close();
  }
  CHECK(read(events) == expected);
  fs::remove_all(events.parent_path());
}

TEST_CASE("run file writer: failures are told at close, and an unclosed writer stops") {
  CHECK_THROWS_AS(mmh::RunFileWriter(scratch("no/such/dir/events.jsonl"), scratch("e.csv")),
                  std::runtime_error);
  {
    mmh::RunFileWriter writer(scratch("bad.jsonl"), scratch("bad.csv"));
    give(writer, records(0, 3));
    give(writer, "typeQ\n");  // not a record
    give(writer, records(3, 3));
    CHECK_THROWS_WITH_AS(writer.close(), doctest::Contains("malformed"), std::runtime_error);
  }
  if (fs::exists("/dev/full")) {  // every write fails with ENOSPC
    mmh::RunFileWriter writer(scratch("ok.jsonl"), "/dev/full");
    for (int i = 0; i < 20; ++i) writer.add_equity_text(std::string(100'000, 'x'));
    CHECK_THROWS_WITH_AS(writer.close(), doctest::Contains("disk full"), std::runtime_error);
  }
  {
    mmh::RunFileWriter writer(scratch("dropped.jsonl"), scratch("dropped.csv"));
    for (int i = 0; i < 5; ++i) give(writer, records(i * 100, 100));
  }  // destroyed without close: the thread ends, nothing hangs
  fs::remove_all(scratch("x").parent_path());
}
