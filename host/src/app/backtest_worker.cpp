#include "app/backtest_worker.hpp"

#include "app/backtest_cli.hpp"
#include "app/cli.hpp"
#include "app/host_context.hpp"
#include "batch/batch_runner.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <list>
#include <string>
#include <vector>

namespace mmh {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The candle files of recent jobs, newest first: a sweep reads one file many times.
class CandleCache {
 public:
  // The file's candles, or null when it holds something else (a trade tape: the backtest builds
  // its bars itself) or cannot be read (the backtest then says why).
  std::shared_ptr<const batch::CandleSet> get(HostContext& host, const std::string& file) {
    std::error_code ec;
    const std::string stamp =
        std::to_string(fs::file_size(file, ec)) + "/" +
        std::to_string(fs::last_write_time(file, ec).time_since_epoch().count());
    if (ec) return nullptr;
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->file == file && it->stamp == stamp) {
        entries_.splice(entries_.begin(), entries_, it);
        return it->candles;
      }
    std::shared_ptr<const batch::CandleSet> candles;
    try {
      candles = batch::load_candles(host, file);
    } catch (const std::exception&) {
      candles = nullptr;
    }
    entries_.push_front({file, stamp, candles});
    if (entries_.size() > 2) entries_.pop_back();
    return candles;
  }

 private:
  struct Entry {
    std::string file, stamp;
    std::shared_ptr<const batch::CandleSet> candles;
  };
  std::list<Entry> entries_;
};

// stdout and stderr appended to `log` from here on.
bool redirect_output(const std::string& log) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(stdout);
  std::fflush(stderr);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  ::close(fd);
  return true;
}

int run_job(HostContext& host, CandleCache& cache, const json& job) {
  std::vector<std::string> args = {"mmhost"};
  for (const json& a : job.at("args")) args.push_back(a.get<std::string>());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  CLI::App app{"mmhost"};
  app.require_subcommand(1);
  BacktestOptions bt;
  bool no_progress = false;
  add_backtest_command(app, bt, no_progress);
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    std::cerr << "mmhost: " << e.what() << "\n";
    return 2;
  }
  bt.progress = !no_progress;
  try {
    const std::shared_ptr<const batch::CandleSet> set = cache.get(host, bt.cache);
    InMemoryCandles candles;
    if (set) candles = {&set->bars, set->interval_ns, set->file, set->instrument};
    return run_backtest(host, bt, std::cout, set ? &candles : nullptr);
  } catch (...) {
    return report_command_error(std::cerr);
  }
}

}  // namespace

int run_backtest_worker(HostContext& host, int reply_fd) {
  CandleCache cache;
  // The worker's own stdout and stderr, given back after each job: what it says between jobs and
  // at exit (a sanitizer's report included) must not land in the last job's log.
  const int own_out = ::fcntl(1, F_DUPFD_CLOEXEC, 0);
  const int own_err = ::fcntl(2, F_DUPFD_CLOEXEC, 0);
  auto restore_output = [&] {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(stdout);
    std::fflush(stderr);
    if (own_out >= 0) ::dup2(own_out, 1);
    if (own_err >= 0) ::dup2(own_err, 2);
  };
  std::string line;
  while (std::getline(std::cin, line)) {
    // "+": the job is taken. A worker that dies before saying so never started it, and serve
    // gives it to a new worker instead of failing the run.
    if (::write(reply_fd, "+\n", 2) != 2) return 1;  // the slot is gone
    int code = 2;
    const json job = json::parse(line, nullptr, false);
    if (job.is_object() && job.contains("args") && job["args"].is_array() &&
        redirect_output(job.value("log", "/dev/null"))) {
      const std::string progress = job.value("progress", "");
      if (progress.empty())
        ::unsetenv("MMHOST_PROGRESS_FILE");
      else
        ::setenv("MMHOST_PROGRESS_FILE", progress.c_str(), 1);
      try {
        code = run_job(host, cache, job);
      } catch (...) {
        code = report_command_error(std::cerr);
      }
      restore_output();
    } else {
      std::cerr << "mmhost backtest-worker: a job line is {\"args\": [...], \"log\": PATH}\n";
    }
    const std::string reply = std::to_string(code) + "\n";
    if (::write(reply_fd, reply.data(), reply.size()) != static_cast<ssize_t>(reply.size()))
      return 1;  // the slot is gone
  }
  return 0;
}

}  // namespace mmh
