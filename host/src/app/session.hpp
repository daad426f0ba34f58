// A run in motion: the engine on the run's clock, the bar feeder (core, venue, ledger, risk by
// the routing table), the tick feed, steering (control socket, SIGUSR1), and the report at the
// end. Every mode runs through here; the mode shows only in the clock (simulated: the data is
// read to its end; wall: a live connector's stream until a signal or --duration) and in the
// plugins the plan named.
#pragma once

#include "app/core_feeder.hpp"
#include "app/market_feed.hpp"
#include "app/routes.hpp"
#include "app/run_command.hpp"
#include "app/run_control.hpp"
#include "app/run_plan.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <ostream>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace mmh {

class ControlServer;
class MetricsServer;
class DataInstance;
class Execution;
class HostContext;
class LiveInbox;
class Reloader;
class SignalRelay;
class StrategyRuntime;
class VenueInstance;

// What the session drives; everything is built (and owned) by the caller from the RunPlan.
struct SessionParts {
  HostContext& host;
  const RunPlan& plan;
  const RunOptions& options;
  RunReport& report;  // the session fills in what the run did
  const Routes& routes;
  DataInstance* source;                                // null: the run reads options.candles
  std::vector<std::unique_ptr<DataInstance>>& market;  // tick streams for the venue
  CoreInstance* core;                                  // null: no decisions
  Reloader* reloader;                                  // null: no hot reload
  StrategyRuntime& runtime;
  Execution* exec;                                    // null: nothing executes
  VenueInstance* venue;                               // with exec
  LiveInbox& inbox;                                   // a live connector's posts
  std::atomic<boost::asio::io_context*>& venue_wake;  // a live venue's posts wake the loop
  Clock& clock;
  SimulatedClock* simulated;  // the run's clock when it is simulated, else null
  std::ostream& decision_out;
};

class Session {
 public:
  explicit Session(const SessionParts& parts);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // To the end of the data (simulated clock) or until stopped (wall clock); then the report.
  void run();

 private:
  void add_sources();
  void open_steering();
  // The run's time for a command: the wall clock on a stream; a replay's last bar (its clock
  // moves a batch at a time).
  int64_t now_ns() const;
  EngineStats run_stream();
  // The status line's thread: every --status-every, the engine's figures to the log and
  // RUN_DIR/status.jsonl.
  void report_status(std::chrono::nanoseconds every);
  void stop_status();
  void report_end(std::chrono::steady_clock::time_point start);

  SessionParts p_;
  Engine engine_;
  CoreFeeder feeder_;
  MarketFeed feed_;
  EngineInbox steering_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<SignalRelay> kill_switch_;
  // Declared after steering_ (they call into it): gone before it.
  std::unique_ptr<MetricsServer> metrics_;
  std::mutex status_mutex_;
  std::condition_variable status_cv_;
  bool status_stop_ = false;
  std::thread status_thread_;
};

}  // namespace mmh
