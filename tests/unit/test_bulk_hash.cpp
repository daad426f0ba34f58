#include "hash/bulk_hash.hpp"

#include <mmhost/sdk/hash.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

TEST_CASE("bulk hash: the SDK's XXH3-64 of the same bytes, however they are cut") {
  std::mt19937_64 rng(11);
  std::string bytes(300'000, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  // Lengths around XXH3's internal edges (16, 128, 240 bytes, its 256-byte buffer, 1 KiB
  // stripes blocks) and the run's 64 KiB chunks.
  for (const size_t length : {size_t{0}, size_t{1}, size_t{16}, size_t{17}, size_t{128},
                              size_t{129}, size_t{240}, size_t{241}, size_t{256}, size_t{1024},
                              size_t{1025}, size_t{65536}, size_t{65537}, bytes.size()}) {
    const std::string_view data(bytes.data(), length);
    const uint64_t expected = mmh::sdk::hash64(data);
    for (const size_t piece : {size_t{1}, size_t{7}, size_t{256}, size_t{65536}, length + 1}) {
      CAPTURE(length);
      CAPTURE(piece);
      mmh::BulkHash64 hash;
      for (size_t at = 0; at < length; at += piece)
        hash.add(data.data() + at, std::min(piece, length - at));
      CHECK(hash.value() == expected);
      CHECK(hash.value() == expected);  // value() does not end the stream
    }
  }
  mmh::BulkHash64 empty;
  CHECK(empty.value() == mmh::sdk::hash64(""));
}

TEST_CASE("bulk hash: a copy continues the stream on its own") {
  mmh::BulkHash64 a;
  a.add("abc", 3);
  mmh::BulkHash64 b(a);
  a.add("def", 3);
  b.add("xyz", 3);
  CHECK(a.value() == mmh::sdk::hash64("abcdef"));
  CHECK(b.value() == mmh::sdk::hash64("abcxyz"));
  mmh::BulkHash64 c;
  c = a;
  c.add("g", 1);
  CHECK(c.value() == mmh::sdk::hash64("abcdefg"));
  CHECK(a.value() == mmh::sdk::hash64("abcdef"));
}
