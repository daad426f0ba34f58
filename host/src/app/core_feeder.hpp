// Feeds a run's bars to its core: the structure timeframe (HTF) resampled from the execution
// timeframe (LTF), each bar through the execution (fills inside it, then the orders after it),
// reload checks at event boundaries, pacing for --speed, and every decision to the summary,
// the event log and --events.
#pragma once

#include "app/execution.hpp"
#include "app/run_command.hpp"
#include "app/run_control.hpp"
#include "app/strategy_runtime.hpp"
#include "engine/engine.hpp"
#include "engine/resampler.hpp"
#include "loader/core_instance.hpp"

#include <mmhost/plugin.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <ostream>
#include <vector>

namespace mmh {

class Reloader;

// Builds the strategy's structure timeframe (HTF) from the execution-timeframe (LTF) candles and
// feeds both to the core in time order: the LTF bars up to and including the one that closes an
// HTF bar, then that HTF bar. A bar still open when the data ends is never fed (it never closed).
// Event boundaries (where a reload may swap parameters) are between batches, or between bars
// when the replay is paced.
class CoreFeeder final : public BatchHandler {
 public:
  CoreFeeder(int64_t htf_ns, int64_t ltf_ns, CoreInstance* core, StrategyRuntime* runtime,
             DecisionSummary* summary, std::ostream* lines, Reloader* reloader,
             const RunOptions& options);

  // With a venue every LTF bar goes through it: fills inside the bar first, the bar to the core,
  // then the orders the core wants after it.
  void set_execution(Execution* exec, uint64_t total_bars);
  uint64_t bars_fed() const { return bars_; }
  // Steering commands of a paced replay run between bars and while it waits.
  void set_inbox(EngineInbox* inbox) { inbox_ = inbox; }

  void on_batch(const mmh_batch& in) override;

  // What the core and script decided on an input between bars (ticks) or after the last bar
  // (on_stop's failures).
  void collect_decisions() { collect(); }
  uint64_t bars_dropped() const { return bars_dropped_; }

  // End of data: the bar in progress is counted in the report but not fed to the core.
  void finish();

  // The bars of `in` that open after the last bar fed; a bar at or before it is dropped,
  // whatever its source (a confirmed kline push repeating the REST warm-up's last bar, a
  // reconnect's replay). Sorted batches that are all new pass through without a copy.
  mmh_batch only_new_bars(const mmh_batch& in);

  uint64_t htf_bars() const { return resampler_.emitted(); }
  uint64_t htf_partial_bars() const { return resampler_.emitted_partial(); }

 private:
  static int64_t batch_close_ns(const mmh_batch& batch, size_t i);

  // --speed: wait until the wall clock catches up with event time / speed.
  void pace(int64_t close_ns);

  void boundary(int64_t next_close_ns);

  void feed(const mmh_batch& batch);

  void report_progress(const mmh_batch& batch, size_t i);

  void feed_bars(const mmh_batch& batch);

  void forward(const mmh_batch& batch, size_t begin, size_t end);

  // A script error raised inside the core's input (a hook) comes before what the core decided
  // after it.
  void collect();

  void record(const mmh_decision& d);

  int64_t last_bar_open_ns_ = INT64_MIN;
  uint64_t bars_dropped_ = 0;
  EngineInbox* inbox_ = nullptr;
  std::vector<mmh_candle> fresh_bars_;
  Resampler resampler_;
  std::vector<mmh_candle> completed_;
  bool same_interval_;
  CoreInstance* core_;
  StrategyRuntime* runtime_;
  DecisionSummary* summary_;
  std::ostream* lines_;
  Reloader* reloader_;
  const RunOptions& options_;
  bool per_bar_;
  Execution* exec_ = nullptr;
  uint64_t total_bars_ = 0;
  uint64_t bars_ = 0;
  int64_t first_close_ns_ = 0;
  std::chrono::steady_clock::time_point wall_start_;
};

}  // namespace mmh
