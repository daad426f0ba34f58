#include "engine/owned_batch.hpp"

namespace mmh {

namespace {

bool is_book(uint32_t kind) {
  return kind == MMH_EVENT_BOOK_SNAPSHOT || kind == MMH_EVENT_BOOK_DELTA;
}

}  // namespace

OwnedBatch::OwnedBatch(const mmh_batch& borrowed)
    : kind_(borrowed.kind), record_size_(borrowed.record_size), count_(borrowed.count) {
  const char* bytes = static_cast<const char*>(borrowed.records);
  bytes_.assign(bytes, bytes + count_ * record_size_);
  if (!is_book(kind_)) return;
  for (size_t i = 0; i < count_; ++i) {
    const auto* u = reinterpret_cast<const mmh_book_update*>(bytes + i * record_size_);
    if (u->bid_count > 0) levels_.insert(levels_.end(), u->bids, u->bids + u->bid_count);
    if (u->ask_count > 0) levels_.insert(levels_.end(), u->asks, u->asks + u->ask_count);
  }
}

mmh_batch OwnedBatch::batch() const {
  // Re-point the levels at every call: cheap, and right after a move.
  if (is_book(kind_)) {
    auto* records = const_cast<char*>(bytes_.data());
    const mmh_book_level* at = levels_.data();
    for (size_t i = 0; i < count_; ++i) {
      auto* u = reinterpret_cast<mmh_book_update*>(records + i * record_size_);
      u->bids = at;
      at += u->bid_count;
      u->asks = at;
      at += u->ask_count;
    }
  }
  return mmh_batch{sizeof(mmh_batch), kind_, record_size_, 0, count_, bytes_.data()};
}

}  // namespace mmh
