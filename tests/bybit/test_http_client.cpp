// The HTTP client against the loopback fake: TLS with a verified certificate, keep-alive,
// timeouts, and reopening a connection the server dropped.
#include "http_client.hpp"

#include "bybit_error.hpp"
#include "fake_bybit.hpp"
#include "run_sync.hpp"
#include "test_support.hpp"
#include "test_tls.hpp"

#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

using namespace mmh::bybit;
using namespace mmh::test;

namespace {

HttpResponse get(boost::asio::io_context& ioc, HttpClient& client, const std::string& target) {
  HttpRequest request;
  request.target = target;
  return run_sync(ioc, client.send(request));
}

}  // namespace

TEST_CASE("bybit http: TLS with the server's certificate verified, one kept-alive connection") {
  FakeBybit fake;
  TempDir dir;
  const std::string ca = write_file(dir.file("ca.pem"), fake.ca_pem());
  boost::asio::io_context ioc;
  HttpClient client(ioc.get_executor(), parse_url(fake.rest_url()), ca,
                    std::chrono::milliseconds(5000));
  for (int i = 0; i < 3; ++i) {
    const HttpResponse res = get(ioc, client, "/v5/market/time");
    CHECK(res.status == 200);
    CHECK(res.body.find("\"retCode\":0") != std::string::npos);
    CHECK(res.header("content-type") == "application/json");
  }
  CHECK(client.connections_opened() == 1);
  CHECK(fake.connections() == 1);
  CHECK(fake.count("/v5/market/time") == 3);
}

TEST_CASE("bybit http: a certificate from an untrusted CA is refused") {
  FakeBybit fake;
  TempDir dir;
  const std::string other_ca =
      write_file(dir.file("other.pem"), make_test_certificate().certificate_pem);
  boost::asio::io_context ioc;
  HttpClient client(ioc.get_executor(), parse_url(fake.rest_url()), other_ca,
                    std::chrono::milliseconds(5000));
  try {
    get(ioc, client, "/v5/market/time");
    FAIL("the handshake should fail");
  } catch (const BybitError& e) {
    CHECK(e.kind() == ErrorKind::transport);
    CHECK(std::string(e.what()).find("TLS handshake") != std::string::npos);
  }
  CHECK(fake.count("/v5/market/time") == 0);
}

TEST_CASE("bybit http: a slow response times out") {
  FakeBybit fake(FakeBybit::Options{.tls = false});
  fake.inject({"/v5/market/time", FaultKind::delay, 1500, 1, 0});
  boost::asio::io_context ioc;
  HttpClient client(ioc.get_executor(), parse_url(fake.rest_url()), "",
                    std::chrono::milliseconds(200));
  try {
    get(ioc, client, "/v5/market/time");
    FAIL("should time out");
  } catch (const BybitError& e) {
    CHECK(e.kind() == ErrorKind::timeout);
    CHECK(e.recovery() == Recovery::retry);
  }
  // The next request opens a new connection and succeeds.
  CHECK(get(ioc, client, "/v5/market/time").status == 200);
  CHECK(client.connections_opened() == 2);
}

TEST_CASE("bybit http: a kept-alive connection the server dropped is reopened once") {
  FakeBybit fake;
  TempDir dir;
  const std::string ca = write_file(dir.file("ca.pem"), fake.ca_pem());
  boost::asio::io_context ioc;
  HttpClient client(ioc.get_executor(), parse_url(fake.rest_url()), ca,
                    std::chrono::milliseconds(5000));
  CHECK(get(ioc, client, "/v5/market/time").status == 200);
  fake.inject({"/v5/market/time", FaultKind::disconnect, 0, 1, 0});
  CHECK(get(ioc, client, "/v5/market/time").status == 200);
  CHECK(client.connections_opened() == 2);
  // On a fresh connection a drop is an error: nothing to blame on keep-alive.
  client.close_idle();
  fake.inject({"/v5/market/time", FaultKind::disconnect, 0, 1, 0});
  CHECK_THROWS_AS(get(ioc, client, "/v5/market/time"), BybitError);
}
