// The strategy's state machine Idle -> BOS -> Rebalance -> MM -> Exit -> Idle as a table of edges.
// Each evaluation computes a set of facts (bits); an edge fires when all of its `all` facts hold,
// none of its `none` facts hold and, if it has `any` facts, at least one of them holds. Edges
// from the current state are tried in table order; after an edge fires, the new state's edges are
// tried with the same facts (so Rebalance -> Exit -> Idle happens at once when flat), at most
// kMaxChain times. An edge is named by (from, reason); the Lua layer edits guards and appends
// edges by that name, and every transition carries its reason.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::bos {

enum class State { idle = 1, bos = 2, rebalance = 3, mm = 4, exit = 5 };
inline constexpr int kStateCount = 5;
const char* to_string(State state);
// Parses "idle", "bos", "rebalance", "mm", "exit"; false when unknown.
bool parse_state(std::string_view name, State& out);

// Facts: conditions measured before each evaluation. Pulses (marked *) hold only during the
// evaluation of the input that produced them; the others are levels.
enum Fact : uint32_t {
  kBullishBos = 1u << 0,         // * a bullish BOS was confirmed
  kBearishBos = 1u << 1,         // * a bearish BOS was confirmed
  kBosFailed = 1u << 2,          // * a potential bullish break failed
  kPullbackStarted = 1u << 3,    // * price entered the pullback zone
  kPullbackConfirmed = 1u << 4,  // the pullback of the current BOS is confirmed
  kPullbackExpired = 1u << 5,    // * no confirmed pullback within pullback.max_bars
  kStructureInvalid = 1u << 6,   // * an HTF close below the protecting low
  kPolicyDisabled = 1u << 7,     // policy is Disabled
  kPolicyDefensive = 1u << 8,    // policy is Defensive
  kRiskStop = 1u << 9,           // drawdown reached exec.risk_stop_drawdown_pct
  kStateTimeout = 1u << 10,      // bars in the state reached its timeout (0 = never)
  kTargetReached = 1u << 11,     // base share within the tolerance of its target
  kHoldingBase = 1u << 12,       // base above dust (a sellable order exists)
};
inline constexpr int kFactCount = 13;
const char* fact_name(uint32_t single_fact_bit);
// Parses a fact name (e.g. "bearish_bos"); 0 when unknown.
uint32_t parse_fact(std::string_view name);
std::string describe_facts(uint32_t facts);  // "bearish_bos|holding_base"

struct Edge {
  State from = State::idle;
  State to = State::idle;
  uint32_t all = 0;
  uint32_t none = 0;
  uint32_t any = 0;
  std::string reason;  // [a-z0-9_]+; names the edge and is carried by its transition event
  // A script decides too: when the fact guard holds, the core asks its hooks (a Lua function).
  // A scripted edge may name no facts (the function alone decides).
  bool scripted = false;

  bool guard(uint32_t facts) const {
    return (facts & all) == all && (facts & none) == 0 && (any == 0 || (facts & any) != 0);
  }
};

class TransitionTable {
 public:
  // The built-in table; docs/strategy-model.md prints it.
  static TransitionTable defaults();

  void add(const Edge& edge);  // tried after the existing edges of its state
  // The edge leaving `from` with this reason, or nullptr.
  Edge* find(State from, std::string_view reason);
  bool remove(State from, std::string_view reason);
  const std::vector<Edge>& edges() const { return edges_; }
  // Throws std::invalid_argument: bad state, a reason that is not [a-z0-9_]+ or repeats within
  // its state, a self-loop, an unknown fact bit, or a guard that can never hold (a fact both
  // required and forbidden) or always holds (no facts at all).
  void validate() const;

 private:
  std::vector<Edge> edges_;
};

struct StateTimeouts {
  // HTF bars in a state before kStateTimeout holds there; 0 = never. [0, 1e7]
  std::array<int64_t, kStateCount + 1> bars{};  // indexed by State
};

class StateMachine {
 public:
  StateMachine(TransitionTable table, const StateTimeouts& timeouts);

  // A new table and timeouts; the current state and its bar count carry over.
  void replace(TransitionTable table, const StateTimeouts& timeouts);

  State state() const { return state_; }
  int64_t bars_in_state() const { return bars_in_state_; }
  // Counts a closed HTF bar toward the state's timeout.
  void on_htf_bar() { ++bars_in_state_; }
  static constexpr int kMaxChain = kStateCount;
  struct Fired {
    std::array<const Edge*, kMaxChain> edges{};
    int count = 0;
  };
  // Fires the first edge of the current state whose guard holds (kStateTimeout is added when
  // due); nullptr when none does.
  // Scripted edges fire only when `script` (given `user`) also says so; none fire without it.
  using ScriptGuard = bool (*)(void* user, const Edge& edge);
  const Edge* step(uint32_t facts, ScriptGuard script = nullptr, void* user = nullptr);
  // step() repeatedly with the same facts, up to kMaxChain edges. A caller whose facts change
  // with the state (the core) calls step() itself and recomputes them in between.
  Fired evaluate(uint32_t facts);
  bool timed_out() const;
  const TransitionTable& table() const { return table_; }

 private:
  TransitionTable table_;
  StateTimeouts timeouts_;
  // Edge indices by from-state, in table order: an evaluation touches only its state's edges.
  std::array<std::vector<uint16_t>, kStateCount + 1> by_state_;
  State state_ = State::idle;
  int64_t bars_in_state_ = 0;
  // The last step that fired nothing without asking a script: its state and facts (with
  // kStateTimeout as it was). Guards are functions of the facts alone, so those fire nothing
  // again until the table is replaced (a new machine).
  bool still_ = false;
  State still_state_ = State::idle;
  uint32_t still_facts_ = 0;
};

}  // namespace mmh::bos
