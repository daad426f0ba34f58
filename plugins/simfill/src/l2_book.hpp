// A price-level (L2) order book rebuilt from a snapshot and absolute-size deltas, as exchanges
// publish them (Binance depth, Bybit orderbook): a level's size replaces the old one, size 0
// removes it. Sorted maps keep the best price at begin(); the book answers what the L2 fill
// model needs: the touch, the size at a price, and what a taker walking the book would get.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

namespace mmh::sim {

class L2Book {
 public:
  void clear();
  // Sets a level's absolute size (0 removes it).
  void set_bid(int64_t price_e8, int64_t qty_e8);
  void set_ask(int64_t price_e8, int64_t qty_e8);

  bool has_bid() const { return !bids_.empty(); }
  bool has_ask() const { return !asks_.empty(); }
  int64_t best_bid_e8() const { return bids_.empty() ? 0 : bids_.begin()->first; }
  int64_t best_ask_e8() const { return asks_.empty() ? 0 : asks_.begin()->first; }
  int64_t best_bid_qty_e8() const { return bids_.empty() ? 0 : bids_.begin()->second; }
  int64_t best_ask_qty_e8() const { return asks_.empty() ? 0 : asks_.begin()->second; }
  // Displayed size at a price on one side (0 when there is no level).
  int64_t bid_qty_e8(int64_t price_e8) const;
  int64_t ask_qty_e8(int64_t price_e8) const;
  // The same by side (bid = true), for code that handles both sides alike.
  int64_t qty_e8(bool bid, int64_t price_e8) const {
    return bid ? bid_qty_e8(price_e8) : ask_qty_e8(price_e8);
  }
  void set(bool bid, int64_t price_e8, int64_t qty_e8) {
    if (bid)
      set_bid(price_e8, qty_e8);
    else
      set_ask(price_e8, qty_e8);
  }
  size_t bid_levels() const { return bids_.size(); }
  size_t ask_levels() const { return asks_.size(); }

  // A taker buying (lifting asks) or selling (hitting bids) up to qty_e8, never past limit_e8
  // (0: no limit): calls take(price_e8, qty_e8) for each level it reaches, best first. Returns
  // the base quantity it could get. The book itself is not changed (our size is small next to
  // the displayed one and the next delta restates the level anyway).
  int64_t walk(bool buy, int64_t qty_e8, int64_t limit_e8,
               const std::function<void(int64_t price_e8, int64_t qty_e8)>& take) const;

 private:
  std::map<int64_t, int64_t, std::greater<>> bids_;
  std::map<int64_t, int64_t> asks_;
};

}  // namespace mmh::sim
