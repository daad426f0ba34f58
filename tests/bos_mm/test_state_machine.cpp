#include "state_machine.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace mmh::bos;

namespace {

StateTimeouts timeouts(int64_t rebalance, int64_t mm, int64_t exit) {
  StateTimeouts t;
  t.bars[static_cast<size_t>(State::rebalance)] = rebalance;
  t.bars[static_cast<size_t>(State::mm)] = mm;
  t.bars[static_cast<size_t>(State::exit)] = exit;
  return t;
}

// Drives the default machine to a state with the facts that lead there.
StateMachine at(State target) {
  StateMachine m(TransitionTable::defaults(), timeouts(3, 5, 2));
  if (target == State::idle) return m;
  m.evaluate(kBullishBos);
  if (target == State::bos) return m;
  m.evaluate(kPullbackConfirmed);
  if (target == State::rebalance) return m;
  m.evaluate(kPullbackConfirmed | kTargetReached | kHoldingBase);
  if (target == State::mm) return m;
  m.evaluate(kBearishBos | kHoldingBase);
  return m;
}

std::string fire(State from, uint32_t facts, State& to) {
  StateMachine m = at(from);
  REQUIRE(m.state() == from);
  const auto fired = m.evaluate(facts);
  to = m.state();
  return fired.count > 0 ? fired.edges[0]->reason : "";
}

}  // namespace

TEST_CASE("the default table: every edge, its target and its reason") {
  struct Case {
    State from;
    uint32_t facts;
    State to;
    const char* reason;
  };
  const Case cases[] = {
      {State::idle, kBullishBos, State::bos, "bos_confirmed"},
      {State::idle, kBullishBos | kPolicyDisabled, State::idle, ""},
      {State::bos, kBearishBos, State::idle, "bearish_bos"},
      {State::bos, kStructureInvalid, State::idle, "structure_invalidated"},
      {State::bos, kPolicyDisabled, State::idle, "policy_disabled"},
      {State::bos, kPullbackExpired, State::idle, "no_pullback"},
      {State::bos, kPullbackConfirmed, State::rebalance, "pullback_confirmed"},
      {State::rebalance, kTargetReached | kHoldingBase, State::mm, "target_reached"},
      {State::rebalance, kBearishBos | kHoldingBase, State::exit, "bearish_bos"},
      {State::rebalance, kStructureInvalid | kHoldingBase, State::exit, "structure_invalidated"},
      {State::rebalance, kPolicyDisabled | kHoldingBase, State::exit, "policy_disabled"},
      {State::rebalance, kRiskStop | kHoldingBase, State::exit, "risk_stop"},
      {State::mm, kBearishBos | kHoldingBase, State::exit, "bearish_bos"},
      {State::mm, kStructureInvalid | kHoldingBase, State::exit, "structure_invalidated"},
      {State::mm, kPolicyDisabled | kHoldingBase, State::exit, "policy_disabled"},
      {State::mm, kRiskStop | kHoldingBase, State::exit, "risk_stop"},
      {State::exit, kHoldingBase, State::exit, ""},
      {State::exit, 0, State::idle, "flat"},
  };
  for (const Case& c : cases) {
    CAPTURE(to_string(c.from));
    CAPTURE(describe_facts(c.facts));
    State to = State::idle;
    CHECK(fire(c.from, c.facts, to) == c.reason);
    CHECK(to == c.to);
  }
}

TEST_CASE("edges are tried in table order: a bearish BOS wins over an invalidation") {
  State to = State::idle;
  CHECK(fire(State::mm, kBearishBos | kStructureInvalid | kHoldingBase, to) == "bearish_bos");
}

TEST_CASE("a flat Rebalance that times out passes through Exit to Idle in one evaluation") {
  StateMachine m = at(State::rebalance);
  m.on_htf_bar();
  m.on_htf_bar();
  CHECK(m.evaluate(0).count == 0);
  m.on_htf_bar();  // 3 bars: the rebalance timeout
  const auto fired = m.evaluate(0);
  REQUIRE(fired.count == 2);
  CHECK(fired.edges[0]->reason == "rebalance_timeout");
  CHECK(fired.edges[1]->reason == "flat");
  CHECK(m.state() == State::idle);
}

TEST_CASE("MM ends after its maximum duration") {
  StateMachine m = at(State::mm);
  for (int i = 0; i < 4; ++i) m.on_htf_bar();
  CHECK(m.evaluate(kHoldingBase).count == 0);
  m.on_htf_bar();
  const auto fired = m.evaluate(kHoldingBase);
  REQUIRE(fired.count == 1);
  CHECK(fired.edges[0]->reason == "max_duration");
  CHECK(m.bars_in_state() == 0);
}

TEST_CASE("guards can be changed and edges added by name") {
  TransitionTable t = TransitionTable::defaults();
  // Require a non-defensive policy to enter, and leave MM early on a failed breakout.
  Edge* enter = t.find(State::idle, "bos_confirmed");
  REQUIRE(enter != nullptr);
  enter->none |= kPolicyDefensive;
  Edge leave;
  leave.from = State::mm;
  leave.to = State::exit;
  leave.all = kBosFailed;
  leave.reason = "breakout_failed";
  t.add(leave);
  StateMachine m(t, timeouts(3, 5, 2));
  CHECK(m.evaluate(kBullishBos | kPolicyDefensive).count == 0);
  m.evaluate(kBullishBos);
  m.evaluate(kPullbackConfirmed);
  m.evaluate(kTargetReached | kHoldingBase);
  REQUIRE(m.state() == State::mm);
  const auto fired = m.evaluate(kBosFailed | kHoldingBase);
  REQUIRE(fired.count == 1);
  CHECK(fired.edges[0]->reason == "breakout_failed");
  CHECK(t.remove(State::mm, "breakout_failed"));
  CHECK_FALSE(t.remove(State::mm, "breakout_failed"));
}

TEST_CASE("a bad table is refused with the edge named") {
  auto refuse = [](Edge e, const char* message) {
    TransitionTable t = TransitionTable::defaults();
    t.add(e);
    CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains(message), std::invalid_argument);
  };
  Edge e;
  e.from = State::mm;
  e.to = State::exit;
  e.reason = "bearish_bos";
  e.all = kBosFailed;
  refuse(e, "a second edge with this reason");
  e.reason = "Bad Name";
  refuse(e, "[a-z0-9_]");
  e.reason = "loop";
  e.to = State::mm;
  refuse(e, "must change the state");
  e.to = State::exit;
  e.all = kRiskStop;
  e.none = kRiskStop;
  refuse(e, "can never hold");
  e.all = 0;
  e.none = 0;
  refuse(e, "always fire");
  e.all = 1u << 20;
  refuse(e, "unknown fact");
}

TEST_CASE("names: states and facts round-trip") {
  for (int s = 1; s <= kStateCount; ++s) {
    State parsed = State::idle;
    CHECK(parse_state(to_string(static_cast<State>(s)), parsed));
    CHECK(parsed == static_cast<State>(s));
  }
  for (int i = 0; i < kFactCount; ++i) CHECK(parse_fact(fact_name(1u << i)) == (1u << i));
  CHECK(parse_fact("nonsense") == 0);
  CHECK(describe_facts(kBearishBos | kHoldingBase) == "bearish_bos|holding_base");
}

namespace {

// A script that says "no" until told otherwise, counting its answers.
struct Say {
  bool yes = false;
  int asked = 0;
  static bool answer(void* user, const Edge&) {
    auto* say = static_cast<Say*>(user);
    ++say->asked;
    return say->yes;
  }
};

}  // namespace

TEST_CASE("a quiet step is remembered only while no script had a say") {
  TransitionTable t = TransitionTable::defaults();
  Edge* enter = t.find(State::idle, "bos_confirmed");
  REQUIRE(enter != nullptr);
  enter->scripted = true;
  StateMachine m(t, timeouts(3, 5, 2));
  Say say;
  // Facts that open no edge: the same facts again fire nothing, and no script is asked.
  for (int i = 0; i < 3; ++i) CHECK(m.step(0, &Say::answer, &say) == nullptr);
  CHECK(say.asked == 0);
  // The scripted edge's facts hold: its script is asked at every step, and is heard.
  CHECK(m.step(kBullishBos, &Say::answer, &say) == nullptr);
  CHECK(m.step(kBullishBos, &Say::answer, &say) == nullptr);
  CHECK(say.asked == 2);
  // Without a script the edge cannot fire; once hooks come, the same facts are asked again.
  CHECK(m.step(kBullishBos) == nullptr);
  CHECK(m.step(kBullishBos) == nullptr);
  say.yes = true;
  const Edge* fired = m.step(kBullishBos, &Say::answer, &say);
  REQUIRE(fired != nullptr);
  CHECK(fired->reason == "bos_confirmed");
  CHECK(m.state() == State::bos);
}

TEST_CASE("a replaced table is asked again with the facts a quiet step had") {
  StateMachine m = at(State::idle);
  CHECK(m.evaluate(kBullishBos | kPolicyDefensive).count == 1);  // the default enters BOS
  StateMachine n(TransitionTable::defaults(), timeouts(3, 5, 2));
  TransitionTable strict = TransitionTable::defaults();
  strict.find(State::idle, "bos_confirmed")->none |= kPolicyDefensive;
  n.replace(strict, timeouts(3, 5, 2));
  CHECK(n.evaluate(kBullishBos | kPolicyDefensive).count == 0);
  n.replace(TransitionTable::defaults(), timeouts(3, 5, 2));
  CHECK(n.evaluate(kBullishBos | kPolicyDefensive).count == 1);
  CHECK(n.state() == State::bos);
}
