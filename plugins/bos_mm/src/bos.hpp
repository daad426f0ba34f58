// Break of structure on closed HTF bars: a bullish break of the last confirmed swing high and a
// bearish break of the last confirmed swing low, each potential -> confirmed or failed.
// docs/strategy-model.md defines the rules with a worked example.
#pragma once

#include "instrument.hpp"
#include "structure.hpp"

#include <mmhost/plugin.h>

#include <cstdint>

namespace mmh::bos {

struct BosParams {
  double confirm_atr = 0.5;  // a confirming close is beyond the level by >= this many ATR; [0, 10]
  int confirm_closes = 1;    // confirming closes needed (consecutive); [1, 10]
  int fail_bars =
      3;  // a potential break that is not confirmed within this many bars fails; [1, 100]

  void validate() const;  // throws std::invalid_argument naming the field
};

enum class Direction { none = 0, bullish = 1, bearish = 2 };
const char* to_string(Direction direction);

enum class BosStage { potential = 1, confirmed = 2, failed = 3 };
const char* to_string(BosStage stage);

// Why a potential break failed.
enum class FailReason { none = 0, closed_inside = 1, not_confirmed = 2 };
const char* to_string(FailReason reason);

struct BosSignal {
  Direction direction = Direction::none;
  BosStage stage = BosStage::potential;
  FailReason fail_reason = FailReason::none;
  int64_t ts_ns = 0;         // close time of the bar that produced it
  int64_t level_e8 = 0;      // the broken swing price
  int64_t close_e8 = 0;      // that bar's close
  int64_t extreme_e8 = 0;    // that bar's high (bullish) or low (bearish)
  int64_t threshold_e8 = 0;  // level +/- confirm_atr * ATR
  int64_t atr_e8 = 0;
  int64_t pivot_bar_index = 0;  // the swing that was broken
  int closes = 0;               // confirming closes counted so far
};

// At most one signal per direction per bar.
struct BosSignals {
  BosSignal items[2];
  int count = 0;
  const BosSignal* begin() const { return items; }
  const BosSignal* end() const { return items + count; }
  bool empty() const { return count == 0; }
};

class BosDetector {
 public:
  explicit BosDetector(const BosParams& params);

  // Call after StructureTracker::on_bar for the same bar. The bar that confirms a pivot cannot
  // trade through it (the pivot rule forbids it), so the new level is effectively watched from
  // the next bar on. atr_e8 is the ATR at this bar's close; nothing is detected until it is
  // positive.
  // Writes into `out` (reused by the caller, so the per-bar path touches no fresh memory).
  void on_bar(const mmh_candle& bar, const StructureTracker& structure, double atr_e8,
              BosSignals& out);

  const BosParams& params() const { return params_; }
  // New thresholds from the next bar on; an open potential break keeps its count.
  void set_params(const BosParams& params) {
    params.validate();
    params_ = params;
  }

 private:
  struct Side {
    int64_t armed_pivot = -1;     // bar index of the swing this side watches
    int64_t consumed_pivot = -1;  // a swing that was confirmed broken is never broken again
    bool pending = false;         // a potential break is open
    int64_t pending_bars = 0;     // bars since the potential (0 on its own bar)
    int closes = 0;
  };
  bool step(Side& side, Direction direction, const mmh_candle& bar, const Pivot& pivot,
            double atr_e8, BosSignal& out) const;

  BosParams params_;
  Side bull_;
  Side bear_;
};

}  // namespace mmh::bos
