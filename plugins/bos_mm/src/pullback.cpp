#include "pullback.hpp"

#include "validate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace mmh::bos {

void PullbackParams::validate() const {
  if (zone < ZoneMode::level || zone > ZoneMode::both)
    throw std::invalid_argument("pullback.zone must be level, retracement, either or both");
  if (confirm < ConfirmRule::ltf_bullish_close || confirm > ConfirmRule::htf_bullish_close)
    throw std::invalid_argument(
        "pullback.confirm must be ltf_bullish_close, ltf_close_above_prev_high or "
        "htf_bullish_close");
  check_range("pullback", "level_above_atr", level_above_atr, 0, 10);
  check_range("pullback", "level_below_atr", level_below_atr, 0, 10);
  check_range("pullback", "retrace_min", retrace_min, 0, 1);
  check_range("pullback", "retrace_max", retrace_max, 0, 1);
  if (!(retrace_max > retrace_min))
    throw std::invalid_argument("pullback.retrace_max must be greater than pullback.retrace_min");
  check_range("pullback", "max_bars", max_bars, 1, 100000);
}

const char* to_string(ZoneMode mode) {
  switch (mode) {
    case ZoneMode::level:
      return "level";
    case ZoneMode::retracement:
      return "retracement";
    case ZoneMode::either:
      return "either";
    case ZoneMode::both:
      return "both";
  }
  return "?";
}

const char* to_string(ConfirmRule rule) {
  switch (rule) {
    case ConfirmRule::ltf_bullish_close:
      return "ltf_bullish_close";
    case ConfirmRule::ltf_close_above_prev_high:
      return "ltf_close_above_prev_high";
    case ConfirmRule::htf_bullish_close:
      return "htf_bullish_close";
  }
  return "?";
}

PullbackTracker::PullbackTracker(const PullbackParams& params) : params_(params) {
  params_.validate();
}

void PullbackTracker::arm(const BosSignal& bos, int64_t leg_low_e8, double atr_e8) {
  stage_ = PullbackStage::armed;
  level_zone_.low_e8 = bos.level_e8 - round_to_int64(params_.level_below_atr * atr_e8);
  level_zone_.high_e8 = bos.level_e8 + round_to_int64(params_.level_above_atr * atr_e8);
  leg_low_e8_ = leg_low_e8;
  leg_high_e8_ = bos.extreme_e8;
  entered_ = Zone{};
  bars_since_bos_ = 0;
  started_ts_ns_ = 0;
  have_prev_ltf_ = false;
}

Zone PullbackTracker::retrace_zone() const {
  const int64_t span = leg_high_e8_ - leg_low_e8_;
  if (span <= 0) return Zone{};
  return Zone{leg_high_e8_ - round_to_int64(params_.retrace_max * static_cast<double>(span)),
              leg_high_e8_ - round_to_int64(params_.retrace_min * static_cast<double>(span))};
}

bool PullbackTracker::in_zone(int64_t low, int64_t high, Zone& which) const {
  const Zone retrace = retrace_zone();
  switch (params_.zone) {
    case ZoneMode::level:
      which = level_zone_;
      return level_zone_.touches(low, high);
    case ZoneMode::retracement:
      which = retrace;
      return retrace.touches(low, high);
    case ZoneMode::either:
      // The level zone first: it is the classic retest, and a fixed order keeps runs identical.
      if (level_zone_.touches(low, high)) {
        which = level_zone_;
        return true;
      }
      which = retrace;
      return retrace.touches(low, high);
    case ZoneMode::both: {
      which = Zone{std::max(level_zone_.low_e8, retrace.low_e8),
                   std::min(level_zone_.high_e8, retrace.high_e8)};
      return retrace.valid() && which.touches(low, high);
    }
  }
  return false;
}

PullbackUpdate PullbackTracker::on_htf_bar(const mmh_candle& bar, int64_t protect_low_e8) {
  PullbackUpdate update;
  if (stage_ != PullbackStage::armed && stage_ != PullbackStage::started) return update;
  update.ts_ns = bar.open_ts_ns + bar.interval_ns;
  ++bars_since_bos_;
  if (bar.close_e8 < protect_low_e8) {
    stage_ = PullbackStage::idle;
    update.invalidated = true;
    update.price_e8 = bar.close_e8;
    return update;
  }
  if (stage_ == PullbackStage::armed) {
    // The zone is judged on the leg known before this bar; only then may the bar extend it.
    Zone which;
    if (in_zone(bar.low_e8, bar.high_e8, which)) {
      stage_ = PullbackStage::started;
      entered_ = which;
      started_ts_ns_ = update.ts_ns;
      update.started = true;
      update.price_e8 = bar.low_e8;
      update.zone = which;
    } else {
      leg_high_e8_ = std::max(leg_high_e8_, bar.high_e8);
    }
  }
  if (stage_ == PullbackStage::started && params_.confirm == ConfirmRule::htf_bullish_close &&
      bar.close_e8 > bar.open_e8 && bar.close_e8 >= entered_.low_e8) {
    stage_ = PullbackStage::confirmed;
    update.confirmed = true;
    update.price_e8 = bar.close_e8;
    update.zone = entered_;
    return update;
  }
  if (bars_since_bos_ >= params_.max_bars) {
    stage_ = PullbackStage::idle;
    update.expired = true;
  }
  return update;
}

PullbackUpdate PullbackTracker::on_ltf_bar(const mmh_candle& bar) {
  PullbackUpdate update;
  const int64_t close_ts = bar.open_ts_ns + bar.interval_ns;
  const bool counts = stage_ == PullbackStage::started && close_ts > started_ts_ns_ &&
                      params_.confirm != ConfirmRule::htf_bullish_close;
  if (counts && bar.close_e8 >= entered_.low_e8) {
    const bool ok = params_.confirm == ConfirmRule::ltf_bullish_close
                        ? bar.close_e8 > bar.open_e8
                        : have_prev_ltf_ && bar.close_e8 > prev_ltf_high_e8_;
    if (ok) {
      stage_ = PullbackStage::confirmed;
      update.confirmed = true;
      update.ts_ns = close_ts;
      update.price_e8 = bar.close_e8;
      update.zone = entered_;
    }
  }
  prev_ltf_high_e8_ = bar.high_e8;
  have_prev_ltf_ = true;
  return update;
}

}  // namespace mmh::bos
