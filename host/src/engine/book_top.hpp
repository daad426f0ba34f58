// The top of an L2 book kept from its snapshots and deltas, for consumers that want the best
// bid and ask (a core's spread input) rather than the whole book. One symbol; levels by price.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <functional>
#include <map>

namespace mmh {

class BookTop {
 public:
  // Applies one book message (`kind`: MMH_EVENT_BOOK_SNAPSHOT replaces the book,
  // MMH_EVENT_BOOK_DELTA updates levels; size 0 removes one). Returns true when the best bid or ask
  // (price or size) changed; `out` then holds the new top as a ticker stamped with the message's
  // time. An empty snapshot (the book is unknown) empties the top: out has zero prices.
  bool apply(uint32_t kind, const mmh_book_update& update, mmh_ticker& out);

 private:
  std::map<int64_t, int64_t, std::greater<>> bids_;  // price_e8 -> qty_e8, best first
  std::map<int64_t, int64_t> asks_;
  mmh_ticker last_{};
};

}  // namespace mmh
