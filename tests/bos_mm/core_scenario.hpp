// A hand-made setup for the core tests around price 100 (pivots 2/2, ATR 3): a swing high at 104
// and a swing low at 98, then a decisive bullish break, a dip into the zone and LTF confirmation.
#pragma once

#include "bars.hpp"
#include "core.hpp"

#include <string>
#include <vector>

namespace mmh::bos::test {

inline CoreParams scenario_params() {
  CoreParams p;
  p.atr_period = 3;
  p.structure.left_bars = 2;
  p.structure.right_bars = 2;
  p.structure.min_swing_atr = 0;
  p.bos.confirm_atr = 0.5;
  p.pullback.zone = ZoneMode::level;
  // Prices near 100 with bars 3% tall: the volatility thresholds are lifted out of the way.
  p.policy.disabled_atr_pct = 50;
  p.policy.defensive_atr_pct = 40;
  p.policy.disabled_volatility_pct = 50;
  p.policy.defensive_volatility_pct = 40;
  p.policy.recovery_bars = 0;
  return p;
}

inline mmh_candle ltf_bar(int64_t htf_index, int minute, double o, double h, double l, double c) {
  mmh_candle b = bar_at(htf_index, o, h, l, c);
  b.open_ts_ns += minute * 60'000'000'000LL;
  b.interval_ns = 60'000'000'000LL;
  return b;
}

// The HTF bars up to and including the bullish BOS (bar 7).
inline std::vector<mmh_candle> setup_bars() {
  return {
      bar_at(0, 100, 101, 99, 100),       //
      bar_at(1, 100, 102, 100, 101.5),    //
      bar_at(2, 101.5, 104, 101, 103),    // swing high 104
      bar_at(3, 103, 103.5, 100, 100.5),  //
      bar_at(4, 100.5, 101, 98, 98.5),    // swing low 98
      bar_at(5, 98.5, 100, 98.5, 99.5),   //
      bar_at(6, 99.5, 102, 99, 101.5),    //
      bar_at(7, 101.5, 106, 101, 105.8),  // close 1.8 above 104 > 0.5 ATR: bullish BOS
  };
}

struct Scenario {
  explicit Scenario(const CoreParams& params = scenario_params()) : core(params) {}
  Core core;
  std::vector<Event> events;

  void drain() {
    events.insert(events.end(), core.events().begin(), core.events().end());
    core.clear_events();
  }
  void htf(const mmh_candle& b) {
    core.on_htf_bar(b);
    drain();
  }
  void ltf(const mmh_candle& b) {
    core.on_ltf_bar(b);
    drain();
  }
  // Idle -> BOS.
  void to_bos() {
    for (const auto& b : setup_bars()) htf(b);
  }
  // BOS -> Rebalance: bar 8 dips into the zone, two LTF bars of bar 9 confirm.
  void to_rebalance() {
    to_bos();
    htf(bar_at(8, 105.8, 106.5, 104.5, 105));
    ltf(ltf_bar(9, 0, 105, 105.4, 104.8, 105.2));
    ltf(ltf_bar(9, 1, 105.2, 105.9, 105.1, 105.7));
  }
  // Rebalance -> MM: the rebalance bid fills in full.
  void to_mm() {
    to_rebalance();
    const Desired& d = core.desired();
    const Instrument& inst = core.params().instrument;
    core.on_fill(bar_at(9, 0, 0, 0, 0).open_ts_ns + 150'000'000'000, MMH_SIDE_BUY,
                 inst.price_e8(d.orders.bids[0].price_ticks),
                 inst.qty_e8(d.orders.bids[0].qty_lots), 0);
    drain();
  }
  std::vector<std::string> transitions() const {
    std::vector<std::string> out;
    for (const Event& e : events)
      if (e.kind == EventKind::transition)
        out.push_back(std::string(to_string(e.from)) + "->" + to_string(e.to) + ":" + e.reason);
    return out;
  }
  int count(EventKind kind) const {
    int n = 0;
    for (const Event& e : events) n += e.kind == kind;
    return n;
  }
};

}  // namespace mmh::bos::test
