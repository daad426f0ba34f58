#include "hash/bulk_hash.hpp"

#define XXH_STATIC_LINKING_ONLY  // the state's layout, to hold it in place
#include <xxh_x86dispatch.h>

#include <new>

namespace mmh {
namespace {

static_assert(sizeof(XXH3_state_t) <= BulkHash64::kStateBytes && alignof(XXH3_state_t) <= 64,
              "BulkHash64::kStateBytes must hold libxxhash's XXH3 state");

XXH3_state_t* state(unsigned char* bytes) {
  return std::launder(reinterpret_cast<XXH3_state_t*>(bytes));
}
const XXH3_state_t* state(const unsigned char* bytes) {
  return std::launder(reinterpret_cast<const XXH3_state_t*>(bytes));
}

}  // namespace

BulkHash64::BulkHash64() {
  new (state_) XXH3_state_t;
  XXH3_64bits_reset(state(state_));
}

BulkHash64::BulkHash64(const BulkHash64& other) {
  new (state_) XXH3_state_t;
  XXH3_copyState(state(state_), state(other.state_));
}

BulkHash64& BulkHash64::operator=(const BulkHash64& other) {
  XXH3_copyState(state(state_), state(other.state_));
  return *this;
}

void BulkHash64::add(const void* data, size_t size) {
  XXH3_64bits_update_dispatch(state(state_), data, size);
}

uint64_t BulkHash64::value() const {
  return XXH3_64bits_digest(state(state_));
}

}  // namespace mmh
