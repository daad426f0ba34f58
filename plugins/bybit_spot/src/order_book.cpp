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

// Function objects, not function pointers, so the comparison inlines into the search.
constexpr auto higher = [](int64_t a, int64_t b) { return a > b; };
constexpr auto lower = [](int64_t a, int64_t b) { return a < b; };

}  // namespace

void OrderBook::replace(const PublicMessage& m) {
  bids_.clear();
  asks_.clear();
  for (const mmh_book_level& l : m.bids) set_level(bids_, l, higher);
  for (const mmh_book_level& l : m.asks) set_level(asks_, l, lower);
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
  for (const mmh_book_level& l : m.bids) set_level(bids_, l, higher);
  for (const mmh_book_level& l : m.asks) set_level(asks_, l, lower);
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
