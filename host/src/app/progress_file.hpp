// The share of a long command done, for whoever started it: when MMHOST_PROGRESS_FILE names a
// file (a serve worker sets it for its child), the share (0..1) is written there, replaced
// atomically, at most five times a second. Nothing happens otherwise.
#pragma once

#include <chrono>
#include <string>

namespace mmh {

class ProgressFile {
 public:
  ProgressFile();  // reads MMHOST_PROGRESS_FILE
  bool active() const { return !path_.empty(); }
  void update(double share);

 private:
  std::string path_;
  std::chrono::steady_clock::time_point last_{};
};

// The share a ProgressFile wrote, or `fallback` when there is none (yet).
double read_progress(const std::string& path, double fallback);

}  // namespace mmh
