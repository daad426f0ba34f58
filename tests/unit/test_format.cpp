#include "app/format.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace mmh;

TEST_CASE("command output formatting") {
  CHECK(with_commas(0) == "0");
  CHECK(with_commas(999) == "999");
  CHECK(with_commas(130708) == "130,708");
  CHECK(with_commas(1234567890) == "1,234,567,890");
  CHECK(iso_time(1747699200000LL * 1000000) == "2025-05-20T00:00:00Z");
  CHECK(iso_time(1747699200123LL * 1000000) == "2025-05-20T00:00:00.123Z");
  CHECK(human_rate(2.5e8) == "250.0M");
  CHECK(human_rate(1500) == "1.5k");
  CHECK(json_escape("a\"b\\c\nd\x01") == "a\\\"b\\\\c\\nd\\u0001");
}

TEST_CASE("iso_time agrees with gmtime and strftime, and writes in place") {
  // Every 37 hours and 1,234 ms from 1970 to 2100: leap years, month ends, centuries.
  for (int64_t ms = 0; ms < 4'102'444'800'000LL; ms += 37LL * 3'600'000 + 1'234) {
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char want[48];
    const size_t n = std::strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
    if (ms % 1000 != 0) std::snprintf(want + n, sizeof(want) - n, ".%03d", int(ms % 1000));
    std::strcat(want, "Z");
    REQUIRE(iso_time(ms * 1'000'000 + 999'999) == want);  // sub-millisecond part truncated
  }
  CHECK(iso_time(951782400LL * 1'000'000'000) == "2000-02-29T00:00:00Z");
  char line[kIsoTimeMaxChars + 2] = "t=";
  *write_iso_time(line + 2, 1747699200123LL * 1000000) = '\0';
  CHECK(std::string(line) == "t=2025-05-20T00:00:00.123Z");
}

TEST_CASE("iso_time: times of one day, then of others, then of it again (the kept date)") {
  const auto want = [](int64_t ms) {
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[48];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(text);
  };
  const int64_t day_ms = int64_t{1747699200000};  // 2025-05-20
  for (const int64_t ms : {day_ms, day_ms + 59'000, day_ms + 86'399'000, day_ms + 86'400'000,
                           day_ms - 1'000, day_ms + 3'600'000, int64_t{0}, day_ms + 7'000})
    CHECK(iso_time(ms * 1'000'000) == want(ms));
  CHECK(iso_time(-1'000'000'000) == "1969-12-31T23:59:59Z");
  CHECK(iso_time(day_ms * 1'000'000) == "2025-05-20T00:00:00Z");
}

TEST_CASE("json escapes: quotes, backslashes and control characters, the rest as is") {
  CHECK(json_escape("") == "");
  CHECK(json_escape("plain text, no escapes") == "plain text, no escapes");
  CHECK(json_escape("\"") == "\\\"");
  CHECK(json_escape("tab\there\r\n") == "tab\\there\\r\\n");
  CHECK(json_escape(std::string_view("\x1f\0end", 5)) == "\\u001f\\u0000end");
  CHECK(json_escape("caf\xc3\xa9") == "caf\xc3\xa9");  // UTF-8 passes through
  char line[32] = "{\"k\":\"";
  *write_json_escaped(line + 6, "a\"b") = '\0';
  CHECK(std::string(line) == "{\"k\":\"a\\\"b");
}

TEST_CASE("json escapes: every ASCII byte reads back through a JSON parser as itself") {
  std::string all;
  for (int c = 0; c < 128; ++c) all += static_cast<char>(c);
  const std::string escaped = json_escape(all);
  CHECK(nlohmann::json::parse("\"" + escaped + "\"").get<std::string>() == all);
  // Only the 32 controls, '"' and '\\' are escaped: one backslash each, two for '\\'.
  size_t backslashes = 0;
  for (const char c : escaped) backslashes += c == '\\' ? 1 : 0;
  CHECK(backslashes == 32 + 1 + 2);
}

TEST_CASE("json escapes: every byte value at every offset of a word, as one byte at a time") {
  // The escaper takes eight bytes at a time when none needs an escape: each byte value is put at
  // each position of texts of 0..24 bytes, in plain text and next to other escapes.
  auto one_by_one = [](std::string_view text) {
    std::string out;
    for (const char c : text) out += json_escape(std::string_view(&c, 1));
    return out;
  };
  for (int value = 0; value < 256; ++value)
    for (size_t size = 1; size <= 24; ++size)
      for (size_t at = 0; at < size; ++at) {
        std::string text(size, 'a');
        text[at] = static_cast<char>(value);
        if (size > 9) text[(at + 9) % size] = '"';
        CAPTURE(value);
        CAPTURE(size);
        CAPTURE(at);
        REQUIRE(json_escape(text) == one_by_one(text));
      }
}

TEST_CASE("fixed with four decimals: what printf(\"%.4f\") writes, for every kind of double") {
  auto want = [](double v) {
    char buf[400];
    return std::string(buf,
                       std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, 4).ptr);
  };
  auto got = [](double v) {
    char buf[mmh::kFixed4MaxChars];
    return std::string(buf, mmh::write_fixed4(buf, v));
  };
  std::vector<double> values = {
      0.0,    -0.0,     1e-5,    -1e-5,  0.00005, -0.00005,        0.00015,
      0.5,    99.99995, 100.0,   1e9,    1e9 - 1, 999999999.99995, 1e15,
      -1e300, 5e-324,   0.12345, 2.5e-5, -2.5e-5};
  std::mt19937_64 rng(23);
  for (int i = 0; i < 200'000; ++i) {
    const int64_t k = static_cast<int64_t>(rng() % 2'000'000'000) - 1'000'000'000;
    values.push_back(static_cast<double>(k) / 1e4);          // on a decimal
    values.push_back((static_cast<double>(k) + 0.5) / 1e4);  // near a tie
    values.push_back(std::ldexp(static_cast<double>(rng() >> 11), -static_cast<int>(rng() % 80)));
  }
  for (const double v : values) {
    CAPTURE(v);
    REQUIRE(got(v) == want(v));
  }
  CHECK(got(std::nan("")) == want(std::nan("")));
  CHECK(got(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(got(-0.0) == "-0.0000");
  CHECK(got(0.00005) == want(0.00005));  // the double is just above or below the tie: as printf
}

TEST_CASE("kept text: rendered when the value changes, kept while it stands still") {
  int renders = 0;
  auto render = [&](char* out, uint64_t bits) {
    ++renders;
    return mmh::write_fixed4(out, std::bit_cast<double>(bits));
  };
  mmh::KeptText<uint64_t, mmh::kFixed4MaxChars> kept;
  CHECK(kept.of(std::bit_cast<uint64_t>(0.0), render) == "0.0000");
  CHECK(kept.of(std::bit_cast<uint64_t>(0.0), render) == "0.0000");
  CHECK(renders == 1);
  // -0.0 == 0.0 as doubles, not as bits: its own text.
  CHECK(kept.of(std::bit_cast<uint64_t>(-0.0), render) == "-0.0000");
  CHECK(kept.of(std::bit_cast<uint64_t>(12.5), render) == "12.5000");
  CHECK(kept.of(std::bit_cast<uint64_t>(0.0), render) == "0.0000");  // only the last is kept
  CHECK(renders == 4);
}
