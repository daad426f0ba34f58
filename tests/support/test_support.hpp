// Helpers shared by the tests: temporary directories, files, running the mmhost binary, and
// paths the build passes in (plugin dirs, ../shared/data).
#pragma once

#include <sys/wait.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

// Bybit spot ETHUSDT's trading rules as a strategy states them in its market table (a replay
// has no instrument of its own), for test strategies written inline: "market = { ..., "
// MMH_ETH_INSTRUMENT " }".
#define MMH_ETH_INSTRUMENT                                                               \
  "instrument = { tick_size = '0.01', lot_size = '0.00001', min_order_qty = '0.00062', " \
  "min_order_value = '1' }"

namespace mmh::test {

// Polls `pred` every 5 ms until it holds or `ms` have passed; returns its last value. A deadline
// for a condition, not a timing assertion.
template <typename Pred>
bool wait_for(Pred pred, int ms = 10000) {
  for (int i = 0; i < ms / 5; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// How many times longer a deadline for work the code under test does (a backtest, a sweep) is
// in this build: a sanitizer build runs that code several times slower.
#ifdef MMHOST_TEST_SANITIZED
inline constexpr int kBuildSlowdown = 6;
#else
inline constexpr int kBuildSlowdown = 1;
#endif

// Build-time paths (see tests/CMakeLists.txt).
inline std::string mmhost_binary() {
  return MMHOST_TEST_BINARY;
}
inline std::string test_plugin_dir() {
  return MMHOST_TEST_PLUGIN_DIR;
}
inline std::string test_plugin_dup_dir() {
  return MMHOST_TEST_PLUGIN_DUP_DIR;
}
inline std::string host_plugin_dir() {
  return MMHOST_TEST_HOST_PLUGIN_DIR;
}
inline std::string source_dir() {
  return MMHOST_TEST_SOURCE_DIR;
}
inline std::string shared_data(const std::string& relative) {
  return std::string(MMHOST_TEST_SHARED_DATA_DIR) + "/" + relative;
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("mmhost-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The header and first `rows` rows of a file in ../shared/data, copied into `dir`: a short real
// series. Throws when the shared data is missing.
inline std::string trimmed_shared_data(const TempDir& dir, const std::string& relative,
                                       size_t rows) {
  const std::string source = shared_data(relative);
  std::ifstream in(source);
  if (!in) throw std::runtime_error("missing real data: " + source);
  const std::string out_path = dir.file(std::filesystem::path(relative).filename().string());
  std::ofstream out(out_path);
  std::string line;
  for (size_t i = 0; i <= rows && std::getline(in, line); ++i) out << line << "\n";
  return out_path;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line, capturing both streams.
inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs mmhost with isolated plugin/cache settings (no user config is read).
inline CommandResult run_mmhost(const std::string& args, const std::string& env = "") {
  return run_command("cd " + source_dir() + " && env -u MMHOST_PLUGIN_PATH -u MMHOST_CONFIG " +
                     env + " " + mmhost_binary() + " " + args);
}

}  // namespace mmh::test
