#include "events.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

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
