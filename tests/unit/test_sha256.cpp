#include "hash/sha256.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using mmh::Sha256;
using mmh::sha256_file_hex;
using mmh::sha256_hex;

TEST_CASE("sha256: the FIPS 180-2 vectors, streaming equals one shot, files by their bytes") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 parts;
  parts.add("a");
  parts.add("bc");
  CHECK(parts.hex() == sha256_hex("abc"));
  mmh::test::TempDir dir;
  const std::string big(200'000, 'x');  // several reads of the file
  CHECK(sha256_file_hex(mmh::test::write_file(dir.file("f"), big)) == sha256_hex(big));
  CHECK_THROWS_AS(sha256_file_hex(dir.path().string()), std::runtime_error);
}
