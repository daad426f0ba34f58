// One wording for every parameter range error: "grid.levels must be in [1, 20], got 99".
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

namespace mmh::bos {

inline std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  return buf;
}

inline void check_range(const char* group, const char* name, double v, double lo, double hi) {
  if (!(v >= lo && v <= hi))  // also refuses NaN
    throw std::invalid_argument(std::string(group) + "." + name + " must be in [" +
                                format_number(lo) + ", " + format_number(hi) + "], got " +
                                format_number(v));
}

}  // namespace mmh::bos
