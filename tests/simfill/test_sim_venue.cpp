#include "sim_support.hpp"
#include "sim_venue.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <string>
#include <utility>

using namespace mmh::sim;
using namespace mmh::sim::test;

namespace {

// A market with a fixed touch and a fixed depth at it.
class FixedMarket final : public MarketAccess {
 public:
  FixedMarket(int64_t bid_ticks, int64_t ask_ticks, int64_t depth_e8)
      : bid_(bid_ticks), ask_(ask_ticks), depth_e8_(depth_e8) {}
  TopOfBook top() const override {
    return TopOfBook{bid_ * 1'000'000, ask_ * 1'000'000, depth_e8_, depth_e8_};
  }
  void take(SimVenue& venue, SimOrder& order, int64_t ts_ns, int64_t, int64_t max_lots) override {
    const int64_t lots = std::min(max_lots, depth_e8_ / venue.instrument().lot_e8);
    venue.fill(order, ts_ns, order.is_buy() ? ask_ : bid_, lots, false);
  }
  int64_t available_e8(bool, int64_t) const override { return depth_e8_; }
  int64_t queue_ahead_e8(bool, int64_t) const override { return 0; }

 private:
  int64_t bid_, ask_, depth_e8_;
};

std::string status_list(const SimVenue& v) {
  std::string out;
  for (const auto& u : updates(v)) out += std::to_string(u.status) + " ";
  return out;
}

}  // namespace

TEST_CASE("venue: a resting buy locks its quote, a cancel returns it") {
  SimVenue v = venue();
  FixedMarket m(250'000, 250'001, 10 * kE8);
  v.submit(limit(0, MMH_SIDE_BUY, 249'000, 10'000, "b1"));  // 0.1 ETH at 2490
  v.apply_due(0, m);
  CHECK(v.locked_e8(false) == 249 * kE8);
  CHECK(v.free_e8(false) == (10'000 - 249) * kE8);
  CHECK(v.open_orders() == 1);
  v.submit(cancel(1, "b1"));
  v.apply_due(1, m);
  CHECK(v.locked_e8(false) == 0);
  CHECK(v.free_e8(false) == 10'000 * kE8);
  CHECK(status_list(v) == "1 4 ");  // NEW, CANCELLED
}

TEST_CASE("venue: every update and fill carries its order's ids, an id without room is refused") {
  SimVenue v = venue();
  FixedMarket m(250'000, 250'001, 10 * kE8);
  const std::string longest(MMH_CLIENT_ID_CAPACITY - 1, 'x');  // 39 bytes and the NUL
  v.submit(limit(0, MMH_SIDE_BUY, 249'000, 10'000, "b1"));
  v.submit(limit(0, MMH_SIDE_BUY, 249'500, 10'000, longest.c_str()));
  v.submit(limit(0, MMH_SIDE_SELL, 0, 10'000, "s1"));  // a sell the wallet cannot cover: refused
  mmh_order_command full = limit(0, MMH_SIDE_BUY, 249'100, 10'000, "");
  std::memset(full.client_id, 'y', sizeof(full.client_id));  // 40 bytes, no NUL
  v.submit(full);
  v.submit(limit(0, MMH_SIDE_BUY, 250'001, 10'000, "t1"));  // takes at the ask
  v.apply_due(0, m);
  v.submit(cancel(1, longest.c_str()));
  v.apply_due(1, m);
  const std::vector<mmh_order_update> u = updates(v);
  std::string seen;
  for (const mmh_order_update& x : u)
    seen += std::string(x.client_id) + ":" + std::to_string(x.status) + ":" +
            std::string(x.venue_order_id) + " ";
  // NEW 1, FILLED 3, CANCELLED 4, REJECTED 6; a refused sell still took an order number.
  CHECK(seen == "b1:1:sim-1 " + longest + ":1:sim-2 s1:6: " + std::string(39, 'y') +
                    ":6: t1:1:sim-4 t1:3:sim-4 " + longest + ":4:sim-2 ");
  CHECK(std::string(u[3].reject_reason) == "client_id has no room for its NUL");
  const std::vector<mmh_fill> f = fills(v);
  REQUIRE(f.size() == 1);
  CHECK(std::string(f[0].client_id) == "t1");
  CHECK(std::string(f[0].venue_order_id) == "sim-4");
  CHECK(v.open_orders() == 1);  // b1
}

TEST_CASE("venue: PostOnly that would cross is rejected, GTC crossing takes at the touch") {
  SimVenue v = venue();
  FixedMarket m(250'000, 250'001, 10 * kE8);
  v.submit(limit(0, MMH_SIDE_BUY, 250'001, 10'000, "po", MMH_TIF_POST_ONLY));
  v.apply_due(0, m);
  const auto rejected = updates(v);
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].status == MMH_ORDER_STATUS_REJECTED);
  CHECK(std::string(rejected[0].reject_reason) == "post-only order would cross the book");
  CHECK(fills(v).empty());
  CHECK(v.counters().rejects == 1);

  v.events().clear();
  v.submit(limit(0, MMH_SIDE_BUY, 250'005, 10'000, "gtc"));
  v.apply_due(0, m);
  const auto f = fills(v);
  REQUIRE(f.size() == 1);
  CHECK(f[0].price_ticks == 250'001);  // the touch, not the limit
  CHECK(f[0].is_maker == 0);
  CHECK(std::string(f[0].fee_asset) == "ETH");
  CHECK(fee_e8(f[0]) == 10'000);   // 0.1% of 0.1 ETH
  CHECK(v.locked_e8(false) == 0);  // the lock at 2500.05 is fully released
  CHECK(v.free_e8(false) == 10'000 * kE8 - 25'000'100'000);  // 250.001 USDT
  CHECK(v.free_e8(true) == 10'000'000 - 10'000);
}

TEST_CASE("venue: IOC fills what is there and cancels the rest, FOK all or nothing") {
  SimVenue v = venue();
  FixedMarket m(250'000, 250'001, 5'000'000);  // 0.05 ETH at the ask
  v.submit(limit(0, MMH_SIDE_BUY, 250'001, 10'000, "ioc", MMH_TIF_IOC));
  v.apply_due(0, m);
  REQUIRE(fills(v).size() == 1);
  CHECK(fills(v)[0].qty_lots == 5'000);
  CHECK(status_list(v) == "1 2 5 ");  // NEW, PARTIALLY_FILLED, PARTIALLY_FILLED_CANCELLED
  CHECK(v.open_orders() == 0);
  CHECK(v.locked_e8(false) == 0);

  v.events().clear();
  v.submit(limit(0, MMH_SIDE_BUY, 250'001, 10'000, "fok", MMH_TIF_FOK));
  v.apply_due(0, m);
  CHECK(fills(v).empty());
  CHECK(status_list(v) == "1 4 ");  // NEW, CANCELLED: not enough to fill it all
  v.events().clear();
  v.submit(limit(0, MMH_SIDE_BUY, 250'001, 5'000, "fok2", MMH_TIF_FOK));
  v.apply_due(0, m);
  CHECK(fills(v).size() == 1);
  CHECK(status_list(v) == "1 3 ");  // NEW, FILLED
  v.events().clear();
  v.submit(limit(0, MMH_SIDE_BUY, 249'000, 5'000, "fok3", MMH_TIF_FOK));  // does not cross
  v.apply_due(0, m);
  CHECK(fills(v).empty());
  CHECK(status_list(v) == "1 4 ");
}

TEST_CASE("venue: latency orders the commands by arrival, not by sending") {
  LatencyConfig lat;
  lat.entry = LatencySpec::parse("30");
  lat.cancel = LatencySpec::parse("10");
  SimVenue v = venue(0.001, 0.001, lat);
  FixedMarket m(250'000, 250'001, kE8);
  v.submit(limit(0, MMH_SIDE_BUY, 249'000, 1'000, "a"));
  v.submit(cancel(5'000'000, "a"));  // sent later, arrives first (15 ms < 30 ms)
  CHECK(v.next_due_ns() == 15'000'000);
  v.apply_due(100'000'000, m);
  const auto u = updates(v);
  REQUIRE(u.size() == 2);
  CHECK(u[0].status == MMH_ORDER_STATUS_REJECTED);
  CHECK(u[0].ts_ns == 15'000'000);
  CHECK(u[1].status == MMH_ORDER_STATUS_NEW);
  CHECK(u[1].ts_ns == 30'000'000);
  CHECK(v.open_orders() == 1);
  v.submit(cancel(25'000'000, "a"));  // arrives at 35 ms, after the order
  v.apply_due(100'000'000, m);
  CHECK(v.open_orders() == 0);
}

TEST_CASE("venue: commands act in (arrival, sending) order, in order or overtaking") {
  // Arrivals 10, 5, 10, 7, 5, 12: some queue behind the last, some overtake it; equal arrivals
  // keep the order they were sent in.
  SimVenue v = venue();
  FixedMarket m(250'000, 250'001, kE8);
  const std::pair<int64_t, const char*> sent[] = {{10, "a"}, {5, "b"}, {10, "c"},
                                                  {7, "d"},  {5, "e"}, {12, "f"}};
  for (const auto& [ts, id] : sent) v.submit(limit(ts, MMH_SIDE_BUY, 249'000, 1'000, id));
  CHECK(v.next_due_ns() == 5);
  v.apply_due(9, m);
  CHECK(v.next_due_ns() == 10);
  v.submit(limit(10, MMH_SIDE_BUY, 249'000, 1'000, "g"));  // ties with a and c, sent after
  v.submit(limit(9, MMH_SIDE_BUY, 249'000, 1'000, "h"));   // arrives before them
  v.apply_due(100, m);
  CHECK(v.next_due_ns() == INT64_MAX);
  std::string order;
  for (const auto& u : updates(v))
    order += std::string(u.client_id) + "@" + std::to_string(u.ts_ns) + " ";
  CHECK(order == "b@5 e@5 d@7 h@9 a@10 c@10 g@10 f@12 ");
}

TEST_CASE("venue: orders the balance cannot pay for are rejected, nothing goes negative") {
  SimVenue v = venue(0.001, 0.001, {}, 0, 100 * kE8);  // 100 USDT, no ETH
  FixedMarket m(250'000, 250'001, 10 * kE8);
  v.submit(limit(0, MMH_SIDE_BUY, 250'000, 10'000, "big"));  // 250 USDT
  v.submit(limit(0, MMH_SIDE_SELL, 260'000, 1'000, "nobase"));
  v.submit(market(0, MMH_SIDE_SELL, 1'000, "mkt"));
  v.apply_due(0, m);
  const auto u = updates(v);
  REQUIRE(u.size() == 3);
  CHECK(std::string(u[0].reject_reason) == "insufficient quote balance");
  CHECK(std::string(u[1].reject_reason) == "insufficient base balance");
  CHECK(std::string(u[2].reject_reason) == "insufficient base balance");
  CHECK(v.free_e8(false) == 100 * kE8);
  CHECK(v.free_e8(true) == 0);
}

TEST_CASE("venue: a smaller amend keeps the order's place, a new price loses it") {
  SimVenue v = venue();
  FixedMarket m(250'000, 250'001, kE8);
  v.submit(limit(0, MMH_SIDE_BUY, 249'000, 2'000, "a"));
  v.submit(limit(0, MMH_SIDE_BUY, 249'000, 2'000, "b"));
  v.apply_due(0, m);
  mmh_order_command amend = limit(1, MMH_SIDE_BUY, 249'000, 1'000, "a");
  amend.action = MMH_ORDER_ACTION_AMEND;
  v.submit(amend);
  v.apply_due(1, m);
  std::vector<SimOrder*> rest;
  v.resting(rest);
  REQUIRE(rest.size() == 2);
  CHECK(rest[0]->client_id == "a");
  CHECK(v.locked_e8(false) == 7'470'000'000);  // 0.01 + 0.02 ETH at 2490 = 74.7 USDT
  amend = limit(2, MMH_SIDE_BUY, 249'100, 1'000, "a");
  amend.action = MMH_ORDER_ACTION_AMEND;
  v.submit(amend);
  v.apply_due(2, m);
  v.resting(rest);
  CHECK(rest[0]->client_id == "b");
  // Losing its place does not change the order's identity at the venue.
  const auto u = updates(v);
  CHECK(std::string(u.back().client_id) == "a");
  CHECK(std::string(u.back().venue_order_id) == "sim-1");
}

TEST_CASE("venue: the resting list keeps time priority through places, cancels, amends, fills") {
  // 400 random steps; after each, resting() must list the live orders in the order a plain
  // model of time priority says: a place goes last, a cancel or a fill-up leaves, an amend to a
  // new price or a larger size goes last, a smaller amend at the same price keeps its place.
  SimVenue v = venue(0.001, 0.001, {}, 100 * kE8, 1'000'000 * kE8);
  FixedMarket m(250'000, 250'001, kE8);
  struct Model {
    std::string id;
    uint32_t side;
    int64_t price_ticks, qty_lots;
  };
  std::vector<Model> expected;
  uint64_t draw = 12345;
  auto next = [&](uint64_t n) {
    draw = draw * 6364136223846793005ULL + 1442695040888963407ULL;
    return (draw >> 33) % n;
  };
  auto same = [&] {
    std::string want, got;
    for (const Model& e : expected) want += e.id + " ";
    for (const SimOrder* r : v.resting()) got += std::string(r->client_id.view()) + " ";
    return got == want;
  };
  int64_t ts = 0;
  int placed = 0;
  for (int step = 0; step < 400; ++step) {
    ++ts;
    const uint64_t op = expected.empty() ? 0 : next(4);
    if (op == 0) {  // place
      const uint32_t side = next(2) == 0 ? MMH_SIDE_BUY : MMH_SIDE_SELL;
      const int64_t price = side == MMH_SIDE_BUY ? 240'000 + static_cast<int64_t>(next(50))
                                                 : 260'000 + static_cast<int64_t>(next(50));
      const std::string id = "o" + std::to_string(++placed);
      v.submit(limit(ts, side, price, 1'000 + static_cast<int64_t>(next(3)) * 500, id.c_str()));
      v.apply_due(ts, m);
      expected.push_back({id, side, price, 0});
      REQUIRE(same());
      continue;
    }
    const size_t k = next(expected.size());
    Model& o = expected[k];
    SimOrder* order = nullptr;
    for (SimOrder* r : v.resting())
      if (r->client_id == o.id) order = r;
    REQUIRE(order != nullptr);
    if (op == 1) {  // cancel
      v.submit(cancel(ts, o.id.c_str()));
      v.apply_due(ts, m);
      expected.erase(expected.begin() + static_cast<std::ptrdiff_t>(k));
    } else if (op == 2) {  // amend: same price smaller, or a new price
      const bool smaller = next(2) == 0 && order->leaves_lots() > 500;
      const int64_t price =
          smaller ? o.price_ticks : o.price_ticks + (o.side == MMH_SIDE_BUY ? -1 : 1);
      mmh_order_command amend =
          limit(ts, o.side, price, order->qty_lots - (smaller ? 250 : 0), o.id.c_str());
      amend.action = MMH_ORDER_ACTION_AMEND;
      v.submit(amend);
      v.apply_due(ts, m);
      if (!smaller) {
        Model moved = o;
        moved.price_ticks = price;
        expected.erase(expected.begin() + static_cast<std::ptrdiff_t>(k));
        expected.push_back(moved);
      }
    } else {  // a maker fill of part or all of it
      const bool all = next(2) == 0;
      v.fill(*order, ts, order->price_ticks, all ? order->leaves_lots() : 250, true);
      if (all || order->leaves_lots() <= 0)
        expected.erase(expected.begin() + static_cast<std::ptrdiff_t>(k));
    }
    REQUIRE(same());
  }
  CHECK(placed > 50);
}

TEST_CASE("venue: a batch of actions ends with one balance report per asset, the final one") {
  SimVenue v = venue();
  FixedMarket m(250'000, 250'001, 10 * kE8);
  v.submit(limit(0, MMH_SIDE_BUY, 249'000, 10'000, "b1"));
  v.submit(limit(0, MMH_SIDE_BUY, 248'000, 10'000, "b2"));
  v.submit(cancel(0, "b1"));
  v.apply_due(0, m);
  v.end_batch();
  const std::vector<VenueEvent>& events = v.events();
  REQUIRE(events.size() == 5);  // NEW, NEW, CANCELLED, then base and quote
  CHECK(events[2].kind == MMH_EVENT_ORDER_UPDATE);
  CHECK(events[3].kind == MMH_EVENT_BALANCE);
  CHECK(events[4].kind == MMH_EVENT_BALANCE);
  CHECK(std::string(events[4].balance.asset) == "USDT");
  CHECK(events[4].balance.locked.mantissa == v.locked_e8(false));  // b2 only: 0.1 at 2480
  CHECK(events[4].balance.locked.mantissa == 248 * kE8);
  v.events().clear();
  v.end_batch();  // nothing changed since: no report
  CHECK(v.events().empty());
}
