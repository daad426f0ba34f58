// Venue files: the shipped ones load, mistakes are named with file:line.
#include "venue_config.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

using namespace mmh::bybit;
using namespace mmh::test;

TEST_CASE("bybit venues: URLs split into scheme, host, port and path") {
  const Url a = parse_url("https://api.bybit.com");
  CHECK(a.scheme == "https");
  CHECK(a.host == "api.bybit.com");
  CHECK(a.port == "443");
  CHECK(a.path.empty());
  CHECK(a.tls());
  CHECK(a.origin() == "https://api.bybit.com");
  const Url b = parse_url("ws://127.0.0.1:8080/v5/public/spot/");
  CHECK(b.port == "8080");
  CHECK(b.path == "/v5/public/spot");
  CHECK(!b.tls());
  CHECK(b.origin() == "ws://127.0.0.1:8080");
  CHECK_THROWS_WITH_AS(parse_url("api.bybit.com"), doctest::Contains("absolute"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_url("ftp://x"), doctest::Contains("scheme"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_url("https://x:99999"), doctest::Contains("port"),
                       std::invalid_argument);
}

TEST_CASE("bybit venues: the shipped mainnet, testnet and demo files") {
  const std::vector<std::string> dirs = {source_dir() + "/configs/venues"};
  const VenueConfig main = find_venue_config("mainnet", dirs);
  CHECK(main.rest_url == "https://api.bybit.com");
  CHECK(main.ws_public_url == "wss://stream.bybit.com/v5/public/spot");
  CHECK(main.ban_ms >= 600000);
  CHECK(find_venue_config("testnet", dirs).rest_url == "https://api-testnet.bybit.com");
  const VenueConfig demo = find_venue_config("demo", dirs);
  CHECK(demo.ws_trade_url.empty());
  CHECK(demo.ws_public_url == main.ws_public_url);  // demo's public data is mainnet's
  CHECK(main.batch_orders);
  CHECK(!demo.batch_orders);  // spot create-batch is not offered on demo
  CHECK_THROWS_WITH_AS(find_venue_config("moonnet", dirs), doctest::Contains("moonnet.yaml"),
                       VenueConfigError);
}

TEST_CASE("bybit venues: unknown keys, bad URLs and bad numbers name file:line") {
  TempDir dir;
  const std::string base =
      "name: t\nrest_url: http://127.0.0.1:1\nws_public_url: ws://127.0.0.1:1/p\n"
      "ws_private_url: ws://127.0.0.1:1/q\n";
  const std::string ok = write_file(dir.file("ok.yaml"), base + "ca_file: ca.pem\n");
  CHECK(load_venue_config(ok).ca_file == dir.file("ca.pem"));  // relative to the file
  CHECK_THROWS_WITH_AS(load_venue_config(write_file(dir.file("a.yaml"), base + "retries: 3\n")),
                       doctest::Contains("a.yaml:5: unknown key 'retries'"), VenueConfigError);
  CHECK_THROWS_WITH_AS(
      load_venue_config(write_file(dir.file("b.yaml"), base + "timeout_ms: soon\n")),
      doctest::Contains("b.yaml:5: timeout_ms must be an integer"), VenueConfigError);
  CHECK_THROWS_WITH_AS(
      load_venue_config(write_file(dir.file("c.yaml"), "name: t\nrest_url: api.bybit.com\n")),
      doctest::Contains("c.yaml:2: rest_url"), VenueConfigError);
  CHECK_THROWS_WITH_AS(
      load_venue_config(write_file(dir.file("e.yaml"), base + "batch_orders: sometimes\n")),
      doctest::Contains("e.yaml:5: batch_orders must be true or false"), VenueConfigError);
  CHECK_THROWS_WITH_AS(load_venue_config(write_file(dir.file("d.yaml"), "name: t\n")),
                       doctest::Contains("missing required key"), VenueConfigError);
  CHECK_THROWS_WITH_AS(load_venue_config(write_file(dir.file("f.yaml"), base + "? [a, b]\n: 1\n")),
                       doctest::Contains("f.yaml:5: keys must be plain names"), VenueConfigError);
  // Only a regular file is opened: a FIFO would block the run before it starts.
  REQUIRE(::mkfifo(dir.file("fifo.yaml").c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(load_venue_config(dir.file("fifo.yaml")),
                       doctest::Contains("fifo.yaml: a FIFO, not a regular file (the venue file)"),
                       VenueConfigError);
}
