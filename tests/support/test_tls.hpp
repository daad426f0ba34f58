// A throwaway TLS identity for loopback servers in tests: a self-signed P-256 certificate for
// 127.0.0.1 (IP SAN) and localhost, made fresh in memory, so the client's certificate and host
// name checks run for real against a CA file the test writes. Nothing is committed.
#pragma once

#include <string>

namespace mmh::test {

struct TestCertificate {
  std::string certificate_pem;  // also the CA the client trusts
  std::string private_key_pem;
};

// Throws std::runtime_error when OpenSSL fails.
TestCertificate make_test_certificate();

}  // namespace mmh::test
