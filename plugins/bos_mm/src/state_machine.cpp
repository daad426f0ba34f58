#include "state_machine.hpp"

#include <stdexcept>

namespace mmh::bos {
namespace {

constexpr const char* kFactNames[kFactCount] = {
    "bullish_bos",        "bearish_bos",      "bos_failed",        "pullback_started",
    "pullback_confirmed", "pullback_expired", "structure_invalid", "policy_disabled",
    "policy_defensive",   "risk_stop",        "state_timeout",     "target_reached",
    "holding_base"};

constexpr uint32_t kAllFacts = (1u << kFactCount) - 1;

bool valid_state(State s) {
  return s >= State::idle && s <= State::exit;
}

bool valid_reason(const std::string& r) {
  if (r.empty() || r.size() > 48) return false;
  for (char c : r)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

Edge edge(State from, State to, std::string reason, uint32_t all, uint32_t none = 0,
          uint32_t any = 0) {
  Edge e;
  e.from = from;
  e.to = to;
  e.all = all;
  e.none = none;
  e.any = any;
  e.reason = std::move(reason);
  return e;
}

}  // namespace

const char* to_string(State state) {
  switch (state) {
    case State::idle:
      return "idle";
    case State::bos:
      return "bos";
    case State::rebalance:
      return "rebalance";
    case State::mm:
      return "mm";
    case State::exit:
      return "exit";
  }
  return "?";
}

bool parse_state(std::string_view name, State& out) {
  for (int s = 1; s <= kStateCount; ++s) {
    if (name == to_string(static_cast<State>(s))) {
      out = static_cast<State>(s);
      return true;
    }
  }
  return false;
}

const char* fact_name(uint32_t bit) {
  for (int i = 0; i < kFactCount; ++i)
    if (bit == (1u << i)) return kFactNames[i];
  return "?";
}

uint32_t parse_fact(std::string_view name) {
  for (int i = 0; i < kFactCount; ++i)
    if (name == kFactNames[i]) return 1u << i;
  return 0;
}

std::string describe_facts(uint32_t facts) {
  std::string out;
  for (int i = 0; i < kFactCount; ++i) {
    if ((facts & (1u << i)) == 0) continue;
    if (!out.empty()) out += '|';
    out += kFactNames[i];
  }
  return out.empty() ? "-" : out;
}

TransitionTable TransitionTable::defaults() {
  TransitionTable t;
  const State I = State::idle, B = State::bos, R = State::rebalance, M = State::mm, X = State::exit;
  t.add(edge(I, B, "bos_confirmed", kBullishBos, kPolicyDisabled));
  t.add(edge(B, I, "bearish_bos", kBearishBos));
  t.add(edge(B, I, "structure_invalidated", kStructureInvalid));
  t.add(edge(B, I, "policy_disabled", kPolicyDisabled));
  t.add(edge(B, I, "no_pullback", kPullbackExpired));
  t.add(edge(B, R, "pullback_confirmed", kPullbackConfirmed));
  // Leaving Rebalance always goes through Exit, which hands over to Idle at once when flat.
  t.add(edge(R, X, "bearish_bos", kBearishBos));
  t.add(edge(R, X, "structure_invalidated", kStructureInvalid));
  t.add(edge(R, X, "policy_disabled", kPolicyDisabled));
  t.add(edge(R, X, "risk_stop", kRiskStop));
  t.add(edge(R, M, "target_reached", kTargetReached));
  t.add(edge(R, X, "rebalance_timeout", kStateTimeout));
  t.add(edge(M, X, "bearish_bos", kBearishBos));
  t.add(edge(M, X, "structure_invalidated", kStructureInvalid));
  t.add(edge(M, X, "policy_disabled", kPolicyDisabled));
  t.add(edge(M, X, "risk_stop", kRiskStop));
  t.add(edge(M, X, "max_duration", kStateTimeout));
  t.add(edge(X, I, "flat", 0, kHoldingBase));
  return t;
}

void TransitionTable::add(const Edge& edge) {
  edges_.push_back(edge);
}

Edge* TransitionTable::find(State from, std::string_view reason) {
  for (Edge& e : edges_)
    if (e.from == from && e.reason == reason) return &e;
  return nullptr;
}

bool TransitionTable::remove(State from, std::string_view reason) {
  for (auto it = edges_.begin(); it != edges_.end(); ++it) {
    if (it->from == from && it->reason == reason) {
      edges_.erase(it);
      return true;
    }
  }
  return false;
}

void TransitionTable::validate() const {
  if (edges_.size() > 1000) throw std::invalid_argument("transitions: more than 1000 edges");
  for (size_t i = 0; i < edges_.size(); ++i) {
    const Edge& e = edges_[i];
    const std::string name =
        "transition " + std::string(valid_state(e.from) ? to_string(e.from) : "?") + "." + e.reason;
    if (!valid_state(e.from) || !valid_state(e.to))
      throw std::invalid_argument(name + ": from/to must be idle, bos, rebalance, mm or exit");
    if (!valid_reason(e.reason))
      throw std::invalid_argument(name + ": the reason must be 1-48 characters of [a-z0-9_]");
    if (e.from == e.to) throw std::invalid_argument(name + ": an edge must change the state");
    if (((e.all | e.none | e.any) & ~kAllFacts) != 0)
      throw std::invalid_argument(name + ": unknown fact bit");
    if ((e.all & e.none) != 0 || (e.any != 0 && (e.any & ~e.none) == 0))
      throw std::invalid_argument(name + ": the guard can never hold (" +
                                  describe_facts(e.all & e.none) + " both required and forbidden)");
    if ((e.all | e.none | e.any) == 0 && !e.scripted)
      throw std::invalid_argument(name + ": the guard names no fact, so it would always fire");
    for (size_t j = 0; j < i; ++j)
      if (edges_[j].from == e.from && edges_[j].reason == e.reason)
        throw std::invalid_argument(name + ": a second edge with this reason leaves this state");
  }
}

StateMachine::StateMachine(TransitionTable table, const StateTimeouts& timeouts)
    : table_(std::move(table)), timeouts_(timeouts) {
  table_.validate();
  for (size_t s = 1; s < timeouts_.bars.size(); ++s)
    if (timeouts_.bars[s] < 0 || timeouts_.bars[s] > 10'000'000)
      throw std::invalid_argument(std::string("timeout of state ") +
                                  to_string(static_cast<State>(s)) + " must be in [0, 1e7]");
  const auto& edges = table_.edges();
  for (size_t i = 0; i < edges.size(); ++i)
    by_state_[static_cast<size_t>(edges[i].from)].push_back(static_cast<uint16_t>(i));
}

void StateMachine::replace(TransitionTable table, const StateTimeouts& timeouts) {
  StateMachine next(std::move(table), timeouts);  // validates before anything changes
  next.state_ = state_;
  next.bars_in_state_ = bars_in_state_;
  *this = std::move(next);
}

bool StateMachine::timed_out() const {
  const int64_t limit = timeouts_.bars[static_cast<size_t>(state_)];
  return limit > 0 && bars_in_state_ >= limit;
}

const Edge* StateMachine::step(uint32_t facts, ScriptGuard script, void* user) {
  const uint32_t now = timed_out() ? facts | kStateTimeout : facts & ~kStateTimeout;
  // The same state and facts fire nothing again when no script had a say: most bars.
  if (still_ && state_ == still_state_ && now == still_facts_) return nullptr;
  const auto& edges = table_.edges();
  bool scripted_open = false;  // a scripted edge's facts held: its script may answer otherwise
  for (uint16_t i : by_state_[static_cast<size_t>(state_)]) {
    if (!edges[i].guard(now)) continue;
    if (edges[i].scripted) {
      scripted_open = true;
      if (script == nullptr || !script(user, edges[i])) continue;
    }
    state_ = edges[i].to;
    bars_in_state_ = 0;
    still_ = false;
    return &edges[i];
  }
  still_ = !scripted_open;
  still_state_ = state_;
  still_facts_ = now;
  return nullptr;
}

StateMachine::Fired StateMachine::evaluate(uint32_t facts) {
  Fired fired;
  while (fired.count < kMaxChain) {
    const Edge* hit = step(facts);
    if (hit == nullptr) break;
    fired.edges[static_cast<size_t>(fired.count++)] = hit;
  }
  return fired;
}

}  // namespace mmh::bos
