#include "lua/script_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <system_error>

namespace mmh {
namespace {

std::atomic<bool> g_reload_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the SIGHUP handler stores a lock-free flag");

extern "C" void on_sighup(int) {
  g_reload_requested.store(true, std::memory_order_relaxed);
}

}  // namespace

ScriptWatch::ScriptWatch(const std::vector<std::string>& files) {
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
  struct sigaction action {};
  action.sa_handler = on_sighup;
  sigemptyset(&action.sa_mask);
  sigaction(SIGHUP, &action, nullptr);
  watch(files);
}

ScriptWatch::~ScriptWatch() {
  if (fd_ >= 0) close(fd_);
}

void ScriptWatch::watch(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    const std::filesystem::path path = std::filesystem::absolute(file).lexically_normal();
    files_.insert(path.string());
    const std::string dir = path.parent_path().string();
    // Whole writes only: a file closed after writing, or renamed into place.
    const int wd = inotify_add_watch(fd_, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
    if (wd < 0) throw std::system_error(errno, std::generic_category(), "inotify_add_watch " + dir);
    directories_[wd] = dir;
  }
}

bool ScriptWatch::poll() {
  bool changed = g_reload_requested.exchange(false, std::memory_order_relaxed);
  alignas(inotify_event) char buffer[4096];
  while (true) {
    const ssize_t n = read(fd_, buffer, sizeof(buffer));
    if (n <= 0) break;  // EAGAIN: nothing more queued
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->len == 0) continue;
      const auto dir = directories_.find(event->wd);
      if (dir == directories_.end()) continue;
      const std::string file = (std::filesystem::path(dir->second) / event->name).string();
      if (files_.count(file) != 0) changed = true;
    }
  }
  return changed;
}

void ScriptWatch::request_reload() {
  g_reload_requested.store(true, std::memory_order_relaxed);
}

}  // namespace mmh
