// Integers sent as text: digits only, in range, or nothing.
#include "text_number.hpp"

#include <doctest/doctest.h>

using mmh::bybit::parse_count;

TEST_CASE("bybit text numbers: digits only, in range") {
  CHECK(parse_count("1694649600000") == 1694649600000);
  CHECK(parse_count("0") == 0);
  CHECK(parse_count<uint64_t>("2290000000050703789") == 2290000000050703789ull);
  CHECK(parse_count("1688639403423213947") == 1688639403423213947);  // timeNano fits
  CHECK(!parse_count(""));
  CHECK(!parse_count("-1"));
  CHECK(!parse_count("+1"));
  CHECK(!parse_count("12a"));
  CHECK(!parse_count("1.5"));
  CHECK(!parse_count("99999999999999999999"));            // past int64
  CHECK(!parse_count<uint64_t>("99999999999999999999"));  // past uint64
}
