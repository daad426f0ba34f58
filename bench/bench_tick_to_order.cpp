// Tick-to-order latency, in process: Bybit orderbook.50 delta bytes in -> local book -> the
// bos_mm grid around the new mid (the core's quoting function) -> the host's order manager
// (desired vs working) -> signed Bybit REST request bytes out (body + HMAC-SHA256). One message
// per step, timed with steady_clock; p50/p99 over 20,000 messages are reported as counters.
// The mid moves by one tick on one delta in eight (the rest change depth only), so most
// messages end at "nothing to send" and the others re-price all 8 levels of a tight grid
// (8 cancels + 8 creates);
// `p50_requote_ns` is the median of those alone. Acks are applied outside the timed region (an
// instant venue). `/1` runs the same path through the RiskGate (every pre-trade check and the
// rate budgets on; messages 100 ms apart, so the budgets admit the requotes): the A/B of the
// gate's cost on the tick-to-order path.
#include "grid.hpp"
#include "order_book.hpp"
#include "order_request.hpp"
#include "orders/order_manager.hpp"
#include "public_message.hpp"
#include "risk/risk_gate.hpp"
#include "signer.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace mmh::bybit;

constexpr int64_t kTick = 1000000;
constexpr int64_t kMid = 250000000000;

std::string level(int64_t price, int64_t qty) {
  return "[\"" + mmh::sdk::format_e8(price) + "\",\"" + mmh::sdk::format_e8(qty) + "\"]";
}

std::string message(bool snapshot, uint64_t u, const std::string& bids, const std::string& asks) {
  return std::string("{\"topic\":\"orderbook.50.ETHUSDT\",\"ts\":1732147200000,\"type\":\"") +
         (snapshot ? "snapshot" : "delta") + "\",\"data\":{\"s\":\"ETHUSDT\",\"b\":[" + bids +
         "],\"a\":[" + asks + "],\"u\":" + std::to_string(u) + ",\"seq\":" + std::to_string(u * 7) +
         "},\"cts\":1732147199998}";
}

// A snapshot, then deltas: every eighth moves the touch by a tick (alternately up and down),
// the others change the size of three levels a side.
std::vector<std::string> stream(size_t count) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> qty(1000000, 500000000);
  std::string bids, asks;
  for (int i = 0; i < 50; ++i) {
    bids += (i ? "," : "") + level(kMid - (i + 1) * kTick, qty(rng));
    asks += (i ? "," : "") + level(kMid + i * kTick, qty(rng));
  }
  std::vector<std::string> out{message(true, 1, bids, asks)};
  bool up = true;
  for (size_t n = 0; n < count; ++n) {
    std::string b, a;
    if (n % 8 == 7) {
      // Up: the ask at kMid is taken out and a bid appears there (the mid rises a tick); down:
      // back again.
      if (up) {
        b = level(kMid, qty(rng));
        a = level(kMid, 0) + "," + level(kMid + kTick, qty(rng));
      } else {
        b = level(kMid, 0);
        a = level(kMid, qty(rng));
      }
      up = !up;
    } else {
      for (int i = 0; i < 3; ++i) {
        const int64_t o = static_cast<int64_t>(rng() % 40) + 2;
        b += (i ? "," : "") + level(kMid - o * kTick, qty(rng));
        a += (i ? "," : "") + level(kMid + o * kTick, qty(rng));
      }
    }
    out.push_back(message(false, n + 2, b, a));
  }
  return out;
}

void BM_TickToOrderRequest(benchmark::State& state) {
  const std::vector<std::string> messages = stream(20000);
  const Credentials keys{"TESTKEY0123456789", "TESTSECRETabcdefghijklmnopqrstuvwxyz0123"};
  OrderInstrument ins{"ETHUSDT", mmh_decimal{1, -2, 0}, mmh_decimal{1, -5, 0}};
  // A tight grid (2-tick minimum step, no bps floor) so a one-tick mid move re-prices every
  // level: the requote path is the worst case, 8 amends.
  mmh::bos::GridParams params;
  params.step_min_ticks = 2;
  params.step_min_bps = 0;
  params.step_atr = 0.01;
  const mmh::bos::Instrument grid_ins;
  std::vector<int64_t> latency_ns, requote_ns;
  std::map<std::string, uint64_t> gate_vetoes;
  latency_ns.reserve(messages.size());
  size_t requests = 0, request_bytes = 0;
  for (auto _ : state) {
    PublicParser parser;
    PublicMessage m;
    OrderBook book(50);
    mmh::OrderManagerConfig omc;
    omc.replace_threshold_ticks = 0;  // the default: a re-priced level is cancelled and placed
    omc.id_prefix = "mmh-snd6wg";     // a run prefix as the host makes them
    mmh::OrderManager orders(omc);
    mmh::RiskLimits limits;  // defaults: 400 open orders, 16 places/s, 8 amends/s
    limits.daily_loss_pct = 2;
    limits.max_drawdown_pct = 10;
    limits.max_order_notional_e8 = 100000LL * 100000000;
    limits.price_band_bps = 200;
    limits.stale_ms = 5000;
    mmh::RiskGate gate(limits);
    const bool gated = state.range(0) != 0;
    int64_t ts_ns = 1732147200000000000;
    std::vector<mmh_desired_order> desired;
    std::vector<mmh_order_command> commands;
    std::vector<std::string> wire;
    latency_ns.clear();
    requote_ns.clear();
    for (const std::string& text : messages) {
      ts_ns += 100'000'000;
      const auto t0 = std::chrono::steady_clock::now();
      parser.parse(text, m);
      book.apply(m);
      if (gated) gate.on_data(ts_ns, ts_ns, false);
      mmh::bos::GridInputs in;
      in.best_bid_e8 = book.bids().front().price_e8;
      in.best_ask_e8 = book.asks().front().price_e8;
      in.centre_e8 = (in.best_bid_e8 + in.best_ask_e8) / 2;
      in.atr_e8 = 8.0 * 1e8;
      in.atr_pct = 0.32;
      in.base_free_e8 = 2 * 100000000;
      in.quote_free_e8 = 5000LL * 100000000;
      const mmh::bos::Grid g = mmh::bos::build_grid(params, grid_ins, in);
      desired.clear();
      for (size_t i = 0; i < static_cast<size_t>(g.bid_count); ++i)
        desired.push_back(
            {MMH_SIDE_BUY, MMH_ORDER_TYPE_LIMIT, g.bids[i].price_ticks, g.bids[i].qty_lots});
      for (size_t i = 0; i < static_cast<size_t>(g.ask_count); ++i)
        desired.push_back(
            {MMH_SIDE_SELL, MMH_ORDER_TYPE_LIMIT, g.asks[i].price_ticks, g.asks[i].qty_lots});
      commands.clear();
      if (gated) {
        gate.filter(desired,
                    mmh::GateInputs{in.centre_e8, kTick, 1000, in.base_free_e8, in.quote_free_e8});
        orders.sync(ts_ns, desired, commands, &gate);
      } else {
        orders.sync(ts_ns, desired, commands);
      }
      wire.clear();
      for (const mmh_order_command& c : commands) {
        std::string body = c.action == MMH_ORDER_ACTION_PLACE   ? create_body(ins, c)
                           : c.action == MMH_ORDER_ACTION_AMEND ? amend_body(ins, c)
                                                                : cancel_body(ins, c.client_id);
        wire.push_back(rest_signature(keys, 1732147200000, 5000, body));
        wire.push_back(std::move(body));
      }
      const auto t1 = std::chrono::steady_clock::now();
      const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
      latency_ns.push_back(ns);
      if (!commands.empty()) requote_ns.push_back(ns);
      requests += commands.size();
      for (const std::string& w : wire) request_bytes += w.size();
      // The instant venue: every command acknowledged as asked.
      for (const mmh_order_command& c : commands) {
        mmh_order_update u{};
        u.status =
            c.action == MMH_ORDER_ACTION_CANCEL ? MMH_ORDER_STATUS_CANCELLED : MMH_ORDER_STATUS_NEW;
        u.side = c.side;
        u.price_ticks = c.price_ticks;
        u.qty_lots = c.qty_lots;
        std::memcpy(u.client_id, c.client_id, sizeof(u.client_id));
        orders.on_update(u);
      }
    }
    benchmark::DoNotOptimize(request_bytes);
    gate_vetoes = gate.stats().vetoes;
  }
  if (requote_ns.empty()) {
    state.SkipWithError("no message led to an order request: generator bug");
    return;
  }
  auto pct = [](std::vector<int64_t> v, double p) {
    std::sort(v.begin(), v.end());
    return static_cast<double>(v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))]);
  };
  state.counters["p50_ns"] = pct(latency_ns, 0.50);
  state.counters["p99_ns"] = pct(latency_ns, 0.99);
  state.counters["p50_requote_ns"] = pct(requote_ns, 0.50);
  state.counters["p99_requote_ns"] = pct(requote_ns, 0.99);
  state.counters["requote_share"] =
      static_cast<double>(requote_ns.size()) / static_cast<double>(latency_ns.size());
  if (state.range(0) != 0) {
    uint64_t vetoes = 0;
    for (const auto& [why, n] : gate_vetoes) vetoes += n;
    state.counters["gate_vetoes"] = static_cast<double>(vetoes);
  }
  state.counters["requests_per_requote"] =
      static_cast<double>(requests) /
      static_cast<double>(requote_ns.size() * static_cast<size_t>(state.iterations()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(messages.size()));
}

}  // namespace

BENCHMARK(BM_TickToOrderRequest)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(5);
