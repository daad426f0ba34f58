#include "file_bytes.hpp"

#include <mmhost/sdk/plugin.hpp>

#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace mmh::replay {
namespace {

[[noreturn]] void fail_io(const std::string& path, const std::string& what) {
  throw sdk::Error(MMH_ERR_IO, path + ": " + what);
}

std::string read_plain(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail_io(path, std::strerror(errno));
  std::string bytes;
  const FileStamp stamp = stat_file(path);
  bytes.resize(stamp.size_bytes);
  const size_t got = std::fread(bytes.data(), 1, bytes.size(), f.get());
  if (got != bytes.size()) fail_io(path, "short read");
  return bytes;
}

std::string read_gzip(const std::string& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) fail_io(path, "cannot open gzip stream");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> guard(gz, &gzclose);
  gzbuffer(gz, 1 << 17);
  std::string bytes;
  constexpr size_t kChunk = 1 << 20;
  for (;;) {
    const size_t old = bytes.size();
    bytes.resize(old + kChunk);
    const int n = gzread(gz, bytes.data() + old, static_cast<unsigned>(kChunk));
    if (n < 0) {
      int code = 0;
      fail_io(path, std::string("corrupt gzip data: ") + gzerror(gz, &code));
    }
    bytes.resize(old + static_cast<size_t>(n));
    if (n == 0) break;
  }
  return bytes;
}

}  // namespace

FileStamp stat_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_io(path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail_io(path, "not a regular file");
  FileStamp stamp;
  stamp.size_bytes = static_cast<uint64_t>(st.st_size);
  stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return stamp;
}

std::string read_file_bytes(const std::string& path) {
  unsigned char magic[2] = {0, 0};
  {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) fail_io(path, std::strerror(errno));
    if (std::fread(magic, 1, 2, f.get()) != 2) magic[0] = magic[1] = 0;
  }
  if (magic[0] == 0x1f && magic[1] == 0x8b) return read_gzip(path);
  return read_plain(path);
}

}  // namespace mmh::replay
