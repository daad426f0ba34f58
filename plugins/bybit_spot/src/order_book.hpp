// The local copy of one Bybit orderbook.{depth} stream (PROTOCOL.md §6.5): a snapshot replaces
// the book, a delta sets or ("0") removes levels, `u` must grow by exactly one per message, a
// message with u == 1 is a restart (a fresh snapshot), a snapshot re-sent with the same u (L1's
// 3-second resend) is not a gap, a duplicate or older delta is ignored. Any gap, or a delta
// before a snapshot, leaves the book invalid until the next snapshot; the caller then pulls its
// quotes and resubscribes. Levels beyond `depth` are trimmed. Sorted vectors, best first: a 50-
// or 200-level side fits in a few cache lines and binary search beats any tree at that size.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mmh::bybit {

struct PublicMessage;

class OrderBook {
 public:
  enum class Result {
    applied,      // the book moved on
    snapshot,     // the book was replaced (first snapshot, resend, restart u == 1)
    duplicate,    // u at or below the last applied one: ignored
    gap,          // u skipped ahead: the book is invalid now
    no_snapshot,  // a delta while invalid: ignored; a snapshot is needed
  };

  explicit OrderBook(size_t depth = 50) : depth_(depth) {}

  Result apply(const PublicMessage& message);
  // Marks the book unusable (stale stream, disconnect) until the next snapshot.
  void invalidate();

  bool valid() const { return valid_; }
  uint64_t last_update_id() const { return last_u_; }
  const std::vector<mmh_book_level>& bids() const { return bids_; }  // best (highest) first
  const std::vector<mmh_book_level>& asks() const { return asks_; }  // best (lowest) first
  size_t depth() const { return depth_; }

 private:
  void replace(const PublicMessage& message);

  size_t depth_;
  bool valid_ = false;
  uint64_t last_u_ = 0;
  std::vector<mmh_book_level> bids_;
  std::vector<mmh_book_level> asks_;
  std::vector<mmh_book_level> scratch_;  // merge target, swapped with a side
};

const char* to_string(OrderBook::Result result);

}  // namespace mmh::bybit
