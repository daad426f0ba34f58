// A test-only fill rule for the bos_mm core until the simulated venue exists: the orders the core
// wants rest from one candle to the next, and a resting order fills in full when a later candle
// trades through its price (a bid when the low is below it, an ask when the high is above it).
// A marketable Exit fills at the next candle's open. Fees: 0.1% of the value, in quote.
#pragma once

#include "core.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mmh::bos::test {

struct IdealRun {
  std::array<int64_t, kEventKindCount + 1> by_kind{};
  std::array<int64_t, kStateCount + 1> entered{};  // transitions into each state
  int64_t bullish_confirmed = 0;
  int64_t bearish_confirmed = 0;
  int64_t fills = 0;
  uint64_t hash = 0;
  std::vector<std::string> lines;  // formatted events when asked for
  Wallet final_wallet;
  bool negative_balance = false;  // a fill ever drove a balance below zero
};

inline constexpr int64_t kFeeBp = 10;  // 0.1%

// after_step, when set, sees the core after every input (fills and bars).
inline IdealRun run_ideal(const std::vector<mmh_candle>& bars, const CoreParams& params,
                          Wallet wallet = Wallet{0, 10'000 * MMH_E8}, bool keep_lines = false,
                          const std::function<void(const Core&)>& after_step = {}) {
  Core core(params, wallet);
  IdealRun run;
  EventHash hash;
  const Instrument& inst = params.instrument;
  auto fill = [&](int64_t ts, uint32_t side, int64_t ticks, int64_t lots) {
    const int64_t price = inst.price_e8(ticks);
    const int64_t qty = inst.qty_e8(lots);
    const int64_t fee = Instrument::value_e8(price, qty) * kFeeBp / 10'000;
    core.on_fill(ts, side, price, qty, fee);
    if (after_step) after_step(core);
    ++run.fills;
    if (core.wallet().base_e8 < 0 || core.wallet().quote_e8 < 0) run.negative_balance = true;
  };
  Desired resting;
  for (const mmh_candle& bar : bars) {
    // A snapshot of the orders placed before this candle (fills below change the core's own).
    // When nothing rests before or now, skip the copy (most bars).
    if (core.desired().mode != DesiredMode::none || resting.mode != DesiredMode::none)
      resting = core.desired();
    const int64_t fill_ts = bar.open_ts_ns + bar.interval_ns / 2;
    for (int i = 0; i < resting.orders.bid_count; ++i) {
      const GridLevel& l = resting.orders.bids[static_cast<size_t>(i)];
      if (bar.low_e8 < inst.price_e8(l.price_ticks))
        fill(fill_ts, MMH_SIDE_BUY, l.price_ticks, l.qty_lots);
    }
    for (int i = 0; i < resting.orders.ask_count; ++i) {
      const GridLevel& l = resting.orders.asks[static_cast<size_t>(i)];
      if (resting.marketable)
        fill(fill_ts, MMH_SIDE_SELL, inst.price_ticks_down(bar.open_e8), l.qty_lots);
      else if (bar.high_e8 > inst.price_e8(l.price_ticks))
        fill(fill_ts, MMH_SIDE_SELL, l.price_ticks, l.qty_lots);
    }
    // Same close time: the execution bar first, then the structure bar (here they are one bar).
    core.on_ltf_bar(bar);
    if (after_step) after_step(core);
    core.on_htf_bar(bar);
    if (after_step) after_step(core);
    for (const Event& e : core.events()) {
      hash.add(e);
      ++run.by_kind[static_cast<size_t>(e.kind)];
      if (e.kind == EventKind::transition) ++run.entered[static_cast<size_t>(e.to)];
      if (e.kind == EventKind::bos_confirmed)
        ++(e.direction == Direction::bullish ? run.bullish_confirmed : run.bearish_confirmed);
      if (keep_lines) run.lines.push_back(format_event(e));
    }
    core.clear_events();
  }
  run.hash = hash.value();
  run.final_wallet = core.wallet();
  return run;
}

}  // namespace mmh::bos::test
