// The client TLS context: the system store, or exactly the CA file a venue names.
#include "tls_client.hpp"

#include "bybit_error.hpp"
#include "test_support.hpp"
#include "test_tls.hpp"

#include <doctest/doctest.h>

using namespace mmh::bybit;
using namespace mmh::test;

TEST_CASE("bybit tls: the CA file must load, the system store is the default") {
  CHECK(make_client_tls_context("") != nullptr);
  TempDir dir;
  const std::string ca = write_file(dir.file("ca.pem"), make_test_certificate().certificate_pem);
  CHECK(make_client_tls_context(ca) != nullptr);
  try {
    make_client_tls_context(dir.file("missing.pem"));
    FAIL("a missing CA file must be refused");
  } catch (const BybitError& e) {
    CHECK(std::string(e.what()).find("CA file " + dir.file("missing.pem")) != std::string::npos);
  }
  const std::string junk = write_file(dir.file("junk.pem"), "not a certificate\n");
  CHECK_THROWS_AS(make_client_tls_context(junk), BybitError);
}
