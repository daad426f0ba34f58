#include "tape_match.hpp"

#include <algorithm>

namespace mmh::sim {

void match_trade(SimVenue& venue, const mmh_trade& trade, std::vector<SimOrder*>& resting) {
  if (venue.open_orders() == 0) return;
  const SimInstrument& inst = venue.instrument();
  const bool hits_buys = trade.taker_side == MMH_SIDE_SELL;
  venue.resting(resting);
  std::stable_sort(resting.begin(), resting.end(), [&](const SimOrder* a, const SimOrder* b) {
    return hits_buys ? a->price_ticks > b->price_ticks : a->price_ticks < b->price_ticks;
  });
  int64_t left_e8 = trade.qty_e8;
  for (SimOrder* o : resting) {
    if (o->is_buy() != hits_buys) continue;
    const int64_t price = inst.price_e8(o->price_ticks);
    const bool at = trade.price_e8 == price;
    if (at) o->queue_traded_e8 += trade.qty_e8;
    if (left_e8 <= 0) continue;
    const bool through = hits_buys ? trade.price_e8 < price : trade.price_e8 > price;
    if (!through && !at) continue;
    int64_t usable = left_e8;
    if (at) {
      const int64_t eaten = std::min(o->queue_ahead_e8, usable);
      o->queue_ahead_e8 -= eaten;
      usable -= eaten;
    }
    const int64_t lots = std::min(o->leaves_lots(), inst.lots_down(usable));
    if (lots > 0 && venue.fill(*o, trade.ts_ns, o->price_ticks, lots, true))
      left_e8 -= inst.qty_e8(lots);
  }
}

}  // namespace mmh::sim
