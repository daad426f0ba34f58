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

StructureTracker::StructureTracker(const StructureParams& params)
    : params_((params.validate(), params)),
      window_(static_cast<size_t>(params.left_bars + params.right_bars + 1)),
      highs_(window_.size()),
      lows_(window_.size()) {}

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
  // Queues of candidates for the window's earliest highest high and earliest lowest low: a new
  // bar removes the queued bars it strictly beats (equal ones stay, so the earliest leads).
  const int64_t oldest = index - static_cast<int64_t>(n) + 1;
  highs_.expire(oldest);
  lows_.expire(oldest);
  highs_.push(index, bar.high_e8);
  lows_.push(index, -bar.low_e8);
  found.count = 0;
  if (next_index_ < static_cast<int64_t>(n)) return;

  // The candidate sits right_bars back from the newest bar. Tie rule: it must be strictly beyond
  // every bar to its left and at least equal to every bar to its right, so of equal extremes the
  // earliest is the pivot. That is exactly "the candidate is the earliest extreme of the window",
  // which the two monotonic queues answer in O(1) amortised per bar.
  const int64_t candidate_index = index - params_.right_bars;
  const size_t left = static_cast<size_t>(params_.left_bars);
  const size_t candidate_slot = next_slot_ + left < n ? next_slot_ + left : next_slot_ + left - n;
  const Bar& candidate = window_[candidate_slot];
  const bool is_high = highs_.front() == candidate_index;
  const bool is_low = lows_.front() == candidate_index;
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
