#include "batch/worker_pool.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <vector>

namespace mmh::batch {

namespace {

volatile sig_atomic_t g_stop = 0;

void on_stop_signal(int) {
  g_stop = 1;
}

bool write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// false on EOF or error before `n` bytes.
bool read_all(int fd, void* data, size_t n) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

struct Worker {
  pid_t pid = -1;
  int to = -1;    // job indices to the worker
  int from = -1;  // results from the worker
  bool busy = false;
  size_t job = 0;
};

[[noreturn]] void worker_main(int in, int out, const std::function<std::string(size_t)>& run) {
  // Ctrl-C reaches the whole process group: the parent decides, the worker only ends when told.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  uint64_t index = 0;
  while (read_all(in, &index, sizeof(index))) {
    const auto start = std::chrono::steady_clock::now();
    uint8_t ok = 1;
    std::string text;
    try {
      text = run(static_cast<size_t>(index));
    } catch (const std::exception& e) {
      ok = 0;
      text = e.what();
    } catch (...) {
      ok = 0;
      text = "unknown exception";
    }
    const double wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const uint64_t len = text.size();
    if (!write_all(out, &index, sizeof(index)) || !write_all(out, &ok, sizeof(ok)) ||
        !write_all(out, &wall_ms, sizeof(wall_ms)) || !write_all(out, &len, sizeof(len)) ||
        !write_all(out, text.data(), text.size()))
      break;
  }
  std::fflush(nullptr);
  _exit(0);  // no destructors or atexit handlers of the parent's objects (databases, files)
}

Worker spawn(const std::function<std::string(size_t)>& run, const std::vector<Worker>& others) {
  int to[2], from[2];
  if (pipe(to) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (pipe(from) != 0) {
    close(to[0]);
    close(to[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {to[0], to[1], from[0], from[1]}) close(fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    close(to[1]);
    close(from[0]);
    for (const Worker& w : others) {  // other workers' pipes are not this one's
      if (w.to >= 0) close(w.to);
      if (w.from >= 0) close(w.from);
    }
    worker_main(to[0], from[1], run);
  }
  close(to[0]);
  close(from[1]);
  Worker w;
  w.pid = pid;
  w.to = to[1];
  w.from = from[0];
  return w;
}

void retire(Worker& w, bool kill_it) {
  if (w.to >= 0) close(w.to);
  if (w.from >= 0) close(w.from);
  w.to = w.from = -1;
  if (w.pid > 0) {
    if (kill_it) kill(w.pid, SIGKILL);
    int status = 0;
    while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  w.pid = -1;
}

std::string death_reason(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) == pid && WIFSIGNALED(status))
    return "the worker process died running this backtest (signal " +
           std::to_string(WTERMSIG(status)) + ": " + strsignal(WTERMSIG(status)) + ")";
  return "the worker process ended while running this backtest";
}

}  // namespace

bool run_pool(size_t count, unsigned workers, const std::function<std::string(size_t)>& run,
              const std::function<void(size_t, const JobOutcome&)>& done) {
  if (count == 0) return true;
  workers = static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(workers, count)));
  g_stop = 0;
  struct sigaction stop_action {};
  stop_action.sa_handler = on_stop_signal;
  sigemptyset(&stop_action.sa_mask);
  struct sigaction old_int {
  }, old_term{}, old_pipe{};
  sigaction(SIGINT, &stop_action, &old_int);
  sigaction(SIGTERM, &stop_action, &old_term);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old_pipe);

  std::vector<Worker> pool;
  auto restore = [&](bool kill_workers) {
    for (Worker& w : pool) retire(w, kill_workers);
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    sigaction(SIGPIPE, &old_pipe, nullptr);
  };
  size_t next = 0, finished = 0;
  try {
    for (unsigned i = 0; i < workers; ++i) pool.push_back(spawn(run, pool));
    auto dispatch = [&](Worker& w) {
      if (next >= count || g_stop) return;
      const uint64_t index = next;
      if (!write_all(w.to, &index, sizeof(index))) return;  // found dead on its next read
      w.busy = true;
      w.job = next++;
    };
    for (Worker& w : pool) dispatch(w);
    std::vector<pollfd> fds;
    while (finished < count && !g_stop) {
      fds.clear();
      for (const Worker& w : pool) fds.push_back({w.from, POLLIN, 0});
      const int rc = poll(fds.data(), fds.size(), -1);
      if (rc < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      }
      for (size_t i = 0; i < pool.size() && !g_stop; ++i) {
        if (fds[i].revents == 0) continue;
        Worker& w = pool[i];
        uint64_t index = 0;
        uint8_t ok = 0;
        JobOutcome outcome;
        uint64_t len = 0;
        if (read_all(w.from, &index, sizeof(index)) && read_all(w.from, &ok, sizeof(ok)) &&
            read_all(w.from, &outcome.wall_ms, sizeof(outcome.wall_ms)) &&
            read_all(w.from, &len, sizeof(len))) {
          outcome.text.resize(len);
          if (read_all(w.from, outcome.text.data(), len)) {
            outcome.ok = ok != 0;
            w.busy = false;
            ++finished;
            done(static_cast<size_t>(index), outcome);
            dispatch(w);
            continue;
          }
        }
        // The worker died. Its job failed; a fresh worker takes its place.
        const bool had_job = w.busy;
        const size_t job = w.job;
        const std::string why = death_reason(w.pid);
        w.pid = -1;
        retire(w, false);
        if (had_job) {
          ++finished;
          done(job, JobOutcome{false, why, 0});
        }
        if (finished < count && next < count) {
          pool[i] = spawn(run, pool);
          dispatch(pool[i]);
        }
      }
      if (finished < count && next >= count) {
        bool any_busy = false;
        for (const Worker& w : pool) any_busy = any_busy || (w.busy && w.pid > 0);
        if (!any_busy) break;
      }
    }
  } catch (...) {
    restore(true);
    throw;
  }
  // Idle workers end when their job pipe closes; an interrupted batch kills the busy ones.
  const bool interrupted = g_stop != 0;
  restore(interrupted);
  return !interrupted;
}

}  // namespace mmh::batch
