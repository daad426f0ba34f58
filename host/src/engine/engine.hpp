// The engine: one thread, one clock, every mode. Historical sources are pulled and merged in a
// deterministic order; live sources push batches from any thread onto the engine's Asio loop.
//
// Ordering rule (documented in docs/engine.md): events are delivered by event time (candles at
// their close); equal times go in source order (the order sources were added), then in the
// source's own order. A timer due at T fires after every event at T.
#pragma once

#include <mmhost/plugin.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace mmh {

class Clock;
class SimulatedClock;

// Receives runs of same-kind events in time order. The batch is borrowed for the call; records
// are `record_size` apart. Handlers use each record's own time (event_time_ns); the engine clock
// is at the run's first event while the handler runs.
class BatchHandler {
 public:
  virtual ~BatchHandler() = default;
  virtual void on_batch(const mmh_batch& batch) = 0;
};

struct EngineStats {
  std::array<uint64_t, MMH_EVENT_KIND_COUNT> events_by_kind{};
  int64_t first_event_ns = 0;
  int64_t last_event_ns = 0;
  uint64_t runs = 0;  // handler deliveries
  uint64_t timers_fired = 0;
  uint64_t total_events() const;
};

class EngineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Engine {
 public:
  // Pulls the next batch of a historical source; false (or count 0) at end. May throw.
  using PullFn = std::function<bool(mmh_batch& out)>;
  using TimerFn = std::function<void(int64_t now_ns)>;

  explicit Engine(Clock& clock);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // kind 0 subscribes to every kind.
  void subscribe(uint32_t kind, BatchHandler* handler);
  // Returns the source index (its tie-break rank).
  size_t add_source(std::string name, PullFn pull);
  void add_timer(int64_t due_ns, TimerFn fn);

  // Historical: merges every source to its end on the simulated clock. Throws EngineError
  // naming the source on out-of-order or malformed batches.
  EngineStats run_historical(SimulatedClock& clock);

  // Live: runs the Asio loop until stop_live(); batches posted from any thread are copied and
  // delivered on the loop's thread; timers use the wall clock.
  EngineStats run_live(boost::asio::io_context& io);
  // Lets post_live queue onto `io` before run_live starts (events posted while a live run is
  // being set up are delivered first, in order).
  void bind_live(boost::asio::io_context& io);
  void post_live(const mmh_batch& batch);  // thread-safe
  void stop_live();                        // thread-safe
  // Told, on the loop's thread, how long each posted batch took from its post to the end of
  // its delivery (the wait in the loop's queue and every handler): the run's reaction time.
  using LiveObserver = std::function<void(uint32_t kind, int64_t latency_ns)>;
  void observe_live(LiveObserver observer) { live_observer_ = std::move(observer); }

  const Clock& clock() const { return clock_; }
  const EngineStats& stats() const { return stats_; }

 private:
  struct Source {
    std::string name;
    PullFn pull;
    mmh_batch batch{};
    size_t pos = 0;
    bool done = false;
    int64_t last_time_ns = INT64_MIN;
  };
  struct Timer {
    int64_t due_ns;
    uint64_t seq;
    TimerFn fn;
  };
  struct TimerLater {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.due_ns != b.due_ns ? a.due_ns > b.due_ns : a.seq > b.seq;
    }
  };

  void refill(Source& s);
  int64_t time_at(const Source& s, size_t i) const;
  void dispatch(const mmh_batch& run, int64_t first_ns, int64_t last_ns);
  void fire_timers_before(int64_t limit_ns, bool inclusive, SimulatedClock* sim);
  void arm_live_timer(Timer timer);

  Clock& clock_;
  std::vector<Source> sources_;
  std::array<std::vector<BatchHandler*>, MMH_EVENT_KIND_COUNT> handlers_{};
  std::vector<BatchHandler*> all_handlers_;
  std::priority_queue<Timer, std::vector<Timer>, TimerLater> timers_;
  uint64_t timer_seq_ = 0;
  EngineStats stats_;
  boost::asio::io_context* io_ = nullptr;
  std::mutex live_mutex_;
  LiveObserver live_observer_;
};

}  // namespace mmh
