// Whole-file reading for the replay connector: plain files and gzip (by magic bytes, not name).
// Only regular files are opened (a FIFO or device named as data is refused, never waited on),
// and decompression is bounded: a gzip bomb is refused once it expands past a ratio of its
// compressed size or an absolute size, whichever comes first; both limits are in the message.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

// A gzip file's text size as its last member's trailer gives it (mod 2^32, and only that
// member's: a guess), from the file's last four bytes.
uint32_t gzip_trailer_size(const unsigned char (&last4)[4]);

// A gzip file's text as its raw bytes come, with decode_text's limits and errors (decode_text
// is one of these fed the whole file): a long file is decoded without being held.
class GzipStream {
 public:
  // `raw_size`: the whole file's size (the bomb limit is a ratio of it).
  GzipStream(std::string path, uint64_t raw_size, const ReadLimits& limits = {},
             size_t text_block_bytes = size_t{1} << 20);
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  using OnText = std::function<void(std::string_view)>;
  // Decodes `raw` as far as it can, each piece of text to `on_text`, and returns the bytes used:
  // the rest (at most one byte, between two members) must come again with what follows it.
  // `last`: nothing follows `raw` in the file, so the stream must end in it.
  size_t feed(std::string_view raw, bool last, const OnText& on_text);
  uint64_t text_bytes() const { return text_bytes_; }

 private:
  struct Inflate;
  std::unique_ptr<Inflate> z_;
  std::string path_;
  uint64_t raw_size_;
  ReadLimits limits_;
  uint64_t allowed_;         // text bytes the limits let this file have
  uint64_t raw_at_ = 0;      // raw bytes used so far
  uint64_t text_bytes_ = 0;  // text bytes made so far
  bool between_members_ = false;
  std::vector<char> block_;
};

// Up to `max_bytes` of a gzip file's text from its first raw bytes; "" when they do not decode.
std::string gzip_head(std::string_view raw_start, uint64_t raw_size, size_t max_bytes);

// The text of a file's raw bytes: themselves, or every gzip member decompressed. A truncated
// or corrupt stream, trailing bytes, or expansion past the limits throw
// mmh::sdk::Error(MMH_ERR_IO) naming the path: nothing partial is returned.
std::string decode_text(std::string raw, const std::string& path, const ReadLimits& limits = {});

// read_raw_file + decode_text.
std::string read_file_bytes(const std::string& path, const ReadLimits& limits = {});

}  // namespace mmh::replay
