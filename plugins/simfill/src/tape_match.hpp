// Trade-tape matching shared by the trade-tape and L2 book fill models: how one printed trade
// reaches our resting orders.
//
// A taker sell hits bids (our buys), a taker buy lifts asks (our sells). Our orders on the hit
// side are served best price first, then time priority, out of the trade's size:
// - at the order's price the trade first eats the queue ahead of it, then fills it with the rest;
// - through the order's price (a sell below our bid, a buy above our ask) it fills it outright.
// Each order also counts the trade size printed at its price (queue_traded_e8), which the
// probabilistic queue model subtracts from the next size decrease of the level.
#pragma once

#include "sim_venue.hpp"

#include <vector>

namespace mmh::sim {

// `resting` is scratch space (reused to avoid allocation per trade).
void match_trade(SimVenue& venue, const mmh_trade& trade, std::vector<SimOrder*>& resting);

}  // namespace mmh::sim
