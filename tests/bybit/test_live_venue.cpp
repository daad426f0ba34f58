// LiveVenue against the fake Bybit's matching side over TLS: orders placed, amended, filled and
// cancelled end with the venue's reports equal to the exchange's state; a create whose reply is
// lost is resolved by asking, never by placing again; fills missed while the private stream was
// down come back through reconciliation exactly once; stopping cancels this run's orders and
// leaves other orders alone; wrong keys stop the start with a reason that holds no secret.
#include "live_venue.hpp"

#include "fake_bybit.hpp"
#include "fake_exchange.hpp"
#include "test_support.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

using namespace mmh::bybit;
using namespace mmh::test;

namespace {

constexpr int64_t E8 = 100000000;
const char* kPrefix = "mmh-test1";

// What the venue emitted, in order.
struct Reports {
  mutable std::mutex mutex;
  std::vector<mmh_order_update> updates;
  std::vector<mmh_fill> fills;
  std::map<std::string, std::pair<int64_t, int64_t>> balances;  // asset -> free, locked (e8)
  std::vector<std::string> logs;

  void take(const mmh_batch& b) {
    std::lock_guard lock(mutex);
    const char* p = static_cast<const char*>(b.records);
    for (size_t i = 0; i < b.count; ++i, p += b.record_size) {
      if (b.kind == MMH_EVENT_ORDER_UPDATE)
        updates.push_back(*reinterpret_cast<const mmh_order_update*>(p));
      if (b.kind == MMH_EVENT_FILL) fills.push_back(*reinterpret_cast<const mmh_fill*>(p));
      if (b.kind == MMH_EVENT_BALANCE) {
        const auto& x = *reinterpret_cast<const mmh_balance*>(p);
        int64_t free = 0, locked = 0;
        mmh::sdk::decimal_to_e8(x.free, free);
        mmh::sdk::decimal_to_e8(x.locked, locked);
        balances[x.asset] = {free, locked};
      }
    }
  }
  // The last update of an order, if any matches `status` (0 = any).
  bool has(const std::string& id, uint32_t status, int64_t price_ticks = 0) const {
    std::lock_guard lock(mutex);
    for (const auto& u : updates)
      if (id == u.client_id && (status == 0 || u.status == status) &&
          (price_ticks == 0 || u.price_ticks == price_ticks))
        return true;
    return false;
  }
  size_t fill_count() const {
    std::lock_guard lock(mutex);
    return fills.size();
  }
  std::pair<int64_t, int64_t> balance(const std::string& asset) const {
    std::lock_guard lock(mutex);
    auto it = balances.find(asset);
    return it == balances.end() ? std::pair<int64_t, int64_t>{-1, -1} : it->second;
  }
};

struct Fixture {
  FakeBybit fake;
  TempDir dir;
  Reports reports;
  std::unique_ptr<LiveVenue> venue;

  explicit Fixture(Credentials keys = {"TESTKEY0123456789",
                                       "TESTSECRETabcdefghijklmnopqrstuvwxyz0123"},
                   const std::string& venue_extra = {}) {
    fake.with_exchange([](FakeExchange& x) {
      x.set_balance("USDT", 10000 * E8);
      x.set_balance("ETH", E8);
      x.set_touch(2500 * E8, 2500 * E8 + 1000000);
    });
    const VenueConfig config = load_venue_config(
        fake.write_venue_file(dir.path().string(), "backoff_initial_ms: 20\n" + venue_extra));
    LiveVenueSettings s;
    s.symbol = "ETHUSDT";
    s.base_asset = "ETH";
    s.quote_asset = "USDT";
    s.tick_size = mmh_decimal{1, -2, 0};
    s.lot_size = mmh_decimal{1, -5, 0};
    s.order_prefix = kPrefix;
    s.run_start_ms = wall_now_ms() - 1000;
    s.stream.backoff_initial_ms = 20;
    venue = std::make_unique<LiveVenue>(
        config, keys, s, [this](const mmh_batch& b) { reports.take(b); },
        [this](int, const std::string& m) {
          std::lock_guard lock(reports.mutex);
          reports.logs.push_back(m);
        });
  }

  static mmh_order_command command(uint32_t action, const std::string& id, uint32_t side,
                                   int64_t price_ticks, int64_t qty_lots) {
    mmh_order_command c{};
    c.action = action;
    c.symbol_id = 1;
    c.side = side;
    c.order_type = MMH_ORDER_TYPE_LIMIT;
    c.time_in_force = MMH_TIF_POST_ONLY;
    c.price_ticks = price_ticks;
    c.qty_lots = qty_lots;
    std::snprintf(c.client_id, sizeof(c.client_id), "%s", id.c_str());
    return c;
  }
  void place(const std::string& id, uint32_t side, int64_t price_ticks, int64_t qty_lots) {
    venue->submit(command(MMH_ORDER_ACTION_PLACE, id, side, price_ticks, qty_lots));
  }
  // An order this run did not place (by hand, another program): a resting buy at 2000.
  void place_by_hand(const std::string& link_id) {
    fake.with_exchange([&](FakeExchange& x) {
      x.create(R"({"category":"spot","symbol":"ETHUSDT","side":"Buy","orderType":"Limit",)"
               R"("qty":"0.01","price":"2000","timeInForce":"GTC","orderLinkId":")" +
                   link_id + R"("})",
               wall_now_ms());
    });
  }
  std::vector<FakeOrder> open_on_exchange() {
    std::vector<FakeOrder> out;
    fake.with_exchange([&](FakeExchange& x) { out = x.open_orders(); });
    return out;
  }
  // The venue's last balances equal the exchange's wallet.
  void check_wallets_equal() {
    fake.with_exchange([&](FakeExchange& x) {
      for (const char* coin : {"ETH", "USDT"}) {
        const auto [free, locked] = reports.balance(coin);
        CHECK(free + locked == x.wallet_e8(coin));
        CHECK(locked == x.locked_e8(coin));
      }
    });
  }
};

}  // namespace

TEST_CASE("bybit live venue: place, amend, partial fill, cancel - both views end equal") {
  Fixture f;
  f.venue->start();
  CHECK(f.reports.balance("USDT").first == 10000 * E8);  // reconciled before start returns
  CHECK(f.reports.balance("ETH").first == E8);
  const std::string id = std::string(kPrefix) + "-1";
  f.place(id, MMH_SIDE_BUY, 240000, 10000);  // 2400.00 x 0.1
  REQUIRE(wait_for([&] { return f.reports.has(id, MMH_ORDER_STATUS_NEW); }));
  auto open = f.open_on_exchange();
  REQUIRE(open.size() == 1);
  CHECK(open[0].link_id == id);
  CHECK(open[0].tif == "PostOnly");
  CHECK(open[0].price_e8 == 2400 * E8);

  f.venue->submit(Fixture::command(MMH_ORDER_ACTION_AMEND, id, MMH_SIDE_BUY, 241000, 10000));
  REQUIRE(wait_for([&] { return f.reports.has(id, 0, 241000); }));
  CHECK(f.open_on_exchange()[0].price_e8 == 2410 * E8);

  f.fake.trade_through(false, 2410 * E8, 4 * E8 / 100);  // someone sells 0.04 into our bid
  REQUIRE(wait_for([&] { return f.reports.has(id, MMH_ORDER_STATUS_PARTIALLY_FILLED); }));
  REQUIRE(wait_for([&] { return f.reports.fill_count() == 1; }));
  {
    std::lock_guard lock(f.reports.mutex);
    const mmh_fill& fill = f.reports.fills[0];
    CHECK(fill.qty_lots == 4000);
    CHECK(fill.price_ticks == 241000);
    CHECK(fill.is_maker == 1);
    CHECK(std::string(fill.fee_asset) == "ETH");  // a Buy pays its fee in base (§5.9)
  }
  f.venue->submit(Fixture::command(MMH_ORDER_ACTION_CANCEL, id, MMH_SIDE_BUY, 241000, 10000));
  REQUIRE(wait_for([&] { return f.reports.has(id, MMH_ORDER_STATUS_PARTIALLY_FILLED_CANCELLED); }));
  CHECK(f.open_on_exchange().empty());
  f.venue->stop(false);
  CHECK(f.venue->open_orders() == 0);
  f.check_wallets_equal();
  CHECK(f.reports.balance("ETH").first == E8 + 4 * E8 / 100 - 4 * E8 / 100 / 1000);
}

TEST_CASE("bybit live venue: a create whose reply is lost is found, never placed twice") {
  Fixture f;
  f.venue->start();
  f.fake.inject({"/v5/order/create", FaultKind::lose_reply, 0, 1, 0});
  const std::string id = std::string(kPrefix) + "-7";
  f.place(id, MMH_SIDE_SELL, 260000, 5000);
  REQUIRE(wait_for([&] { return f.reports.has(id, MMH_ORDER_STATUS_NEW); }));
  f.fake.with_exchange([&](FakeExchange& x) {
    CHECK(x.orders().size() == 1);      // one order
    CHECK(x.duplicate_creates() == 1);  // the client's retry was refused as a duplicate...
  });
  CHECK(f.fake.count("/v5/order/create") == 2);
  const LiveVenueStats s = f.venue->stats();
  CHECK(s.duplicate_resolved == 1);  // ...and answered by asking for the order
  CHECK(s.queries == 1);
  CHECK(s.rejects == 0);
  // Exactly one NEW report reached the host.
  size_t news = 0;
  {
    std::lock_guard lock(f.reports.mutex);
    for (const auto& u : f.reports.updates)
      if (id == u.client_id && u.status == MMH_ORDER_STATUS_NEW) ++news;
  }
  CHECK(news == 1);
  f.venue->stop(false);
  CHECK(f.open_on_exchange().empty());
}

TEST_CASE("bybit live venue: an order is lost only after three not-found answers in a row") {
  Fixture f;
  f.venue->start();
  f.fake.inject({"/v5/order/create", FaultKind::lose_reply, 0, 1, 0});
  // The exchange is slow to list the order: two lookups (open, then closed) of each of the
  // first two tries find nothing; the third try finds it.
  f.fake.with_exchange([](FakeExchange& x) { x.hide_from_queries(4); });
  const std::string id = std::string(kPrefix) + "-8";
  f.place(id, MMH_SIDE_SELL, 260000, 5000);
  REQUIRE(wait_for([&] { return f.reports.has(id, MMH_ORDER_STATUS_NEW); }, 8000));
  // The pushed NEW comes first; the lookups go on until the exchange lists the order.
  CHECK(wait_for([&] { return f.venue->stats().queries == 3; }, 5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(f.venue->stats().rejects == 0);                        // not declared lost...
  CHECK_FALSE(f.reports.has(id, MMH_ORDER_STATUS_CANCELLED));  // ...nor closed as gone
  f.fake.with_exchange([&](FakeExchange& x) { CHECK(x.orders().size() == 1); });
  f.venue->stop(false);
  CHECK(f.open_on_exchange().empty());
}

TEST_CASE("bybit live venue: a fill missed during a private reconnect comes back once") {
  Fixture f;
  f.venue->start();
  const std::string id = std::string(kPrefix) + "-2";
  f.place(id, MMH_SIDE_SELL, 255000, 20000);  // 2550.00 x 0.2
  REQUIRE(wait_for([&] { return f.reports.has(id, MMH_ORDER_STATUS_NEW); }));
  const size_t auths = f.fake.private_auths();
  // The fill happens on the exchange while nobody listens.
  f.fake.drop_private_connections();
  f.fake.trade_through(true, 2550 * E8, E8);
  REQUIRE(wait_for([&] { return f.fake.private_auths() > auths; }));
  REQUIRE(wait_for([&] { return f.reports.has(id, MMH_ORDER_STATUS_FILLED); }));
  REQUIRE(wait_for([&] { return f.reports.fill_count() == 1; }));
  CHECK(f.venue->stats().reconciles >= 2);
  CHECK(f.venue->open_orders() == 0);
  // Reconciliation and any late push overlap: still one fill.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(f.reports.fill_count() == 1);
  f.venue->stop(false);
  f.check_wallets_equal();
}

TEST_CASE("bybit live venue: stop cancels this run's orders and leaves others alone") {
  Fixture f;
  f.place_by_hand("manual-1");
  f.venue->start();
  CHECK(f.venue->stats().foreign_orders == 1);
  f.place(std::string(kPrefix) + "-1", MMH_SIDE_BUY, 230000, 1000);
  f.place(std::string(kPrefix) + "-2", MMH_SIDE_SELL, 270000, 1000);
  REQUIRE(wait_for([&] { return f.open_on_exchange().size() == 3; }));
  f.venue->stop(false);
  const auto open = f.open_on_exchange();
  REQUIRE(open.size() == 1);
  CHECK(open[0].link_id == "manual-1");
  CHECK(f.reports.has(std::string(kPrefix) + "-1", MMH_ORDER_STATUS_CANCELLED));
  CHECK(f.reports.has(std::string(kPrefix) + "-2", MMH_ORDER_STATUS_CANCELLED));
  f.check_wallets_equal();
}

TEST_CASE("bybit live venue: stop after a signal cancels every order of the symbol") {
  Fixture f;
  f.place_by_hand("manual-1");
  f.venue->start();
  f.place(std::string(kPrefix) + "-1", MMH_SIDE_BUY, 230000, 1000);
  REQUIRE(wait_for([&] { return f.open_on_exchange().size() == 2; }));
  f.venue->stop(true);
  CHECK(f.open_on_exchange().empty());
  CHECK(f.fake.count("/v5/order/cancel-all") == 1);
}

TEST_CASE("bybit live venue: refused orders are reported with the exchange's reason") {
  Fixture f;
  f.venue->start();
  const std::string id = std::string(kPrefix) + "-3";
  f.place(id, MMH_SIDE_BUY, 240000, 100000000);  // 1000 ETH: more than the wallet pays for
  REQUIRE(wait_for([&] { return f.reports.has(id, MMH_ORDER_STATUS_REJECTED); }));
  {
    std::lock_guard lock(f.reports.mutex);
    CHECK(std::string(f.reports.updates.back().reject_reason).find("170131") != std::string::npos);
    CHECK(f.reports.updates.back().action == MMH_ORDER_ACTION_PLACE);
  }
  // A PostOnly that would take is accepted, then killed by the exchange (§5.1).
  const std::string taker = std::string(kPrefix) + "-4";
  f.place(taker, MMH_SIDE_BUY, 250100, 1000);  // at the ask
  REQUIRE(wait_for([&] { return f.reports.has(taker, MMH_ORDER_STATUS_CANCELLED); }));
  CHECK(f.open_on_exchange().empty());
  f.venue->stop(false);
}

namespace {

// Five creates submitted back to back while the first one's answer is held up, so the other
// four are queued together: {1} alone, then {2, 3, 4, 5}. Order 4 asks for more ETH than the
// wallet holds.
std::vector<std::string> place_five(Fixture& f) {
  f.fake.inject({"/v5/order/create", FaultKind::delay, 300, 1, 0});
  std::vector<std::string> ids;
  for (int i = 1; i <= 5; ++i) ids.push_back(std::string(kPrefix) + "-b" + std::to_string(i));
  f.place(ids[0], MMH_SIDE_BUY, 240000, 10000);
  f.place(ids[1], MMH_SIDE_BUY, 239000, 10000);
  f.place(ids[2], MMH_SIDE_SELL, 260000, 10000);
  f.place(ids[3], MMH_SIDE_SELL, 261000, 500000);  // 5 ETH, the wallet has 1
  f.place(ids[4], MMH_SIDE_SELL, 262000, 10000);
  return ids;
}

}  // namespace

TEST_CASE("bybit live venue: queued creates go out as one batch, a refused item alone fails") {
  Fixture f;
  f.venue->start();
  const std::vector<std::string> ids = place_five(f);
  REQUIRE(wait_for([&] { return f.reports.has(ids[3], MMH_ORDER_STATUS_REJECTED); }));
  for (size_t i : {0U, 1U, 2U, 4U})
    REQUIRE(wait_for([&] { return f.reports.has(ids[i], MMH_ORDER_STATUS_NEW); }));
  CHECK(f.fake.count("/v5/order/create") == 1);
  CHECK(f.fake.count("/v5/order/create-batch") == 1);
  CHECK(f.venue->stats().batches == 1);
  CHECK(f.venue->stats().rejects == 1);
  {
    std::lock_guard lock(f.reports.mutex);
    for (const auto& u : f.reports.updates)
      if (ids[3] == u.client_id)
        CHECK(std::string(u.reject_reason).find("retCode 170131") != std::string::npos);
  }
  CHECK(f.open_on_exchange().size() == 4);
  f.venue->stop(false);
  CHECK(f.open_on_exchange().empty());
  CHECK(f.venue->open_orders() == 0);
  f.check_wallets_equal();
}

TEST_CASE("bybit live venue: a lost batch reply is resolved per order, nothing placed twice") {
  Fixture f;
  f.venue->start();
  f.fake.inject({"/v5/order/create-batch", FaultKind::lose_reply, 0, 1, 0});
  const std::vector<std::string> ids = place_five(f);
  for (size_t i : {0U, 1U, 2U, 4U})
    REQUIRE(wait_for([&] { return f.reports.has(ids[i], MMH_ORDER_STATUS_NEW); }));
  REQUIRE(wait_for([&] { return f.reports.has(ids[3], MMH_ORDER_STATUS_REJECTED); }));
  // The client resent the same batch: three items were duplicates (asked for), the refused one
  // was refused again.
  CHECK(f.fake.count("/v5/order/create-batch") == 2);
  f.fake.with_exchange([&](FakeExchange& x) {
    CHECK(x.orders().size() == 4);
    CHECK(x.duplicate_creates() == 3);
  });
  CHECK(f.venue->stats().duplicate_resolved == 3);
  f.venue->stop(false);
  CHECK(f.open_on_exchange().empty());
  f.check_wallets_equal();
}

TEST_CASE("bybit live venue: without batch_orders every create goes alone (demo)") {
  Fixture f({"TESTKEY0123456789", "TESTSECRETabcdefghijklmnopqrstuvwxyz0123"},
            "batch_orders: false\n");
  f.venue->start();
  const std::vector<std::string> ids = place_five(f);
  for (size_t i : {0U, 1U, 2U, 4U})
    REQUIRE(wait_for([&] { return f.reports.has(ids[i], MMH_ORDER_STATUS_NEW); }));
  REQUIRE(wait_for([&] { return f.reports.has(ids[3], MMH_ORDER_STATUS_REJECTED); }));
  CHECK(f.fake.count("/v5/order/create") == 5);
  CHECK(f.fake.count("/v5/order/create-batch") == 0);
  f.venue->stop(false);
}

TEST_CASE("bybit live venue: a wrong secret stops the start, and no message holds it") {
  Fixture f(Credentials{"TESTKEY0123456789", "wrong-secret-0123456789"});
  try {
    f.venue->start();
    FAIL("start should fail");
  } catch (const BybitError& e) {
    CHECK(e.ret_code() == 10004);
    CHECK(std::string(e.what()).find("wrong-secret") == std::string::npos);
  }
  for (const std::string& m : f.reports.logs) CHECK(m.find("wrong-secret") == std::string::npos);
  CHECK(f.fake.count("/v5/order/create") == 0);
}
