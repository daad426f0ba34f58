// Whole-file reading for the replay connector: plain files and gzip (by magic bytes, not name).
#pragma once

#include <cstdint>
#include <string>

namespace mmh::replay {

// The file's bytes, decompressed when it is gzip. Throws mmh::sdk::Error(MMH_ERR_IO) naming the
// path.
std::string read_file_bytes(const std::string& path);

// Size and modification time of a file, for cache keys. Throws on a missing file.
struct FileStamp {
  uint64_t size_bytes = 0;
  int64_t mtime_ns = 0;
};
FileStamp stat_file(const std::string& path);

}  // namespace mmh::replay
