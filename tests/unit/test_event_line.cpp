#include "app/event_line.hpp"

#include <mmhost/sdk/hash.hpp>

#include <doctest/doctest.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Built {
  std::string line;
  std::string record;
};

Built build() {
  std::vector<char> record(4);  // small: it must grow
  size_t used = 0;
  mmh::EventLine e(record, used);
  e.str("type", "fill")
      .num("ts_ns", 1'700'000'000'000'000'000)
      .time("time", 1'700'000'000'000'000'000)
      .str("id", "mm-7 \"q\"")
      .e8("price", 250'012'000'000)
      .flag("maker", true)
      .done();
  Built b;
  b.record.assign(record.data(), used);
  mmh::append_event_lines(b.record, b.line);
  return b;
}

}  // namespace

TEST_CASE("event line: the binary record and the JSON line rendered from it") {
  const Built b = build();
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

TEST_CASE("event lines: every field form, several records, and bytes that are not records") {
  std::vector<char> record(16);
  size_t used = 0;
  mmh::EventLine(record, used)
      .str("type", "order")
      .num("ts_ns", -42)
      .e8("qty", -150'000'000)
      .flag("maker", false)
      .str("reason", "tab\there \x01 and \xc3\xa9")
      .str("empty", "")
      .done();
  mmh::EventLine(record, used).str("type", "x").num("ts_ns", 7).done();
  const std::string records(record.data(), used);
  std::string lines = "kept:";
  mmh::append_event_lines(records, lines);
  CHECK(lines ==
        "kept:{\"type\":\"order\",\"ts_ns\":-42,\"qty\":\"-1.5\",\"maker\":false,"
        "\"reason\":\"tab\\there \\u0001 and "
        "\xc3\xa9\",\"empty\":\"\"}\n{\"type\":\"x\",\"ts_ns\":7}\n");
  // Into a buffer that only grows: the text is its first `used` bytes, whatever lies after.
  std::string buffer(3, '#');
  size_t text_used = 1;
  for (int i = 0; i < 3; ++i) mmh::append_event_lines(records, buffer, text_used);
  CHECK(text_used == 1 + 3 * (lines.size() - 5));
  CHECK(buffer.size() >= text_used);
  CHECK(buffer.substr(0, text_used) == "#" + lines.substr(5) + lines.substr(5) + lines.substr(5));
  // Lines back to records: the hash of the lines is the hash of the records.
  std::istringstream in(lines.substr(5));
  CHECK(mmh::event_hash_of_lines(in) == mmh::sdk::hash64(records));
  // A record cut short, a string longer than what is left, an unknown type byte, a key missing.
  for (const std::string& bad :
       {records.substr(0, records.size() - 1), records.substr(0, 20), std::string("typeQ\n"),
        std::string("S\x00\x00\x00\x00\n"), std::string("typeS\xff\x00\x00\x00ab\n")}) {
    std::string out;
    CHECK_THROWS_AS(mmh::append_event_lines(bad, out), std::runtime_error);
  }
}

TEST_CASE("event hash of lines: a file's lines give the hash of the records back") {
  const Built b = build();
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
