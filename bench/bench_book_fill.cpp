// L2 book + trade tape replayed through the book fill model with the probabilistic queue
// (power:2), on the real ~11-minute Binance spot ETHUSDT window: 6,469 book messages (274,752
// level changes) and 14,515 trades. A ladder of our orders sits at and next to the touch and is
// topped up as it fills, so queue tracking runs on the levels that move most.
// Events = level changes + trades.
#include "book_fill_model.hpp"
#include "series_loader.hpp"
#include "sim_support.hpp"
#include "sim_venue.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace mmh::sim;
using mmh::sim::test::limit;

std::string shared(const char* relative) {
  const std::string path = std::string(MMHOST_BENCH_SHARED_DATA_DIR) + "/" + relative;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
    return path;
  }
  std::fprintf(stderr, "benchmark input missing: %s\n", path.c_str());
  std::exit(2);
}

}  // namespace

static void BM_BookFillProbQueue(benchmark::State& state) {
  const mmh::replay::LoadOptions no_cache;
  const auto book = mmh::replay::load_series(
      shared("book/binance_spot_ETHUSDT_depth_2024-08-08T235414_2024-08-09T000504.csv.gz"),
      no_cache);
  const auto tape = mmh::replay::load_series(
      shared("trades/binance_spot_ETHUSDT_trades_2024-08-08T235415_2024-08-09T000505.csv"),
      no_cache);
  const auto* updates = static_cast<const mmh_book_update*>(book->records());
  const auto* trades = static_cast<const mmh_trade*>(tape->records());
  int64_t events = static_cast<int64_t>(tape->count());
  for (size_t i = 0; i < book->count(); ++i) events += updates[i].bid_count + updates[i].ask_count;

  uint64_t fills = 0;
  for (auto _ : state) {
    SimVenue venue(SimInstrument{}, FeeModel(FeeRates{0.001, 0.001}), LatencyModel(LatencyConfig{}),
                   100 * MMH_E8, 1'000'000 * MMH_E8);
    BookFillModel model(BookModelConfig::parse_queue("power:2"));
    uint64_t next_id = 0;
    size_t b = 0, t = 0;
    while (b < book->count() || t < tape->count()) {
      const bool take_book =
          t == tape->count() || (b < book->count() && updates[b].ts_ns <= trades[t].ts_ns);
      int64_t now = 0;
      if (take_book) {
        now = updates[b].ts_ns;
        model.on_book(venue, updates[b], book->kind_of(b) == MMH_EVENT_BOOK_SNAPSHOT);
        ++b;
      } else {
        now = trades[t].ts_ns;
        model.on_trade(venue, trades[t]);
        ++t;
      }
      // Keep four orders working: two bids and two asks at and one tick behind the touch.
      if (venue.open_orders() < 4 && model.book().has_bid() && model.book().has_ask()) {
        const int64_t bid = model.book().best_bid_e8() / venue.instrument().tick_e8;
        const int64_t ask = model.book().best_ask_e8() / venue.instrument().tick_e8;
        const int64_t lots = 200;  // 0.002 ETH each
        const std::pair<uint32_t, int64_t> ladder[] = {{MMH_SIDE_BUY, bid},
                                                       {MMH_SIDE_BUY, bid - 1},
                                                       {MMH_SIDE_SELL, ask},
                                                       {MMH_SIDE_SELL, ask + 1}};
        for (const auto& [side, ticks] : ladder)
          venue.submit(limit(now, side, ticks, lots, ("o" + std::to_string(++next_id)).c_str()));
        model.advance(venue, now);
      }
      for (const VenueEvent& e : venue.events()) fills += e.kind == MMH_EVENT_FILL ? 1 : 0;
      venue.events().clear();
    }
    benchmark::DoNotOptimize(fills);
  }
  state.SetItemsProcessed(state.iterations() * events);
  state.counters["events"] = static_cast<double>(events);
  state.counters["fills_per_pass"] =
      static_cast<double>(fills) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}
BENCHMARK(BM_BookFillProbQueue)->Unit(benchmark::kMillisecond);
