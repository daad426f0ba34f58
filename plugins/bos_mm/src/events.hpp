// The decisions the core reports, each with its timestamp and the numbers that caused it. One
// flat record type keeps the hot path allocation-free; format_event() names the fields per kind
// and EventHash folds the stream into a 64-bit hash that golden tests and `mmhost run` print.
#pragma once

#include "bos.hpp"
#include "policy.hpp"
#include "state_machine.hpp"

#include <mmhost/sdk/hash.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace mmh::bos {

enum class EventKind {
  bos_potential = 1,
  bos_confirmed,
  bos_failed,
  pullback_started,
  pullback_confirmed,
  policy_changed,
  transition,
  grid_updated,
};
inline constexpr int kEventKindCount = 8;
const char* to_string(EventKind kind);

struct Event {
  EventKind kind = EventKind::bos_potential;
  int64_t ts_ns = 0;
  // bos_*: the break. pullback_*: price = the low that entered (started) or the confirming close.
  Direction direction = Direction::none;
  FailReason fail_reason = FailReason::none;
  int64_t level_e8 = 0;      // bos_*: broken swing
  int64_t price_e8 = 0;      // bos_*: the bar's close; pullback_*: see above; grid: centre
  int64_t threshold_e8 = 0;  // bos_*: the confirmation threshold
  int64_t atr_e8 = 0;
  int64_t zone_low_e8 = 0;  // pullback_*
  int64_t zone_high_e8 = 0;
  int32_t closes = 0;  // bos_*: confirming closes
  // policy_changed
  PolicyLevel policy_from = PolicyLevel::normal;
  PolicyLevel policy_to = PolicyLevel::normal;
  PolicyCause cause = PolicyCause::none;
  int32_t atr_pct_bp = 0;  // policy inputs in basis points (1/100 of a percent)
  int32_t volatility_pct_bp = 0;
  int32_t drawdown_pct_bp = 0;
  // transition
  State from = State::idle;
  State to = State::idle;
  const char* reason = "";  // the edge's reason; owned by the core that made the event
  uint32_t facts = 0;       // the facts of the evaluation that fired it
  // grid_updated (price_e8 = centre)
  int32_t bid_levels = 0;
  int32_t ask_levels = 0;
  int64_t step_e8 = 0;
  int32_t inventory_share_bp = 0;  // base value / equity in basis points
  bool marketable = false;         // grid_updated: the Exit order sells at market
};

// "2025-01-03T04:15:00Z bos_confirmed bullish level=3512.1 close=3530 ..."
std::string format_event(const Event& event);
// The part after the kind: "bullish level=3512.1 close=3530 ..."
std::string format_event_detail(const Event& event);
// The same into `out` (NUL-terminated, cut at `capacity` - 1 chars); returns its length.
size_t write_event_detail(const Event& event, char* out, size_t capacity);

// XXH3-64 (the project's hash, mmhost/sdk/hash.hpp) over every field of every event in order,
// each widened to 64 bits, and the reason by length and content.
class EventHash {
 public:
  void add(const Event& event);
  uint64_t value() const { return hash_.value(); }

 private:
  sdk::Hash64 hash_;
};

}  // namespace mmh::bos
