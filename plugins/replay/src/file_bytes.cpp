#include "file_bytes.hpp"

#include <mmhost/sdk/plugin.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdio>

namespace mmh::replay {
namespace {

[[noreturn]] void fail_io(const std::string& path, const std::string& what) {
  throw sdk::Error(MMH_ERR_IO, path + ": " + what);
}

std::string mib(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

// Frees the inflate state on every way out.
struct Inflater {
  z_stream stream{};
  bool open = false;
  ~Inflater() {
    if (open) inflateEnd(&stream);
  }
};

}  // namespace

std::string read_raw_file(const std::string& path, uint64_t max_bytes) {
  try {
    return sdk::read_regular_file(path, max_bytes);
  } catch (const sdk::FileError& e) {
    throw sdk::Error(MMH_ERR_IO, e.what());
  }
}

bool is_gzip(std::string_view raw) {
  return raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f &&
         static_cast<unsigned char>(raw[1]) == 0x8b;
}

std::string decode_text(std::string raw, const std::string& path, const ReadLimits& limits) {
  if (!is_gzip(raw)) return raw;
  const uint64_t by_ratio =
      std::max<uint64_t>(limits.ratio_free_bytes, raw.size() * limits.max_gzip_ratio);
  const uint64_t allowed = std::min(limits.max_text_bytes, by_ratio);
  std::string text;
  // The last member's trailer holds its size mod 2^32: a good first guess for the text's size.
  if (raw.size() >= 18) {
    uint32_t isize = 0;
    for (size_t i = 0; i < 4; ++i)
      isize |= static_cast<uint32_t>(static_cast<unsigned char>(raw[raw.size() - 4 + i]))
               << (8 * i);
    text.reserve(std::min<uint64_t>(isize, allowed));
  }
  Inflater z;
  if (inflateInit2(&z.stream, 16 + MAX_WBITS) != Z_OK) fail_io(path, "cannot start gzip decoding");
  z.open = true;
  size_t in_at = 0;
  constexpr size_t kChunk = size_t{1} << 20;
  for (;;) {
    // Members follow one another (what `cat a.gz b.gz` makes); each one ends with Z_STREAM_END.
    Bytef* const in_start = reinterpret_cast<Bytef*>(raw.data() + in_at);
    z.stream.next_in = in_start;
    z.stream.avail_in = static_cast<uInt>(std::min<size_t>(raw.size() - in_at, UINT_MAX));
    const size_t out_at = text.size();
    const size_t room = static_cast<size_t>(std::min<uint64_t>(kChunk, allowed + 1 - out_at));
    text.resize(out_at + room);
    z.stream.next_out = reinterpret_cast<Bytef*>(text.data() + out_at);
    z.stream.avail_out = static_cast<uInt>(room);
    const int status = inflate(&z.stream, Z_NO_FLUSH);
    in_at += static_cast<size_t>(z.stream.next_in - in_start);
    text.resize(out_at + room - z.stream.avail_out);
    if (text.size() > allowed)
      fail_io(path, "gzip data expands past " + mib(allowed) +
                        " (limits: " + std::to_string(limits.max_gzip_ratio) + "x the " +
                        mib(raw.size()) + " compressed, and " + mib(limits.max_text_bytes) +
                        " of text); refused as a likely decompression bomb");
    if (status == Z_STREAM_END) {
      if (in_at == raw.size()) break;
      if (!is_gzip(std::string_view(raw).substr(in_at)))
        fail_io(path, std::to_string(raw.size() - in_at) +
                          " bytes after the end of the gzip data (not a gzip member)");
      inflateReset(&z.stream);
      continue;
    }
    if (status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_MEM_ERROR)
      fail_io(path, std::string("corrupt gzip data: ") +
                        (z.stream.msg != nullptr ? z.stream.msg : zError(status)));
    // Z_OK or Z_BUF_ERROR: more to do, unless the input is used up with the member unfinished.
    if (in_at == raw.size() && z.stream.avail_out != 0)
      fail_io(path, "truncated gzip data: the file ends inside a compressed stream (after " +
                        std::to_string(text.size()) + " bytes of text); `gzip -t` says the same");
  }
  return text;
}

std::string read_file_bytes(const std::string& path, const ReadLimits& limits) {
  return decode_text(read_raw_file(path, limits.max_text_bytes), path, limits);
}

}  // namespace mmh::replay
