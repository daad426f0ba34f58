#include "app/event_line.hpp"

#include <mmhost/sdk/hash.hpp>

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

struct Built {
  std::string line;
  std::string record;
};

Built build(bool text) {
  std::vector<char> line_buffer(8), record(4);  // small: both must grow
  size_t used = 0;
  mmh::EventLine e(text ? &line_buffer : nullptr, record, used);
  const std::string_view line = e.str("type", "fill")
                                    .num("ts_ns", 1'700'000'000'000'000'000)
                                    .time("time", 1'700'000'000'000'000'000)
                                    .str("id", "mm-7 \"q\"")
                                    .e8("price", 250'012'000'000)
                                    .flag("maker", true)
                                    .done();
  return {std::string(line), std::string(record.data(), used)};
}

}  // namespace

TEST_CASE("event line: the JSON line and the binary record of the same fields") {
  const Built b = build(true);
  CHECK(b.line ==
        "{\"type\":\"fill\",\"ts_ns\":1700000000000000000,\"time\":\"2023-11-14T22:13:20Z\","
        "\"id\":\"mm-7 \\\"q\\\"\",\"price\":\"2500.12\",\"maker\":true}\n");
  // key, type byte, value: "type" 'S' u32 4 "fill" ...
  REQUIRE(b.record.size() > 10);
  CHECK(b.record.compare(0, 5, "typeS") == 0);
  CHECK(b.record.compare(5, 4, std::string("\x04\x00\x00\x00", 4)) == 0);
  CHECK(b.record.compare(9, 4, "fill") == 0);
  CHECK(b.record.back() == '\n');
  CHECK(b.record.find("priceD") != std::string::npos);
  CHECK(b.record.find("makerB\x01") != std::string::npos);
}

TEST_CASE("event line: without text the record is the same and no line is rendered") {
  const Built with = build(true);
  const Built without = build(false);
  CHECK(without.line.empty());
  CHECK(without.record == with.record);
}

TEST_CASE("event hash of lines: a file's lines give the hash of the records back") {
  const Built b = build(true);
  std::istringstream in(b.line + b.line);
  uint64_t events = 0;
  CHECK(mmh::event_hash_of_lines(in, &events) == mmh::sdk::hash64(b.record + b.record));
  CHECK(events == 2);
  std::istringstream changed(b.line.substr(0, b.line.find("2500.12")) +
                             "2500.13\",\"maker\":true}\n");
  CHECK(mmh::event_hash_of_lines(changed) != mmh::sdk::hash64(b.record));
  std::istringstream bad("{\"type\":\"fill\"}\n");
  CHECK_THROWS_WITH_AS(mmh::event_hash_of_lines(bad), doctest::Contains("line 1"),
                       std::runtime_error);
}
