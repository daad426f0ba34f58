// The pullback after a confirmed bullish BOS: a retracement into a zone (around the broken level
// in ATR, and/or a retracement band of the impulse leg) that does not close below the protecting
// low, confirmed by the execution timeframe (LTF). docs/strategy-model.md has a worked example.
#pragma once

#include "bos.hpp"

#include <mmhost/plugin.h>

#include <cstdint>

namespace mmh::bos {

enum class ZoneMode { level = 1, retracement = 2, either = 3, both = 4 };
enum class ConfirmRule {
  ltf_bullish_close = 1,
  ltf_close_above_prev_high = 2,
  htf_bullish_close = 3
};
const char* to_string(ZoneMode mode);
const char* to_string(ConfirmRule rule);

struct PullbackParams {
  ZoneMode zone = ZoneMode::either;
  double level_above_atr = 0.5;  // level zone top: broken level + this many ATR; [0, 10]
  double level_below_atr = 1.0;  // level zone bottom: broken level - this many ATR; [0, 10]
  double retrace_min = 0.382;    // retracement band of the impulse leg, as a fraction; [0, 1]
  double retrace_max = 0.786;    // (retrace_min, 1]
  ConfirmRule confirm = ConfirmRule::ltf_close_above_prev_high;
  int max_bars = 36;  // HTF bars after the BOS to start and confirm a pullback; [1, 100000]

  void validate() const;
};

enum class PullbackStage { idle = 0, armed = 1, started = 2, confirmed = 3 };

struct Zone {
  int64_t low_e8 = 0;
  int64_t high_e8 = 0;
  bool valid() const { return high_e8 >= low_e8 && high_e8 > 0; }
  bool touches(int64_t low, int64_t high) const {
    return valid() && low <= high_e8 && high >= low_e8;
  }
};

struct PullbackUpdate {
  bool started = false;
  bool confirmed = false;
  bool invalidated = false;  // a close below the protecting low
  bool expired = false;      // max_bars passed without a confirmation
  int64_t ts_ns = 0;
  int64_t price_e8 = 0;  // the low that entered the zone (started) or the confirming close
  Zone zone;             // the zone the price entered
  bool any() const { return started || confirmed || invalidated || expired; }
};

class PullbackTracker {
 public:
  explicit PullbackTracker(const PullbackParams& params);

  // A confirmed bullish BOS arms the tracker. leg_low_e8 is the start of the impulse leg (the
  // last swing low), which is also the protecting low unless the caller raises it.
  void arm(const BosSignal& bos, int64_t leg_low_e8, double atr_e8);
  void disarm() { stage_ = PullbackStage::idle; }

  // Closed HTF bar (after the BOS bar). protect_low_e8: a close below it invalidates the setup.
  PullbackUpdate on_htf_bar(const mmh_candle& bar, int64_t protect_low_e8);
  // Closed LTF bar; confirms a started pullback per the rule. Only bars that close after the HTF
  // bar that started the pullback count.
  PullbackUpdate on_ltf_bar(const mmh_candle& bar);

  // New parameters from the next bar on; an armed or started pullback keeps its zone.
  void set_params(const PullbackParams& params) {
    params.validate();
    params_ = params;
  }

  PullbackStage stage() const { return stage_; }
  const Zone& level_zone() const { return level_zone_; }
  Zone retrace_zone() const;
  const Zone& entered_zone() const { return entered_; }
  int64_t leg_high_e8() const { return leg_high_e8_; }
  int64_t leg_low_e8() const { return leg_low_e8_; }

 private:
  bool in_zone(int64_t low, int64_t high, Zone& which) const;

  PullbackParams params_;
  PullbackStage stage_ = PullbackStage::idle;
  Zone level_zone_;
  Zone entered_;
  int64_t leg_high_e8_ = 0;
  int64_t leg_low_e8_ = 0;
  int64_t bars_since_bos_ = 0;
  int64_t started_ts_ns_ = 0;
  int64_t prev_ltf_high_e8_ = 0;
  bool have_prev_ltf_ = false;
};

}  // namespace mmh::bos
