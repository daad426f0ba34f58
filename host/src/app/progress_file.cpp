#include "app/progress_file.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace mmh {

ProgressFile::ProgressFile() {
  if (const char* p = std::getenv("MMHOST_PROGRESS_FILE"); p != nullptr) path_ = p;
}

void ProgressFile::update(double share) {
  if (path_.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  if (share < 1.0 && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    char text[32];
    std::snprintf(text, sizeof(text), "%.4f\n", share < 0 ? 0.0 : share > 1 ? 1.0 : share);
    out << text;
    if (!out) return;  // progress is a courtesy: never a reason to fail the run
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
}

double read_progress(const std::string& path, double fallback) {
  std::ifstream in(path);
  double share = 0;
  if (!(in >> share) || share < 0 || share > 1) return fallback;
  return share;
}

}  // namespace mmh
