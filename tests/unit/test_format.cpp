#include "app/format.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

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
