#include "bos.hpp"

#include "validate.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace mmh::bos {

void BosParams::validate() const {
  check_range("bos", "confirm_atr", confirm_atr, 0, 10);
  check_range("bos", "confirm_closes", confirm_closes, 1, 10);
  check_range("bos", "fail_bars", fail_bars, 1, 100);
}

const char* to_string(Direction direction) {
  switch (direction) {
    case Direction::bullish:
      return "bullish";
    case Direction::bearish:
      return "bearish";
    case Direction::none:
      break;
  }
  return "none";
}

const char* to_string(BosStage stage) {
  switch (stage) {
    case BosStage::potential:
      return "potential";
    case BosStage::confirmed:
      return "confirmed";
    case BosStage::failed:
      return "failed";
  }
  return "?";
}

const char* to_string(FailReason reason) {
  switch (reason) {
    case FailReason::closed_inside:
      return "closed_inside";
    case FailReason::not_confirmed:
      return "not_confirmed";
    case FailReason::none:
      break;
  }
  return "none";
}

BosDetector::BosDetector(const BosParams& params) : params_(params) {
  params_.validate();
}

bool BosDetector::step(Side& side, Direction direction, const mmh_candle& bar, const Pivot& pivot,
                       double atr_e8, BosSignal& out) const {
  if (pivot.bar_index != side.armed_pivot) {
    // A new swing replaces the level: an open potential break of the old one is dropped.
    side.armed_pivot = pivot.bar_index;
    side.pending = false;
    side.closes = 0;
  }
  if (pivot.bar_index == side.consumed_pivot || atr_e8 <= 0.0) return false;

  const bool bullish = direction == Direction::bullish;
  const int64_t level = pivot.price_e8;
  const int64_t extreme = bullish ? bar.high_e8 : bar.low_e8;
  const bool traded_through = bullish ? extreme > level : extreme < level;
  if (!side.pending && !traded_through) return false;  // the common case: nothing to judge

  const int64_t close_beyond_e8 = bullish ? bar.close_e8 - level : level - bar.close_e8;
  const int64_t threshold_distance_e8 = round_to_int64(params_.confirm_atr * atr_e8);
  // A confirming close is strictly beyond the level and at least the threshold beyond it.
  const bool confirming = close_beyond_e8 > 0 && close_beyond_e8 >= threshold_distance_e8;
  if (!side.pending) {
    side.pending = true;
    side.pending_bars = 0;
    side.closes = confirming ? 1 : 0;
  } else {
    ++side.pending_bars;
    side.closes = confirming ? side.closes + 1 : 0;  // confirming closes must be consecutive
  }

  BosStage stage;
  FailReason fail = FailReason::none;
  if (side.closes >= params_.confirm_closes) {
    side.pending = false;
    side.consumed_pivot = pivot.bar_index;
    stage = BosStage::confirmed;
  } else if (side.pending_bars == 0) {
    stage = BosStage::potential;
  } else if (close_beyond_e8 <= 0) {
    side.pending = false;
    stage = BosStage::failed;
    fail = FailReason::closed_inside;
  } else if (side.pending_bars >= params_.fail_bars) {
    side.pending = false;
    stage = BosStage::failed;
    fail = FailReason::not_confirmed;
  } else {
    return false;
  }
  out.direction = direction;
  out.stage = stage;
  out.fail_reason = fail;
  out.ts_ns = bar.open_ts_ns + bar.interval_ns;
  out.level_e8 = level;
  out.close_e8 = bar.close_e8;
  out.extreme_e8 = extreme;
  out.threshold_e8 = bullish ? level + threshold_distance_e8 : level - threshold_distance_e8;
  out.atr_e8 = round_to_int64(atr_e8);
  out.pivot_bar_index = pivot.bar_index;
  out.closes = side.closes;
  return true;
}

void BosDetector::on_bar(const mmh_candle& bar, const StructureTracker& structure, double atr_e8,
                         BosSignals& signals) {
  signals.count = 0;
  if (structure.last_high() && step(bull_, Direction::bullish, bar, *structure.last_high(), atr_e8,
                                    signals.items[signals.count]))
    ++signals.count;
  if (structure.last_low() && step(bear_, Direction::bearish, bar, *structure.last_low(), atr_e8,
                                   signals.items[signals.count]))
    ++signals.count;
}

}  // namespace mmh::bos
