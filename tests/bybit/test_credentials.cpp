// API keys: environment or an owner-only file; every error names the source, never the value.
#include "credentials.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

using namespace mmh::bybit;
using namespace mmh::test;

namespace {

const std::string kSecret = "TESTSECRETabcdefghijklmnopqrstuvwxyz0123";

std::string error_of(const std::map<std::string, std::string>& env, const std::string& file) {
  try {
    load_credentials(env, file);
  } catch (const CredentialsError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("bybit credentials: from the environment, both or neither") {
  const auto c =
      load_credentials({{"BYBIT_API_KEY", "TESTKEY0123456789"}, {"BYBIT_API_SECRET", kSecret}}, "");
  REQUIRE(c);
  CHECK(c->api_key == "TESTKEY0123456789");
  CHECK(c->api_secret == kSecret);
  CHECK(c->redacted_key().find("0123456789") == std::string::npos);
  CHECK(!load_credentials({{"PATH", "/bin"}}, ""));
  const std::string half = error_of({{"BYBIT_API_SECRET", kSecret}}, "");
  CHECK(half.find("BYBIT_API_KEY is not set") != std::string::npos);
  CHECK(half.find(kSecret) == std::string::npos);
}

TEST_CASE("bybit credentials: a key file must be the owner's only") {
  TempDir dir;
  const std::string file = write_file(dir.file("bybit.keys"),
                                      "# testnet keys\napi_key: TESTKEY0123456789\n"
                                      "api_secret: \"" +
                                          kSecret + "\"\n");
  ::chmod(file.c_str(), 0644);
  const std::string open = error_of({}, file);
  CHECK(open.find("chmod 600") != std::string::npos);
  CHECK(open.find(kSecret) == std::string::npos);
  ::chmod(file.c_str(), 0600);
  const auto c = load_credentials({}, file);
  REQUIRE(c);
  CHECK(c->api_secret == kSecret);
  // Both sources at once is ambiguous.
  CHECK(error_of({{"BYBIT_API_KEY", "k"}, {"BYBIT_API_SECRET", "s"}}, file).find("not both") !=
        std::string::npos);
  // A malformed line is named by number, its text (maybe a secret) is not repeated.
  const std::string bad = write_file(dir.file("bad.keys"), "api_key: K\n" + kSecret + "\n");
  ::chmod(bad.c_str(), 0600);
  const std::string malformed = error_of({}, bad);
  CHECK(malformed.find("bad.keys:2:") != std::string::npos);
  CHECK(malformed.find(kSecret) == std::string::npos);
  CHECK(error_of({}, dir.file("missing.keys")).find("cannot read") != std::string::npos);
}
