// The control socket of a running paced replay, paper or live run: a Unix stream socket
// `control.sock` in its run directory (mode 0600: only its owner may steer the run). A client
// sends one command line ("halt", "reduce", "resume", "status") and gets one JSON line back,
// written after the run has acted on it. `mmhost halt|reduce|resume|status RUN_DIR` are the
// clients; docs/operations.md shows the protocol.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace mmh {

class ControlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The socket's path in `run_dir`.
std::string control_socket_path(const std::string& run_dir);

class ControlServer {
 public:
  // Answers a command line (without its '\n'); runs on the server's own thread and may block
  // until the run has acted (it hands the work to the run's thread and waits).
  using Handler = std::function<std::string(const std::string& command)>;

  // Listens on control.sock in `run_dir` from its own thread. Throws ControlError when another
  // process answers on that socket already (the run directory is in use) or it cannot listen;
  // a socket file left by a run that died is replaced.
  ControlServer(const std::string& run_dir, Handler handler);
  ~ControlServer();  // stops listening and removes the socket file
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& path() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Sends `command` to the run listening in `run_dir` and returns its JSON answer. Throws
// ControlError when nothing listens there (no run, or it ended) or no answer came in
// `timeout_ms`.
std::string control_request(const std::string& run_dir, const std::string& command,
                            int timeout_ms = 10'000);

}  // namespace mmh
