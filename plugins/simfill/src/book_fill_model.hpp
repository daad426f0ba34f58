// Fills from an L2 book stream (snapshot + deltas) and the trade tape of the same market.
//
// - The book is replayed as published; the touch, the depth a taker gets and the size ahead of a
//   new order all come from it. Market and marketable orders walk the book level by level up to
//   their limit (partial fills when the book is thin).
// - A resting order's queue ahead starts at the displayed size at its price (none when it makes
//   a new best price). Trades at its price eat that queue, then fill it (tape_match.hpp); trades
//   through its price fill it. When the book crosses it (an ask at or below our bid), it fills at
//   its own price up to the displayed crossing size.
// - Size decreases at its level that trades do not explain are cancels; the queue model decides
//   how many were ahead of us:
//     risk_averse    none: the queue ahead only shrinks when the level is smaller than it;
//     power:N, log   probabilistic, hftbacktest's ProbQueueModel: a decrease of `chg` is taken
//                    from behind us with probability p = f(back) / (f(back) + f(front)), with
//                    f(x) = x^N or log(1 + x); the expected value is applied (deterministic):
//                    front' = min(front - (1 - p) chg + min(back - p chg, 0), new size).
//                    Trades printed at the level since its last change are taken off the old
//                    size first (they already ate the queue), so back = old - traded - front.
//
// Known biases: our orders take no liquidity out of the replayed book and add none to it (no
// market impact); the queue is an estimate; hidden and iceberg liquidity are ignored; book and
// trades share the exchange clock only to the millisecond.
#pragma once

#include "l2_book.hpp"
#include "sim_venue.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mmh::sim {

struct BookModelConfig {
  enum class Queue { risk_averse, power, log } queue = Queue::power;
  double power = 2.0;  // N of power:N
  // "risk_averse", "power:N" (N in (0, 100]) or "log"; throws std::invalid_argument.
  static BookModelConfig parse_queue(const std::string& text);
  std::string queue_name() const;
};

// The queue model on its own (tested by hand-computed cases): a size change at an order's level
// from prev_e8 to new_e8, with the trades printed there since the last change already counted.
void apply_level_change(const BookModelConfig& config, SimOrder& order, int64_t prev_e8,
                        int64_t new_e8);

class BookFillModel {
 public:
  explicit BookFillModel(BookModelConfig config);
  void on_book(SimVenue& venue, const mmh_book_update& update, bool snapshot);
  void on_trade(SimVenue& venue, const mmh_trade& trade);
  // Applies commands due by `ts_ns` (e.g. at the end of a candle).
  void advance(SimVenue& venue, int64_t ts_ns);
  const L2Book& book() const { return book_; }
  std::string describe() const;
  static const char* biases();

 private:
  class Market;
  void set_level(bool bid, const mmh_book_level& level, int64_t tick_e8);
  void cross_fills(SimVenue& venue, int64_t ts_ns);

  BookModelConfig config_;
  L2Book book_;
  std::vector<SimOrder*> resting_;  // our live orders while an update is applied
};

}  // namespace mmh::sim
