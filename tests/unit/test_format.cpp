#include "app/format.hpp"

#include <doctest/doctest.h>

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
