#include "structure.hpp"

#include "validate.hpp"

#include <cmath>
#include <stdexcept>

namespace mmh::bos {

void StructureParams::validate() const {
  check_range("structure", "left_bars", left_bars, 1, 50);
  check_range("structure", "right_bars", right_bars, 1, 50);
  check_range("structure", "min_swing_atr", min_swing_atr, 0, 20);
}

const char* to_string(SwingLabel label) {
  switch (label) {
    case SwingLabel::higher_high:
      return "HH";
    case SwingLabel::lower_high:
      return "LH";
    case SwingLabel::higher_low:
      return "HL";
    case SwingLabel::lower_low:
      return "LL";
    case SwingLabel::none:
      break;
  }
  return "-";
}

const char* to_string(Trend trend) {
  switch (trend) {
    case Trend::up:
      return "up";
    case Trend::down:
      return "down";
    case Trend::range:
      break;
  }
  return "range";
}

StructureTracker::StructureTracker(const StructureParams& params) : params_(params) {
  params_.validate();
  window_.resize(static_cast<size_t>(params_.left_bars + params_.right_bars + 1));
}

bool StructureTracker::accept(PivotKind kind, int64_t price_e8, double atr_e8) const {
  if (params_.min_swing_atr <= 0.0) return true;
  // Distance from the last opposite pivot; the first pivot of each kind has nothing to compare.
  const std::optional<Pivot>& opposite = kind == PivotKind::high ? last_low_ : last_high_;
  if (!opposite) return true;
  if (atr_e8 <= 0.0) return false;  // size unknown until ATR is ready: do not invent structure
  const double distance = std::fabs(static_cast<double>(price_e8 - opposite->price_e8));
  return distance >= params_.min_swing_atr * atr_e8;
}

void StructureTracker::record(Pivot& pivot) {
  if (pivot.kind == PivotKind::high) {
    if (last_high_)
      pivot.label =
          pivot.price_e8 > last_high_->price_e8 ? SwingLabel::higher_high : SwingLabel::lower_high;
    last_high_ = pivot;
  } else {
    if (last_low_)
      pivot.label =
          pivot.price_e8 > last_low_->price_e8 ? SwingLabel::higher_low : SwingLabel::lower_low;
    last_low_ = pivot;
  }
  const SwingLabel high_label = last_high_ ? last_high_->label : SwingLabel::none;
  const SwingLabel low_label = last_low_ ? last_low_->label : SwingLabel::none;
  if (high_label == SwingLabel::higher_high && low_label == SwingLabel::higher_low) {
    trend_ = Trend::up;
  } else if (high_label == SwingLabel::lower_high && low_label == SwingLabel::lower_low) {
    trend_ = Trend::down;
  } else {
    trend_ = Trend::range;
  }
}

void StructureTracker::on_bar(const mmh_candle& bar, double atr_e8, ConfirmedPivots& found) {
  const size_t n = window_.size();
  const int64_t index = next_index_++;
  window_[next_slot_] = Bar{index, bar.open_ts_ns, bar.high_e8, bar.low_e8};
  next_slot_ = next_slot_ + 1 == n ? 0 : next_slot_ + 1;  // now the oldest bar's slot
  found.count = 0;
  if (next_index_ < static_cast<int64_t>(n)) return;

  // The candidate sits right_bars back from the newest bar. Tie rule: it must be strictly beyond
  // every bar to its left and at least equal to every bar to its right, so of equal extremes the
  // earliest is the pivot. The ring is walked with a wrapping slot, not a division per bar.
  const size_t left = static_cast<size_t>(params_.left_bars);
  size_t slot = next_slot_;
  const size_t candidate_slot = slot + left < n ? slot + left : slot + left - n;
  const Bar& candidate = window_[candidate_slot];
  bool is_high = true;
  bool is_low = true;
  // Branch-free on purpose: an early exit measured slower (mispredicted on real data).
  for (size_t k = 0; k < n; ++k, slot = slot + 1 == n ? 0 : slot + 1) {
    if (k == left) continue;
    const Bar& other = window_[slot];
    if (k < left) {
      is_high &= other.high_e8 < candidate.high_e8;
      is_low &= other.low_e8 > candidate.low_e8;
    } else {
      is_high &= other.high_e8 <= candidate.high_e8;
      is_low &= other.low_e8 >= candidate.low_e8;
    }
  }
  if (!is_high && !is_low) return;
  const int64_t confirmed_ts = bar.open_ts_ns + bar.interval_ns;
  auto emit = [&](PivotKind kind, int64_t price) {
    if (!accept(kind, price, atr_e8)) return;
    Pivot& p = found.items[found.count++];
    p.kind = kind;
    p.bar_index = candidate.index;
    p.bar_open_ts_ns = candidate.open_ts_ns;
    p.price_e8 = price;
    p.confirmed_index = index;
    p.confirmed_ts_ns = confirmed_ts;
    p.label = SwingLabel::none;
    record(p);
  };
  // An outside bar can be both; the high is recorded first (a fixed order keeps runs identical).
  if (is_high) emit(PivotKind::high, candidate.high_e8);
  if (is_low) emit(PivotKind::low, candidate.low_e8);
}

}  // namespace mmh::bos
