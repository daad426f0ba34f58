// Bybit public orderbook.50 messages, bytes in -> local book updated (parse + apply), one message
// per iteration. Two delta sizes: every one of the 50+50 levels touched (the worst a 50-level
// delta can be) and a typical 6-level delta. Messages are generated in Bybit's wire format with
// consecutive u around a 2500 USDT book; deletes and re-inserts keep both sides near 50 levels.
#include "order_book.hpp"
#include "public_message.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace mmh::bybit;

constexpr int64_t kTick = 1000000;  // 0.01 in e8
constexpr int64_t kMid = 250000000000;

std::string level(int64_t price, int64_t qty) {
  return "[\"" + mmh::sdk::format_e8(price) + "\",\"" + mmh::sdk::format_e8(qty) + "\"]";
}

std::string message(bool snapshot, uint64_t u, const std::vector<std::string>& bids,
                    const std::vector<std::string>& asks) {
  std::string text = std::string(
                         "{\"topic\":\"orderbook.50.ETHUSDT\",\"ts\":1732147200000,"
                         "\"type\":\"") +
                     (snapshot ? "snapshot" : "delta") + "\",\"data\":{\"s\":\"ETHUSDT\",\"b\":[";
  for (size_t i = 0; i < bids.size(); ++i) text += (i ? "," : "") + bids[i];
  text += "],\"a\":[";
  for (size_t i = 0; i < asks.size(); ++i) text += (i ? "," : "") + asks[i];
  return text + "],\"u\":" + std::to_string(u) + ",\"seq\":" + std::to_string(u * 7) +
         "},\"cts\":1732147199998}";
}

// A snapshot (u = 1) and `count` deltas (u = 2...) each touching `per_side` levels a side.
std::vector<std::string> stream(size_t count, int per_side) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> qty(1000000, 500000000);  // 0.01 .. 5
  std::uniform_int_distribution<int> offset(0, 59);
  std::vector<std::string> out;
  std::vector<std::string> bids, asks;
  for (int i = 0; i < 50; ++i) {
    bids.push_back(level(kMid - (i + 1) * kTick, qty(rng)));
    asks.push_back(level(kMid + i * kTick, qty(rng)));
  }
  out.push_back(message(true, 1, bids, asks));
  for (size_t n = 0; n < count; ++n) {
    bids.clear();
    asks.clear();
    for (int i = 0; i < per_side; ++i) {
      const int o = per_side >= 50 ? i : offset(rng);
      const bool remove = (rng() % 8) == 0;
      bids.push_back(level(kMid - (o + 1) * kTick, remove ? 0 : qty(rng)));
      asks.push_back(level(kMid + o * kTick, remove ? 0 : qty(rng)));
    }
    out.push_back(message(false, n + 2, bids, asks));
  }
  return out;
}

void run(benchmark::State& state, int per_side) {
  const std::vector<std::string> messages = stream(4096, per_side);
  PublicParser parser;
  PublicMessage m;
  OrderBook book(50);
  size_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    if (i == messages.size()) i = 0;  // back to the snapshot: u restarts at 1
    parser.parse(messages[i], m);
    const OrderBook::Result r = book.apply(m);
    benchmark::DoNotOptimize(r);
    bytes += messages[i].size();
    ++i;
  }
  if (!book.valid()) state.SkipWithError("the book went invalid: generator bug");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["levels_per_msg"] = per_side * 2;
}

}  // namespace

static void BM_BybitBookDelta50Levels(benchmark::State& state) {
  run(state, 50);
}
static void BM_BybitBookDeltaTypical(benchmark::State& state) {
  run(state, 3);
}
BENCHMARK(BM_BybitBookDelta50Levels);
BENCHMARK(BM_BybitBookDeltaTypical);
