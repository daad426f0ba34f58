#include "transition_edits.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace mmh::bos;

namespace {
const Edge& edge_of(TransitionTable& t, State from, const char* reason) {
  const Edge* e = t.find(from, reason);
  REQUIRE_MESSAGE(e != nullptr, "no edge ", reason);
  return *e;
}
}  // namespace

TEST_CASE("an edit changes only what it names on an existing edge") {
  TransitionTable t = TransitionTable::defaults();
  const Edge before = edge_of(t, State::mm, "bearish_bos");
  apply_transition_edits(t, "mm.bearish_bos: all=bearish_bos|holding_base");
  const Edge& after = edge_of(t, State::mm, "bearish_bos");
  CHECK(after.all == (kBearishBos | kHoldingBase));
  CHECK(after.to == before.to);
  CHECK(after.none == before.none);
  CHECK(t.edges().size() == TransitionTable::defaults().edges().size());
}

TEST_CASE("new edges need a target and come after the state's existing edges, in order") {
  TransitionTable t = TransitionTable::defaults();
  apply_transition_edits(t,
                         "mm.first_extra: to=exit any=policy_defensive; "
                         "mm.second_extra: to=exit all=holding_base script=true");
  const auto& edges = t.edges();
  REQUIRE(edges.size() == TransitionTable::defaults().edges().size() + 2);
  CHECK(edges[edges.size() - 2].reason == "first_extra");
  CHECK(edges.back().reason == "second_extra");
  CHECK(edges.back().scripted);
  CHECK(edges.back().to == State::exit);
  CHECK_THROWS_WITH_AS(apply_transition_edits(t, "mm.nowhere: all=holding_base"),
                       doctest::Contains("a new edge needs to=<state>"), std::invalid_argument);
}

TEST_CASE("off removes an edge, a scripted edge may name no facts") {
  TransitionTable t = TransitionTable::defaults();
  apply_transition_edits(t, "mm.max_duration: off");
  CHECK(t.find(State::mm, "max_duration") == nullptr);
  CHECK_THROWS_WITH_AS(apply_transition_edits(t, "mm.max_duration: off"),
                       doctest::Contains("no edge mm.max_duration to remove"),
                       std::invalid_argument);
  apply_transition_edits(t, "idle.scripted_entry: to=bos script=true");
  CHECK_NOTHROW(t.validate());
  apply_transition_edits(t, "idle.scripted_entry: script=false");
  CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("names no fact"), std::invalid_argument);
}

TEST_CASE("bad edits name the edit and suggest the fact or key") {
  TransitionTable t = TransitionTable::defaults();
  CHECK_THROWS_WITH_AS(
      apply_transition_edits(t, "mm.bearish_bos: all=bearish_boss"),
      doctest::Contains("unknown fact 'bearish_boss' (did you mean 'bearish_bos'?)"),
      std::invalid_argument);
  CHECK_THROWS_WITH_AS(apply_transition_edits(t, "mx.bearish_bos: all=bearish_bos"),
                       doctest::Contains("'mx' is not a state"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(apply_transition_edits(t, "mm.bearish_bos: alll=bearish_bos"),
                       doctest::Contains("unknown key 'alll' (did you mean 'all'?)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(apply_transition_edits(t, "bearish_bos all=x"),
                       doctest::Contains("expected 'from.reason: ...'"), std::invalid_argument);
}

TEST_CASE("describe_edge prints an edit that rebuilds the edge") {
  TransitionTable t = TransitionTable::defaults();
  apply_transition_edits(t, "mm.extra: to=exit all=holding_base none=policy_disabled script=true");
  const Edge& e = edge_of(t, State::mm, "extra");
  CHECK(describe_edge(e) == "mm.extra: to=exit all=holding_base none=policy_disabled script=true");
  TransitionTable rebuilt;
  apply_transition_edits(rebuilt, describe_edge(e));
  CHECK(describe_edge(rebuilt.edges().front()) == describe_edge(e));
}
