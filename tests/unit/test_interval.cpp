#include <mmhost/sdk/interval.hpp>

#include <doctest/doctest.h>

using namespace mmh::sdk;

TEST_CASE("intervals parse from mmhost text and Bybit minute codes") {
  CHECK(parse_interval_ns("1m") == kNsPerMinute);
  CHECK(parse_interval_ns("5") == 5 * kNsPerMinute);  // Bybit's "5"
  CHECK(parse_interval_ns("1h") == 60 * kNsPerMinute);
  CHECK(parse_interval_ns("60") == 60 * kNsPerMinute);
  CHECK(parse_interval_ns("D") == kNsPerDay);
  CHECK(parse_interval_ns("1d") == kNsPerDay);
  CHECK(parse_interval_ns("30s") == 30 * kNsPerSecond);
  CHECK(parse_interval_ns("") == 0);
  CHECK(parse_interval_ns("5x") == 0);
  CHECK(parse_interval_ns("-5m") == 0);
  CHECK(parse_interval_ns("0m") == 0);
}

TEST_CASE("intervals format to the largest whole unit") {
  CHECK(format_interval(kNsPerMinute) == "1m");
  CHECK(format_interval(240 * kNsPerMinute) == "4h");
  CHECK(format_interval(kNsPerDay) == "1d");
  CHECK(format_interval(90 * kNsPerSecond) == "90s");
  CHECK(format_interval(1500) == "1500ns");
}
