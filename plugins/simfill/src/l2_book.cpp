#include "l2_book.hpp"

#include <algorithm>

namespace mmh::sim {

void L2Book::clear() {
  bids_.clear();
  asks_.clear();
}

void L2Book::set_bid(int64_t price_e8, int64_t qty_e8) {
  if (qty_e8 <= 0)
    bids_.erase(price_e8);
  else
    bids_[price_e8] = qty_e8;
}

void L2Book::set_ask(int64_t price_e8, int64_t qty_e8) {
  if (qty_e8 <= 0)
    asks_.erase(price_e8);
  else
    asks_[price_e8] = qty_e8;
}

int64_t L2Book::bid_qty_e8(int64_t price_e8) const {
  auto it = bids_.find(price_e8);
  return it == bids_.end() ? 0 : it->second;
}

int64_t L2Book::ask_qty_e8(int64_t price_e8) const {
  auto it = asks_.find(price_e8);
  return it == asks_.end() ? 0 : it->second;
}

int64_t L2Book::walk(bool buy, int64_t qty_e8, int64_t limit_e8,
                     const std::function<void(int64_t, int64_t)>& take) const {
  int64_t got = 0;
  auto run = [&](const auto& side, auto beyond) {
    for (const auto& [price, size] : side) {
      if (got >= qty_e8 || (limit_e8 > 0 && beyond(price))) break;
      const int64_t q = std::min(size, qty_e8 - got);
      if (take) take(price, q);
      got += q;
    }
  };
  if (buy)
    run(asks_, [&](int64_t p) { return p > limit_e8; });
  else
    run(bids_, [&](int64_t p) { return p < limit_e8; });
  return got;
}

}  // namespace mmh::sim
