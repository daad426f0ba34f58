#include "events.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace mmh::bos;

namespace {

Event confirmed() {
  Event e;
  e.kind = EventKind::bos_confirmed;
  e.ts_ns = 1'735'698'000'000'000'000;  // 2025-01-01T02:20:00Z
  e.direction = Direction::bullish;
  e.level_e8 = 351'210'000'000;
  e.price_e8 = 353'000'000'000;
  e.threshold_e8 = 351'710'000'000;
  e.atr_e8 = 1'000'000'000;
  e.closes = 1;
  return e;
}

}  // namespace

TEST_CASE("events format with their kind, time and the numbers that caused them") {
  CHECK(format_event(confirmed()) ==
        "2025-01-01T02:20:00Z bos_confirmed bullish level=3512.1 close=3530 threshold=3517.1 "
        "atr=10 closes=1");
  Event t;
  t.kind = EventKind::transition;
  t.ts_ns = confirmed().ts_ns;
  t.from = State::mm;
  t.to = State::exit;
  t.reason = "bearish_bos";
  t.facts = kBearishBos | kHoldingBase;
  t.price_e8 = 350'000'000'000;
  t.inventory_share_bp = 3012;
  CHECK(format_event(t) ==
        "2025-01-01T02:20:00Z transition mm->exit reason=bearish_bos price=3500 inventory=30.12% "
        "facts=bearish_bos|holding_base");
}

TEST_CASE("the event hash changes with any field and with order") {
  EventHash a, b, c, d;
  a.add(confirmed());
  b.add(confirmed());
  CHECK(a.value() == b.value());
  Event moved = confirmed();
  moved.atr_e8 += 1;
  c.add(moved);
  CHECK(c.value() != a.value());
  Event r1;
  r1.kind = EventKind::transition;
  r1.reason = "flat";
  Event r2 = r1;
  r2.reason = "flap";
  EventHash h1, h2;
  h1.add(r1);
  h2.add(r2);
  CHECK(h1.value() != h2.value());
  d.add(r1);
  d.add(confirmed());
  EventHash e;
  e.add(confirmed());
  e.add(r1);
  CHECK(d.value() != e.value());
}

TEST_CASE("a detail cut at any capacity is the start of the whole detail") {
  // Numbers are written in place while there is room and through a scratch buffer near the
  // end: both must cut exactly where the text does.
  std::vector<Event> events;
  events.push_back(confirmed());
  Event failed = confirmed();
  failed.kind = EventKind::bos_failed;
  failed.direction = Direction::bearish;
  failed.fail_reason = FailReason::closed_inside;
  failed.level_e8 = -123'456'789'012'345'678;  // a sign and every digit
  failed.closes = -2'147'483'647 - 1;
  events.push_back(failed);
  Event pullback;
  pullback.kind = EventKind::pullback_confirmed;
  pullback.zone_low_e8 = 1;
  pullback.zone_high_e8 = 9'223'372'036'854'775'807;
  pullback.price_e8 = 252'814'000'000;
  pullback.level_e8 = 100'000'000;
  pullback.threshold_e8 = 12'345;
  pullback.atr_e8 = 0;
  events.push_back(pullback);
  Event policy;
  policy.kind = EventKind::policy_changed;
  policy.policy_from = PolicyLevel::normal;
  policy.policy_to = PolicyLevel::defensive;
  policy.cause = PolicyCause::volatility;
  policy.atr_pct_bp = -1;
  policy.volatility_pct_bp = 2'147'483'647;
  policy.drawdown_pct_bp = 1234;
  policy.price_e8 = 351'210'000'000;
  events.push_back(policy);
  const std::string long_reason(300, 'r');
  Event transition;
  transition.kind = EventKind::transition;
  transition.from = State::idle;
  transition.to = State::bos;
  transition.reason = long_reason.c_str();  // longer than the field: always cut
  transition.facts = kBearishBos | kHoldingBase;
  events.push_back(transition);
  Event grid;
  grid.kind = EventKind::grid_updated;
  grid.to = State::mm;
  grid.policy_to = PolicyLevel::normal;
  grid.price_e8 = 250'020'000'000;
  grid.step_e8 = 625'050'000;
  grid.bid_levels = 4;
  grid.ask_levels = 4;
  grid.inventory_share_bp = 2998;
  grid.marketable = true;
  events.push_back(grid);
  for (const Event& e : events) {
    char whole[1024];
    const size_t n = write_event_detail(e, whole, sizeof(whole));
    CAPTURE(std::string(whole, n));
    REQUIRE(n + 1 < sizeof(whole));
    CHECK(std::string(whole, n) == format_event_detail(e));
    for (size_t capacity = 1; capacity <= n + 40; ++capacity) {
      CAPTURE(capacity);
      std::vector<char> out(capacity + 8, '#');
      const size_t m = write_event_detail(e, out.data(), capacity);
      const size_t expected = std::min(n, capacity - 1);
      REQUIRE(m == expected);
      CHECK(std::string(out.data(), m) == std::string(whole, expected));
      CHECK(out[m] == '\0');
      CHECK(out[capacity] == '#');  // nothing written past the capacity
    }
  }
}
