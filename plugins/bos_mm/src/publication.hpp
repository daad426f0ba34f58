// What bos_mm publishes about a run (ABI 1.3 `publish`): the seed's stage-1 statistics as named
// counters and gauges, the per-bar values equity.csv records (state, policy), and how
// report.html shades and marks the chart. The host shows them without knowing the vocabulary.
//
// Time in a state is counted per execution (LTF) bar, in the state the core holds once the bar
// is done: after the bar and the structure bar it may close, before anything later (a fill of
// the next bar, a quote). The host samples equity.csv at that same moment, so the shares and
// the file agree.
#pragma once

#include "core.hpp"
#include "events.hpp"

#include <mmhost/plugin.h>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mmh::bos {

class Publication {
 public:
  // Before each input the core takes: a candle of `interval_ns` opening at `open_ts_ns`, or
  // (interval 0) any other event. Settles the bar before it unless this is the structure bar
  // that closes with it.
  void before_input(const Core& core, int64_t open_ts_ns, int64_t interval_ns, int64_t htf_ns);
  // After an execution bar went into the core.
  void after_ltf_bar(int64_t close_ts_ns);
  // Every decision the core reports.
  void count(const Event& event);

  // The figures as of now (the bar in progress counted in the core's present state).
  void publish(const Core& core, mmh_core_publication& out);

 private:
  void settle(State state, PolicyLevel policy);

  std::array<uint64_t, kEventKindCount + 1> events_{};
  std::map<std::string, uint64_t> transitions_;  // "idle->bos" -> count
  uint64_t mm_entries_ = 0;
  uint64_t defensive_entries_ = 0;
  std::array<uint64_t, kStateCount + 1> bars_in_state_{};
  std::array<uint64_t, 4> bars_in_policy_{};  // by PolicyLevel
  uint64_t bars_ = 0;
  uint64_t days_ = 0;
  int64_t last_day_ = INT64_MIN;
  bool pending_ = false;  // an execution bar waits to be counted
  int64_t pending_close_ns_ = 0;
  std::vector<std::string> names_;  // the metrics' names (stable storage)
  std::vector<mmh_core_metric> metrics_;
};

}  // namespace mmh::bos
