// XXH3-64 over long streams: a run's event records, handed over 64 KiB at a time. libxxhash's
// runtime-dispatched update uses the widest vector unit the CPU has (AVX2, AVX-512), where the
// SDK's inlined XXH3 (sdk/hash.hpp: plugins need not link the library) is compiled for the
// x86-64 baseline, SSE2. The same algorithm, so the same value as sdk::Hash64 of the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mmh {

class BulkHash64 {
 public:
  // libxxhash's XXH3_state_t, kept opaque here (the SDK includes xxhash.h inlined: the two
  // forms must not meet in one translation unit). Its size is checked where it is used.
  static constexpr size_t kStateBytes = 640;

  BulkHash64();
  // A copy continues the same stream on its own (XXH3_copyState).
  BulkHash64(const BulkHash64& other);
  BulkHash64& operator=(const BulkHash64& other);
  void add(const void* data, size_t size);
  uint64_t value() const;

 private:
  alignas(64) unsigned char state_[kStateBytes];
};

}  // namespace mmh
