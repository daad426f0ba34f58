// One wording for every parameter range error: "grid.levels must be in [1, 20], got 99".
#pragma once

#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace mmh::bos {

inline std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  return buf;
}

// While one is alive on this thread, every check_range also records its range: the parameter
// catalog reads the ranges from the checks themselves, so the two never disagree.
struct RangeRecorder {
  std::map<std::string, std::pair<double, double>> ranges;  // "grid.levels" -> [lo, hi]
  RangeRecorder() { current() = this; }
  ~RangeRecorder() { current() = nullptr; }
  RangeRecorder(const RangeRecorder&) = delete;
  RangeRecorder& operator=(const RangeRecorder&) = delete;
  static RangeRecorder*& current() {
    static thread_local RangeRecorder* recorder = nullptr;
    return recorder;
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
