#include "api/job_runner.hpp"

#include "app/progress_file.hpp"
#include "engine/clock.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include <chrono>
#include <fstream>
#include <sstream>

namespace mmh::api {

namespace fs = std::filesystem;
using json = nlohmann::json;
using store::RunStatus;

namespace {

int64_t now_ms() {
  return WallClock().now_ns() / 1'000'000;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The last lines of the run's log: why a run failed.
std::string log_tail(const fs::path& log, size_t max_chars = 600) {
  std::string text = read_text(log);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > max_chars) text = "..." + text.substr(text.size() - max_chars);
  return text;
}

// Starts `argv` with stdout and stderr to `log`, in `cwd`; returns the pid or -1. The child
// leads its own process group (a stop reaches the batch workers it forks too) and dies with the
// thread that started it: a runner killed outright leaves no run going on without it.
// `stdin_fd` and `fd3` (when >= 0) become the child's stdin and fd 3.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, const fs::path& cwd,
            const std::string& extra_env, int stdin_fd = -1, int fd3 = -1) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The environment, plus `extra_env`, built before the fork (nothing may allocate after it).
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  if (!extra_env.empty()) envp.push_back(const_cast<char*>(extra_env.c_str()));
  envp.push_back(nullptr);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls until exec.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);      // ignored in serve (a dead worker's pipe), not here
    if (::getppid() != parent) ::_exit(127);  // the parent died before the line above
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (stdin_fd >= 0) ::dup2(stdin_fd, 0);
    // dup2 onto itself would keep close-on-exec (a serve started with fd 0 closed gets its pipe
    // there).
    if (stdin_fd == 0) ::fcntl(0, F_SETFD, 0);
    if (fd3 == 3) ::fcntl(3, F_SETFD, 0);
    if (fd3 >= 0 && fd3 != 3) ::dup2(fd3, 3);
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

}  // namespace

fs::path run_dir(const fs::path& store_dir, const std::string& id) {
  return store_dir / "runs" / id;
}

// A slot's `mmhost backtest-worker` (app/backtest_worker.hpp), kept between its backtests.
struct JobRunner::Warm {
  pid_t pid = -1;
  int pidfd = -1;
  int jobs = -1;     // we write job lines
  int replies = -1;  // it writes exit codes
  std::string pending;

  bool alive() const { return pid > 0; }
  // Stopped and reaped (it has no run of its own to finish).
  void end() {
    if (pid > 0) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    pid = -1;
    for (int* fd : {&pidfd, &jobs, &replies}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
    pending.clear();
  }
  ~Warm() { end(); }
};

namespace {

// The pidfd of `pid`, or -1 (polling then falls back to a sleep).
int open_pidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

}  // namespace

JobRunner::JobRunner(store::RunStore& store, RunnerOptions options)
    : store_(store), options_(std::move(options)) {}

JobRunner::~JobRunner() {
  stop();
}

void JobRunner::start() {
  // A backtest worker that died leaves a pipe whose write must fail (EPIPE), not end this
  // process; children get the default back (spawn).
  ::signal(SIGPIPE, SIG_IGN);
  stopping_ = false;
  for (int i = 0; i < options_.slots; ++i) threads_.emplace_back([this, i] { slot_loop(i); });
}

void JobRunner::stop() {
  stopping_ = true;
  for (std::thread& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void JobRunner::slot_loop(int slot) {
  Warm warm;  // ended with the slot
  int64_t last_reclaim = 0;
  while (!stopping_) {
    try {
      if (slot == 0 && now_ms() - last_reclaim >= 1000) {
        last_reclaim = now_ms();
        if (const int64_t n = store_.reclaim(last_reclaim, options_.silent_ms); n > 0)
          spdlog::warn("serve: {} run(s) of a silent worker taken back", n);
      }
      std::optional<store::RunRow> row = store_.claim(options_.worker_id, now_ms());
      if (!row) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      // Given back however run_one ends (/health shows busy slots).
      struct Busy {
        std::atomic<int>& n;
        explicit Busy(std::atomic<int>& count) : n(count) { ++n; }
        ~Busy() { --n; }
        Busy(const Busy&) = delete;
        Busy& operator=(const Busy&) = delete;
      } busy(busy_);
      run_one(*row, warm);
    } catch (const std::exception& e) {
      spdlog::error("serve: worker slot {}: {}", slot, e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

bool JobRunner::start_warm(Warm& warm, const fs::path& log) {
  int in[2], back[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return false;
  if (::pipe2(back, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return false;
  }
  warm.pid =
      spawn({options_.mmhost, "backtest-worker"}, log, options_.source_dir, "", in[0], back[1]);
  ::close(in[0]);
  ::close(back[1]);
  warm.jobs = in[1];
  warm.replies = back[0];
  if (warm.pid < 0) {
    warm.end();
    return false;
  }
  warm.pidfd = open_pidfd(warm.pid);
  return true;
}

void JobRunner::run_one(const store::RunRow& row, Warm& warm) {
  const fs::path dir = run_dir(options_.store_dir, row.id);
  fs::create_directories(dir);
  std::vector<std::string> argv = {options_.mmhost};
  for (const json& a : json::parse(row.argv_json)) argv.push_back(a.get<std::string>());
  if (row.kind != "fetch") {  // a fetch writes its candle file (named in its argv), no run files
    argv.push_back("--out");
    argv.push_back(dir.string());
  }
  const fs::path log = dir / "log.txt";
  spdlog::info("serve: run {} ({} {}) on {} (attempt {})", row.id, row.kind, row.name,
               options_.worker_id, row.attempts);
  const fs::path progress = dir / ".progress";  // not an artifact: names with a dot are not
  // A backtest goes to the slot's backtest worker (started on first use, its own start-up
  // output in this run's log); anything else is a process of its own.
  const bool use_warm = options_.warm_backtests && argv.size() > 1 && argv[1] == "backtest";
  pid_t pid = -1;
  int pidfd = -1;
  std::string job_line;
  int sends = 0;
  // A worker that died since its last job shows when the line cannot be written (EPIPE), or when
  // it ends without having taken the line (below): then once more with a new one.
  auto send_warm = [&] {
    pid = -1;
    for (; sends < 2 && pid < 0; ++sends) {
      if (!warm.alive() && !start_warm(warm, log)) break;
      if (::write(warm.jobs, job_line.data(), job_line.size()) !=
          static_cast<ssize_t>(job_line.size())) {
        warm.end();
        continue;
      }
      pid = warm.pid;
      pidfd = warm.pidfd;
    }
  };
  if (use_warm) {
    { std::ofstream truncate(log, std::ios::trunc); }
    const json job = {{"args", std::vector<std::string>(argv.begin() + 1, argv.end())},
                      {"log", log.string()},
                      {"progress", progress.string()}};
    job_line = job.dump() + "\n";
    send_warm();
  } else {
    pid = spawn(argv, log, options_.source_dir, "MMHOST_PROGRESS_FILE=" + progress.string());
    pidfd = pid > 0 ? open_pidfd(pid) : -1;
  }
  auto cannot_start = [&] {
    store_.finish(row.id, options_.worker_id, RunStatus::failed, "cannot start " + argv[0], "",
                  now_ms());
  };
  if (pid < 0) return cannot_start();
  int status = 0;       // from waitpid, when the process ended
  int reply_code = -1;  // the backtest worker's answer
  bool exited = false;
  bool taken = false;  // the backtest worker read the job line ("+")
  int64_t last_beat = now_ms(), kill_at = 0;
  bool cancelled = false, lost = false;
  // What the backtest worker wrote since (false at its end or when nothing is there).
  auto read_replies = [&] {
    char buf[64];
    const ssize_t n = ::read(warm.replies, buf, sizeof buf);
    if (n > 0) warm.pending.append(buf, static_cast<size_t>(n));
    return n > 0;
  };
  // The backtest worker's lines so far: "+" (taken), then the exit code.
  auto take_replies = [&] {
    size_t nl = 0;
    while (reply_code < 0 && (nl = warm.pending.find('\n')) != std::string::npos) {
      const std::string reply = warm.pending.substr(0, nl);
      warm.pending.erase(0, nl + 1);
      if (reply == "+")
        taken = true;
      else
        reply_code = std::atoi(reply.c_str());
    }
  };
  // Woken the moment the child exits (a pidfd is readable then) or the worker answers, else
  // every 50 ms to heartbeat and look for a cancel: a short job costs no polling delay.
  for (;;) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      if (use_warm) {  // what it wrote before it died
        pollfd r{warm.replies, POLLIN, 0};
        while (::poll(&r, 1, 0) == 1 && read_replies()) {
        }
        take_replies();
      }
      // Killed while idle, its death not seen before the line went into its pipe (a dying
      // process keeps its pipes open while its memory is torn down): the run never started.
      if (use_warm && !taken && !cancelled && !lost) {
        warm.pid = -1;
        warm.end();
        send_warm();
        if (pid > 0) continue;
        return cannot_start();
      }
      exited = true;
      break;
    }
    if (use_warm && reply_code < 0) {
      take_replies();
      if (reply_code >= 0) break;
    }
    pollfd p[2] = {{pidfd, POLLIN, 0}, {use_warm ? warm.replies : -1, POLLIN, 0}};
    if (pidfd >= 0 || use_warm)
      ::poll(p, 2, 50);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (use_warm && (p[1].revents & POLLIN) != 0) read_replies();
    const int64_t now = now_ms();
    if (kill_at != 0 && now >= kill_at) {
      ::kill(-pid, SIGKILL);
      kill_at = 0;
    }
    if (now - last_beat < 250) continue;
    last_beat = now;
    const bool mine =
        store_.heartbeat(row.id, options_.worker_id, now, read_progress(progress.string(), 0));
    const std::optional<store::RunRow> current = mine ? store_.get(row.id) : std::nullopt;
    const bool cancel = current && current->cancel_requested;
    if ((!mine || cancel || stopping_) && kill_at == 0 && !cancelled && !lost) {
      cancelled = cancel;
      lost = !mine || (stopping_ && !cancel);
      ::kill(-pid, SIGTERM);  // a backtest stops at once; a batch keeps what it finished
      kill_at = now + 1000;
    }
  }
  if (use_warm) {
    if (exited) {  // the worker died with this job: the next backtest starts another
      warm.pid = -1;
      warm.end();
    }
  } else {
    if (pidfd >= 0) ::close(pidfd);
    // Whatever the run started and left behind (a batch's workers when the batch itself stopped
    // first) goes with it: nothing of a finished run keeps running.
    ::kill(-pid, SIGKILL);
  }
  const int64_t end = now_ms();
  if (lost) {
    // Taken over: the new holder finishes it. This runner stops: back to the queue.
    if (stopping_) store_.release(row.id, options_.worker_id);
    return;
  }
  if (cancelled) {
    store_.finish(row.id, options_.worker_id, RunStatus::cancelled, "cancelled", "", end);
    return;
  }
  const bool ok =
      reply_code == 0 || (exited && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !use_warm);
  if (ok) {
    const fs::path summary = dir / "summary.json";
    store_.finish(row.id, options_.worker_id, RunStatus::done, "",
                  fs::exists(summary) ? read_text(summary) : "", end);
    return;
  }
  // Here the worker answered a failure, or the process ended without an answer.
  const std::string why = reply_code > 0 ? "exit code " + std::to_string(reply_code)
                          : WIFEXITED(status)
                              ? "exit code " + std::to_string(WEXITSTATUS(status))
                              : "killed by signal " + std::to_string(WTERMSIG(status));
  store_.finish(row.id, options_.worker_id, RunStatus::failed, why + ": " + log_tail(log), "", end);
}

}  // namespace mmh::api
