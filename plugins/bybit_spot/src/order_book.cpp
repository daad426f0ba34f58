#include "order_book.hpp"

#include "public_message.hpp"

#include <algorithm>

namespace mmh::bybit {
namespace {

// Sets or removes one level of a side kept sorted best first; `better(a, b)`: price a ranks
// before price b.
template <typename Better>
void set_level(std::vector<mmh_book_level>& side, const mmh_book_level& level, Better better) {
  auto it = std::lower_bound(
      side.begin(), side.end(), level.price_e8,
      [&](const mmh_book_level& l, int64_t price) { return better(l.price_e8, price); });
  const bool present = it != side.end() && it->price_e8 == level.price_e8;
  if (level.qty_e8 == 0) {
    if (present) side.erase(it);
  } else if (present) {
    it->qty_e8 = level.qty_e8;
  } else {
    side.insert(it, level);
  }
}

// A delta already sorted best first (as Bybit sends them) is merged into the side in one pass:
// a 50-level delta costs one walk over both lists instead of 50 searches, each insert or delete
// shifting the levels behind it. Unsorted or small deltas go level by level.
template <typename Better>
void apply_levels(std::vector<mmh_book_level>& side, const std::vector<mmh_book_level>& delta,
                  Better better, std::vector<mmh_book_level>& scratch) {
  constexpr size_t kMergeFrom = 8;
  bool sorted = delta.size() >= kMergeFrom;
  for (size_t i = 1; sorted && i < delta.size(); ++i)
    sorted = better(delta[i - 1].price_e8, delta[i].price_e8);
  if (!sorted) {
    for (const mmh_book_level& l : delta) set_level(side, l, better);
    return;
  }
  scratch.clear();
  size_t i = 0;
  size_t j = 0;
  while (i < side.size() && j < delta.size()) {
    if (better(side[i].price_e8, delta[j].price_e8)) {
      scratch.push_back(side[i++]);
    } else {
      if (side[i].price_e8 == delta[j].price_e8) ++i;  // replaced or deleted
      if (delta[j].qty_e8 != 0) scratch.push_back(delta[j]);
      ++j;
    }
  }
  scratch.insert(scratch.end(), side.begin() + static_cast<ptrdiff_t>(i), side.end());
  for (; j < delta.size(); ++j)
    if (delta[j].qty_e8 != 0) scratch.push_back(delta[j]);
  side.swap(scratch);
}

// Function objects, not function pointers, so the comparison inlines into the search.
constexpr auto higher = [](int64_t a, int64_t b) { return a > b; };
constexpr auto lower = [](int64_t a, int64_t b) { return a < b; };

}  // namespace

void OrderBook::replace(const PublicMessage& m) {
  bids_.clear();
  asks_.clear();
  apply_levels(bids_, m.bids, higher, scratch_);
  apply_levels(asks_, m.asks, lower, scratch_);
  if (bids_.size() > depth_) bids_.resize(depth_);
  if (asks_.size() > depth_) asks_.resize(depth_);
  last_u_ = m.update_id;
  valid_ = true;
}

OrderBook::Result OrderBook::apply(const PublicMessage& m) {
  if (m.snapshot || m.update_id == 1) {
    replace(m);
    return Result::snapshot;
  }
  if (!valid_) return Result::no_snapshot;
  if (m.update_id <= last_u_) return Result::duplicate;
  if (m.update_id != last_u_ + 1) {
    invalidate();
    return Result::gap;
  }
  apply_levels(bids_, m.bids, higher, scratch_);
  apply_levels(asks_, m.asks, lower, scratch_);
  if (bids_.size() > depth_) bids_.resize(depth_);
  if (asks_.size() > depth_) asks_.resize(depth_);
  last_u_ = m.update_id;
  return Result::applied;
}

void OrderBook::invalidate() {
  valid_ = false;
  bids_.clear();
  asks_.clear();
}

const char* to_string(OrderBook::Result result) {
  switch (result) {
    case OrderBook::Result::applied:
      return "applied";
    case OrderBook::Result::snapshot:
      return "snapshot";
    case OrderBook::Result::duplicate:
      return "duplicate";
    case OrderBook::Result::gap:
      return "gap";
    case OrderBook::Result::no_snapshot:
      return "no_snapshot";
  }
  return "?";
}

}  // namespace mmh::bybit
