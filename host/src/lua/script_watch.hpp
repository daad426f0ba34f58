// Tells when a strategy script (or a module it requires) changed on disk, or SIGHUP arrived:
// the triggers of a hot reload. Non-blocking; polled at event boundaries.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace mmh {

class ScriptWatch {
 public:
  // Watches the directories of `files` (editors often replace a file by renaming a new one over
  // it) and reports changes to those file names only. Installs a SIGHUP handler.
  explicit ScriptWatch(const std::vector<std::string>& files);
  ~ScriptWatch();
  ScriptWatch(const ScriptWatch&) = delete;
  ScriptWatch& operator=(const ScriptWatch&) = delete;

  // Adds files (e.g. modules a reloaded script now requires).
  void watch(const std::vector<std::string>& files);
  // True once per burst of changes or SIGHUP since the last call.
  bool poll();

  // For tests and `kill -HUP`: what the signal handler does.
  static void request_reload();

 private:
  int fd_ = -1;
  std::set<std::string> files_;             // absolute paths
  std::map<int, std::string> directories_;  // watch descriptor (of fd_) -> directory
};

}  // namespace mmh
