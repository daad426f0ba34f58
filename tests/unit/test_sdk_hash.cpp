#include <mmhost/sdk/hash.hpp>

#include <doctest/doctest.h>

#include <string>

TEST_CASE("sdk hash: XXH3-64 as `xxhsum -H3` prints it, streaming equals one shot") {
  CHECK(mmh::sdk::hash64("") == 0x2d06800538d394c2ULL);
  const std::string text = "2025-01-03T04:15:00Z bos_confirmed bullish level=3512.1";
  mmh::sdk::Hash64 h;
  h.add(text.substr(0, 7));
  h.add(text.substr(7));
  CHECK(h.value() == mmh::sdk::hash64(text));
  CHECK(mmh::sdk::hash64("a") != mmh::sdk::hash64("b"));
}
