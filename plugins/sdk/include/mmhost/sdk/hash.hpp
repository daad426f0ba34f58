// The project's fast hash: XXH3-64 (libxxhash, inlined here so plugins need not link it). For
// equality of bytes that never leave a machine's trust: the event hash of a run (over its event
// records, ADR 0031), cache keys, decision streams; `xxhsum -H3` prints the same for bytes.
// Provenance (files a result depends on) uses SHA-256 in the host (hash/sha256.hpp).
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <string_view>

namespace mmh::sdk {

inline uint64_t hash64(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

// Streaming form: the same value as hash64 of the concatenated parts.
class Hash64 {
 public:
  Hash64() { XXH3_64bits_reset(&state_); }
  void add(const void* data, size_t size) { XXH3_64bits_update(&state_, data, size); }
  void add(std::string_view bytes) { add(bytes.data(), bytes.size()); }
  uint64_t value() const { return XXH3_64bits_digest(&state_); }

 private:
  XXH3_state_t state_;
};

}  // namespace mmh::sdk
