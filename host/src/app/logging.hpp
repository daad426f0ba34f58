// Process-wide logging setup (spdlog): text or JSON lines, to stderr and optionally a file.
#pragma once

#include <string>

namespace mmh {

struct LogSettings {
  std::string level = "info";   // trace|debug|info|warn|error
  std::string format = "text";  // text|json
  std::string file;             // also append here when set
};

// Throws std::invalid_argument for an unknown level or format.
void setup_logging(const LogSettings& settings);

}  // namespace mmh
