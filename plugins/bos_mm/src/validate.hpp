// One wording for every parameter range error: "grid.levels must be in [1, 20], got 99".
#pragma once

#include <atomic>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace mmh::bos {

inline std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  return buf;
}

// While one is alive, every check_range on its thread also records its range: the parameter
// catalog reads the ranges from the checks themselves, so the two never disagree. One process-wide
// slot tagged with the owning thread rather than a thread_local: a dlopen'ed library's dynamic TLS
// is allocated by glibc behind LeakSanitizer's back and, after dlclose, may be reported as a leak.
struct RangeRecorder {
  std::map<std::string, std::pair<double, double>> ranges;  // "grid.levels" -> [lo, hi]
  RangeRecorder() {
    slot().store(this);
    owner().store(std::this_thread::get_id());
  }
  ~RangeRecorder() {
    owner().store(std::thread::id{});
    slot().store(nullptr);
  }
  RangeRecorder(const RangeRecorder&) = delete;
  RangeRecorder& operator=(const RangeRecorder&) = delete;
  // The recorder of this thread, if one is alive (only its own thread ends it).
  static RangeRecorder* current() {
    return owner().load() == std::this_thread::get_id() ? slot().load() : nullptr;
  }

 private:
  static std::atomic<RangeRecorder*>& slot() {
    static std::atomic<RangeRecorder*> recorder{nullptr};
    return recorder;
  }
  static std::atomic<std::thread::id>& owner() {
    static std::atomic<std::thread::id> id{};
    return id;
  }
};

inline void check_range(const char* group, const char* name, double v, double lo, double hi) {
  if (RangeRecorder* r = RangeRecorder::current())
    r->ranges[std::string(group) + "." + name] = {lo, hi};
  if (!(v >= lo && v <= hi))  // also refuses NaN
    throw std::invalid_argument(std::string(group) + "." + name + " must be in [" +
                                format_number(lo) + ", " + format_number(hi) + "], got " +
                                format_number(v));
}

}  // namespace mmh::bos
