#include "bos.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace mmh::bos {

void BosParams::validate() const {
  if (!(confirm_atr >= 0.0 && confirm_atr <= 10.0))
    throw std::invalid_argument("bos.confirm_atr must be in [0, 10], got " +
                                std::to_string(confirm_atr));
  if (confirm_closes < 1 || confirm_closes > 10)
    throw std::invalid_argument("bos.confirm_closes must be in [1, 10], got " +
                                std::to_string(confirm_closes));
  if (fail_bars < 1 || fail_bars > 100)
    throw std::invalid_argument("bos.fail_bars must be in [1, 100], got " +
                                std::to_string(fail_bars));
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
                       double atr_e8, BosSignal& out) {
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
  const int64_t close_beyond_e8 = bullish ? bar.close_e8 - level : level - bar.close_e8;
  const int64_t threshold_distance_e8 = std::llround(params_.confirm_atr * atr_e8);
  const bool traded_through = bullish ? extreme > level : extreme < level;
  // A confirming close is strictly beyond the level and at least the threshold beyond it.
  const bool confirming = close_beyond_e8 > 0 && close_beyond_e8 >= threshold_distance_e8;

  out = BosSignal{};
  out.direction = direction;
  out.ts_ns = bar.open_ts_ns + bar.interval_ns;
  out.level_e8 = level;
  out.close_e8 = bar.close_e8;
  out.extreme_e8 = extreme;
  out.threshold_e8 = bullish ? level + threshold_distance_e8 : level - threshold_distance_e8;
  out.atr_e8 = std::llround(atr_e8);
  out.pivot_bar_index = pivot.bar_index;

  if (!side.pending) {
    if (!traded_through) return false;
    side.pending = true;
    side.pending_bars = 0;
    side.closes = confirming ? 1 : 0;
  } else {
    ++side.pending_bars;
    side.closes = confirming ? side.closes + 1 : 0;  // confirming closes must be consecutive
  }
  out.closes = side.closes;
  if (side.closes >= params_.confirm_closes) {
    side.pending = false;
    side.consumed_pivot = pivot.bar_index;
    out.stage = BosStage::confirmed;
    return true;
  }
  if (side.pending_bars == 0) {
    out.stage = BosStage::potential;
    return true;
  }
  if (close_beyond_e8 <= 0) {
    side.pending = false;
    out.stage = BosStage::failed;
    out.fail_reason = FailReason::closed_inside;
    return true;
  }
  if (side.pending_bars >= params_.fail_bars) {
    side.pending = false;
    out.stage = BosStage::failed;
    out.fail_reason = FailReason::not_confirmed;
    return true;
  }
  return false;
}

BosSignals BosDetector::on_bar(const mmh_candle& bar, const StructureTracker& structure,
                               double atr_e8) {
  BosSignals signals;
  if (structure.last_high() && step(bull_, Direction::bullish, bar, *structure.last_high(), atr_e8,
                                    signals.items[signals.count]))
    ++signals.count;
  if (structure.last_low() && step(bear_, Direction::bearish, bar, *structure.last_low(), atr_e8,
                                   signals.items[signals.count]))
    ++signals.count;
  return signals;
}

}  // namespace mmh::bos
