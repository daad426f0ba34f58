// Operating a running paced replay, paper or live run: the control socket's commands reach the
// run's own thread through an EngineInbox, and control_answer() acts on them there.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>

namespace boost::asio {
class io_context;
}

namespace mmh {

class Execution;

// Work handed to the engine's thread from another thread. A live run's loop runs it as soon as
// it is posted; a paced replay runs it between bars and while it waits for the next one (so a
// slow pace never delays a halt by more than the work at hand).
class EngineInbox {
 public:
  // Live runs: post to `io` from now on (nullptr: queue again).
  void bind(boost::asio::io_context* io);
  // Any thread.
  void push(std::function<void()> task);
  // The engine's thread: runs what is queued.
  void run_pending();
  // The engine's thread: sleeps until `due`, running tasks as they arrive.
  void wait_until(std::chrono::steady_clock::time_point due);
  // Another thread: runs `task` on the engine's thread and returns its answer; after
  // `timeout` without one, an error answer (the run is busy or has stopped taking work).
  std::string call(std::function<std::string()> task, std::chrono::milliseconds timeout);
  // The run is over: tasks from now on are answered "stopped", never run.
  void close();

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  boost::asio::io_context* io_ = nullptr;
  bool closed_ = false;
};

// The answer (one JSON line) to a control command, given on the engine's thread: "halt",
// "reduce", "resume" act on the RiskGate (through the execution, which cancels and syncs at
// once) and answer with the state after; "status" reports state, equity, inventory, open
// orders and the last market data time. `exec` is nullptr when the run trades nothing.
// `metrics_url`: where the run serves Prometheus metrics (status shows it; empty: nowhere).
std::string control_answer(Execution* exec, int64_t now_ns, const std::string& command,
                           const std::string& metrics_url = "");

// `mmhost halt|reduce|resume|status RUN_DIR`: sends `command` to the run in `run_dir` and prints
// its answer (as text, or the JSON line with `json`). Returns the exit code: 0 when the run
// acted, 1 when it answered with an error; throws ControlError when no run answers.
int run_control_command(const std::string& run_dir, const std::string& command, bool json,
                        std::ostream& out);

}  // namespace mmh

namespace mmh {

// Runs `on_signal` on the engine's thread (through `inbox`) each time the process gets
// `signo`, for as long as it lives (its own thread waits for the signal).
class SignalRelay {
 public:
  SignalRelay(int signo, EngineInbox& inbox, std::function<void()> on_signal);
  ~SignalRelay();
  SignalRelay(const SignalRelay&) = delete;
  SignalRelay& operator=(const SignalRelay&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mmh
