#include "orders/order_manager.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

using mmh::OrderManager;
using mmh::OrderManagerConfig;

namespace {

mmh_desired_order bid(int64_t price_ticks, int64_t lots) {
  return {MMH_SIDE_BUY, MMH_ORDER_TYPE_LIMIT, price_ticks, lots};
}
mmh_desired_order ask(int64_t price_ticks, int64_t lots, bool market = false) {
  const uint32_t type = market ? MMH_ORDER_TYPE_MARKET : MMH_ORDER_TYPE_LIMIT;
  return {MMH_SIDE_SELL, type, price_ticks, lots};
}

mmh_order_update update(const mmh_order_command& c, uint32_t status, int64_t filled = 0) {
  mmh_order_update u{};
  u.status = status;
  u.side = c.side;
  u.price_ticks = c.price_ticks;
  u.qty_lots = c.qty_lots;
  u.filled_qty_lots = filled;
  u.leaves_qty_lots = c.qty_lots - filled;
  std::snprintf(u.client_id, sizeof(u.client_id), "%s", c.client_id);
  if (status == MMH_ORDER_STATUS_REJECTED) u.action = c.action;
  return u;
}

std::string actions(const std::vector<mmh_order_command>& cmds) {
  std::string out;
  for (const auto& c : cmds)
    out += std::string(c.action == MMH_ORDER_ACTION_PLACE   ? "place"
                       : c.action == MMH_ORDER_ACTION_AMEND ? "amend"
                                                            : "cancel") +
           " ";
  return out;
}

}  // namespace

TEST_CASE("order manager: places the grid once, keeps it, and replaces only what moved") {
  OrderManager om;
  std::vector<mmh_order_command> out;
  om.sync(1, {bid(100, 10), bid(99, 10), ask(102, 10)}, out);
  REQUIRE(actions(out) == "place place place ");
  CHECK(out[0].time_in_force == MMH_TIF_POST_ONLY);
  for (const auto& c : out) om.on_update(update(c, MMH_ORDER_STATUS_NEW));
  const auto placed = out;
  out.clear();
  om.sync(2, {bid(100, 10), bid(99, 10), ask(102, 10)}, out);
  CHECK(out.empty());
  // The top bid moves a tick: cancel first, then the new one.
  om.sync(3, {bid(101, 10), bid(99, 10), ask(102, 10)}, out);
  CHECK(actions(out) == "cancel place ");
  CHECK(std::string(out[0].client_id) == placed[0].client_id);
  CHECK(om.stats().placed == 4);
}

TEST_CASE("order manager: a moved order within the threshold stays, a resized one is amended") {
  OrderManagerConfig c;
  c.replace_threshold_ticks = 2;
  OrderManager om(c);
  std::vector<mmh_order_command> out;
  om.sync(1, {bid(100, 100)}, out);
  om.on_update(update(out[0], MMH_ORDER_STATUS_NEW));
  out.clear();
  om.sync(2, {bid(102, 105)}, out);  // 2 ticks and 5% away: keep
  CHECK(out.empty());
  om.sync(3, {bid(101, 150)}, out);  // 50% larger: amend
  REQUIRE(actions(out) == "amend ");
  CHECK(out[0].qty_lots == 150);
  CHECK(out[0].price_ticks == 100);
}

TEST_CASE("order manager: with reprice_by_amend a moved order is amended, not replaced") {
  OrderManagerConfig c;
  c.reprice_by_amend = true;
  OrderManager om(c);
  std::vector<mmh_order_command> out;
  om.sync(1, {bid(100, 10), ask(110, 10)}, out);
  REQUIRE(actions(out) == "place place ");
  const std::string bid_id = out[0].client_id;
  om.on_update(update(out[0], MMH_ORDER_STATUS_NEW));  // the ask is not acknowledged yet
  out.clear();
  // Both move: the live bid is amended to the new price and size; the unacknowledged ask cannot
  // be, so it is replaced.
  om.sync(2, {bid(97, 12), ask(111, 10)}, out);
  REQUIRE(actions(out) == "cancel amend place ");
  CHECK(std::string(out[1].client_id) == bid_id);
  CHECK(out[1].price_ticks == 97);
  CHECK(out[1].qty_lots == 12);
  CHECK(om.stats().placed == 3);
  CHECK(om.stats().amended == 1);
  // The venue's answer moves the working order; the same wish then sends nothing.
  om.on_update(update(out[1], MMH_ORDER_STATUS_NEW));
  om.on_update(update(out[2], MMH_ORDER_STATUS_NEW));
  out.clear();
  om.sync(3, {bid(97, 12), ask(111, 10)}, out);
  CHECK(out.empty());
  // A second desired bid with nothing left to move is placed.
  om.sync(4, {bid(97, 12), bid(95, 12), ask(111, 10)}, out);
  CHECK(actions(out) == "place ");
}

TEST_CASE("order manager: a market order is sent once while in flight, rejects are handled") {
  OrderManager om;
  std::vector<mmh_order_command> out;
  om.sync(1, {ask(100, 50, true)}, out);
  REQUIRE(actions(out) == "place ");
  CHECK(out[0].order_type == MMH_ORDER_TYPE_MARKET);
  const mmh_order_command market = out[0];
  out.clear();
  om.sync(2, {ask(100, 50, true)}, out);
  CHECK(out.empty());
  om.on_update(update(market, MMH_ORDER_STATUS_FILLED, 50));
  CHECK(om.working().empty());

  // A rejected place is gone; a cancel that overtook its order leaves it to be cancelled again.
  om.sync(3, {bid(90, 10)}, out);
  const mmh_order_command b = out.back();
  om.on_update(update(b, MMH_ORDER_STATUS_REJECTED));
  CHECK(om.working().empty());
  CHECK(om.stats().rejected == 1);
  out.clear();
  om.sync(4, {bid(90, 10)}, out);
  const mmh_order_command b2 = out.back();
  out.clear();
  om.sync(5, {}, out);
  REQUIRE(actions(out) == "cancel ");
  om.on_update(update(out[0], MMH_ORDER_STATUS_REJECTED));  // answers the cancel
  om.on_update(update(b2, MMH_ORDER_STATUS_NEW));
  out.clear();
  om.sync(6, {}, out);
  CHECK(actions(out) == "cancel ");
}

namespace {

// Admits the first `places` places and `amends` amends, counts what it was asked.
class CountingBudget final : public mmh::OrderBudget {
 public:
  CountingBudget(int places, int amends) : places_(places), amends_(amends) {}
  bool admit(uint32_t action, int64_t /*ts_ns*/) override {
    ++asked;
    if (action == MMH_ORDER_ACTION_PLACE) return places_-- > 0;
    if (action == MMH_ORDER_ACTION_AMEND) return amends_-- > 0;
    return true;
  }
  int asked = 0;

 private:
  int places_;
  int amends_;
};

}  // namespace

TEST_CASE("order manager: a place the budget refuses is not made, an amend leaves the order") {
  OrderManager om;
  std::vector<mmh_order_command> out;
  CountingBudget two(2, 0);
  om.sync(1, {bid(100, 10), bid(99, 10), ask(102, 10)}, out, &two);
  REQUIRE(actions(out) == "place place ");
  CHECK(om.working().size() == 2);  // the refused one is not waiting for an ack
  CHECK(om.stats().placed == 2);
  for (const auto& c : out) om.on_update(update(c, MMH_ORDER_STATUS_NEW));
  out.clear();
  // The next sync asks again for the one missing; the resize of the first is refused.
  CountingBudget places_only(5, 0);
  om.sync(2, {bid(100, 50), bid(99, 10), ask(102, 10)}, out, &places_only);
  REQUIRE(actions(out) == "place ");
  CHECK(out[0].side == MMH_SIDE_SELL);
  CHECK(places_only.asked == 2);  // one amend, one place
  CHECK(om.stats().amended == 0);
  out.clear();
  // The refused amend left its order live: a later sync with budget amends it.
  CountingBudget amends(0, 1);
  om.sync(3, {bid(100, 50), bid(99, 10)}, out, &amends);
  CHECK(actions(out) == "cancel amend ");  // cancels are never asked about
  CHECK(amends.asked == 1);
}

TEST_CASE("order manager: a sync that changes nothing is skipped until the orders or the set do") {
  OrderManager om;
  std::vector<mmh_order_command> out;
  const std::vector<mmh_desired_order> grid = {bid(100, 10), ask(102, 10)};
  om.sync(1, grid, out);
  REQUIRE(actions(out) == "place place ");
  const auto placed = out;
  for (const auto& c : placed) om.on_update(update(c, MMH_ORDER_STATUS_NEW));
  out.clear();
  om.sync(2, grid, out);  // nothing to do: the quiet state is kept
  om.sync(3, grid, out);  // skipped
  CHECK(out.empty());
  CHECK(om.stats().syncs_with_changes == 1);
  // The venue ends an order on its own (a fill, a cancel): the same set places it again.
  om.on_update(update(placed[0], MMH_ORDER_STATUS_FILLED, 10));
  om.sync(4, grid, out);
  REQUIRE(actions(out) == "place ");
  CHECK(out[0].price_ticks == 100);
  for (const auto& c : out) om.on_update(update(c, MMH_ORDER_STATUS_NEW));
  out.clear();
  om.sync(5, grid, out);
  om.on_update(update(placed[1], MMH_ORDER_STATUS_CANCELLED));
  om.sync(6, grid, out);
  CHECK(actions(out) == "place ");
  out.clear();
  // A new set after quiet syncs is acted on.
  om.sync(7, {bid(100, 10)}, out);
  CHECK(actions(out) == "cancel ");
  out.clear();
  // A sync the budget refused is not quiet: the next one, admitted, places.
  OrderManager refused;
  CountingBudget none(0, 0);
  refused.sync(1, grid, out, &none);
  CHECK(out.empty());
  CountingBudget some(5, 0);
  refused.sync(2, grid, out, &some);
  CHECK(actions(out) == "place place ");
}

TEST_CASE("order manager: working orders are walked in the text order of their ids") {
  // Cancels go out in the order of the ids as text ("mm-10" before "mm-9"): that order is part
  // of every run's event log. Ids longer than the 16 bytes compared as words, and ids that share
  // those 16 bytes, sort the same way.
  OrderManager om;
  std::vector<mmh_order_command> out;
  std::vector<mmh_desired_order> grid;
  for (int64_t i = 0; i < 11; ++i) grid.push_back(bid(100 - i, 1));
  om.sync(1, grid, out);
  REQUIRE(out.size() == 11);
  for (const auto& c : out) om.on_update(update(c, MMH_ORDER_STATUS_NEW));
  const std::vector<std::string> adopted = {"mm-1x",
                                            "a-prefix-of-16by",
                                            "a-prefix-of-16bytes-2",
                                            "a-prefix-of-16bytes-10",
                                            "a-prefix-of-16by\xff",
                                            "mm-",
                                            "mm-10-",
                                            "Z"};
  for (const std::string& id : adopted) {
    mmh_order_update u{};
    u.status = MMH_ORDER_STATUS_NEW;
    u.side = MMH_SIDE_SELL;
    u.price_ticks = 200;
    u.qty_lots = 1;
    std::snprintf(u.client_id, sizeof(u.client_id), "%s", id.c_str());
    om.adopt(u, false);
  }
  out.clear();
  om.sync(2, {}, out);
  std::vector<std::string> cancelled;
  for (const auto& c : out) cancelled.emplace_back(c.client_id);
  std::vector<std::string> expected = adopted;
  for (int i = 1; i <= 11; ++i) expected.push_back("mm-" + std::to_string(i));
  std::sort(expected.begin(), expected.end());  // std::string's order: bytes as unsigned
  CHECK(cancelled == expected);
  REQUIRE(cancelled.size() == expected.size());
  CHECK(cancelled[0] == "Z");  // upper case before lower, a prefix before its extensions
  CHECK(cancelled[1] == "a-prefix-of-16by");
  // Ids equal in their first 16 bytes are told apart: each is known, an unknown one is not.
  CHECK(om.knows("a-prefix-of-16bytes-2"));
  CHECK_FALSE(om.knows("a-prefix-of-16bytes-3"));
}
