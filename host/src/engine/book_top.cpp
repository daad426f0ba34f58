#include "engine/book_top.hpp"

namespace mmh {
namespace {

template <class Side>
void apply_levels(Side& side, const mmh_book_level* levels, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    if (levels[i].qty_e8 <= 0)
      side.erase(levels[i].price_e8);
    else
      side[levels[i].price_e8] = levels[i].qty_e8;
  }
}

}  // namespace

bool BookTop::apply(uint32_t kind, const mmh_book_update& u, mmh_ticker& out) {
  if (kind == MMH_EVENT_BOOK_SNAPSHOT) {  // replaces the book, whatever was there
    bids_.clear();
    asks_.clear();
  }
  apply_levels(bids_, u.bids, u.bid_count);
  apply_levels(asks_, u.asks, u.ask_count);
  mmh_ticker top{};
  top.ts_ns = u.ts_ns;
  top.symbol_id = u.symbol_id;
  if (!bids_.empty()) {
    top.bid_price_e8 = bids_.begin()->first;
    top.bid_qty_e8 = bids_.begin()->second;
  }
  if (!asks_.empty()) {
    top.ask_price_e8 = asks_.begin()->first;
    top.ask_qty_e8 = asks_.begin()->second;
  }
  const bool changed = top.bid_price_e8 != last_.bid_price_e8 ||
                       top.bid_qty_e8 != last_.bid_qty_e8 ||
                       top.ask_price_e8 != last_.ask_price_e8 || top.ask_qty_e8 != last_.ask_qty_e8;
  last_ = top;
  if (changed) out = top;
  return changed;
}

}  // namespace mmh
