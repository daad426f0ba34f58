// Whole-file reading for the replay connector: plain files and gzip (by magic bytes, not name).
// Only regular files are opened (a FIFO or device named as data is refused, never waited on),
// and decompression is bounded: a gzip bomb is refused once it expands past a ratio of its
// compressed size or an absolute size, whichever comes first; both limits are in the message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mmh::replay {

struct ReadLimits {
  uint64_t max_text_bytes = uint64_t{4} << 30;  // a file's text, after decompression
  // Text bytes per compressed byte. Market data CSV compresses about 14:1 (the shared L2
  // files); deflate cannot exceed ~1032:1, which only runs of one byte reach.
  uint64_t max_gzip_ratio = 200;
  // Small files may expand past the ratio up to this much text (a header-only file is ~40:1).
  uint64_t ratio_free_bytes = uint64_t{1} << 20;
};

// The file's bytes as stored (compressed or not). Throws mmh::sdk::Error(MMH_ERR_IO) naming the
// path for anything but a readable regular file, or one larger than `max_bytes`.
std::string read_raw_file(const std::string& path,
                          uint64_t max_bytes = ReadLimits{}.max_text_bytes);

bool is_gzip(std::string_view raw);

// The text of a file's raw bytes: themselves, or every gzip member decompressed. A truncated
// or corrupt stream, trailing bytes, or expansion past the limits throw
// mmh::sdk::Error(MMH_ERR_IO) naming the path: nothing partial is returned.
std::string decode_text(std::string raw, const std::string& path, const ReadLimits& limits = {});

// read_raw_file + decode_text.
std::string read_file_bytes(const std::string& path, const ReadLimits& limits = {});

}  // namespace mmh::replay
