// --listen / --metrics addresses: numeric hosts, a bare port on loopback, IPv6 in brackets.
#include "app/endpoint_text.hpp"

#include <doctest/doctest.h>

using mmh::http_origin;
using mmh::parse_endpoint;

TEST_CASE("endpoint text: HOST:PORT, PORT, [v6]:PORT, names and bad ports refused") {
  REQUIRE(parse_endpoint("127.0.0.1:8080"));
  CHECK(parse_endpoint("127.0.0.1:8080")->port() == 8080);
  CHECK(parse_endpoint("9464")->address().to_string() == "127.0.0.1");
  CHECK(parse_endpoint("[::1]:0")->address().is_v6());
  CHECK(parse_endpoint("0.0.0.0:1")->address().is_unspecified());
  for (const char* bad : {"localhost:80", "127.0.0.1:65536", "127.0.0.1:", "1.2.3.4:8x", ""})
    CHECK_MESSAGE(!parse_endpoint(bad), bad);
  CHECK(http_origin(*parse_endpoint("[::1]:81")) == "http://[::1]:81");
  CHECK(http_origin(*parse_endpoint("10.0.0.2:5")) == "http://10.0.0.2:5");
}
