#include "file_bytes.hpp"

#include <mmhost/sdk/plugin.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <utility>

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

// The text bytes a gzip file of `raw_size` bytes may expand to.
uint64_t allowed_text_bytes(uint64_t raw_size, const ReadLimits& limits) {
  return std::min(limits.max_text_bytes,
                  std::max<uint64_t>(limits.ratio_free_bytes, raw_size * limits.max_gzip_ratio));
}

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

uint32_t gzip_trailer_size(const unsigned char (&last4)[4]) {
  uint32_t size = 0;
  for (size_t i = 0; i < 4; ++i) size |= static_cast<uint32_t>(last4[i]) << (8 * i);
  return size;
}

struct GzipStream::Inflate {
  z_stream stream{};
  bool open = false;
  ~Inflate() {
    if (open) inflateEnd(&stream);
  }
};

GzipStream::GzipStream(std::string path, uint64_t raw_size, const ReadLimits& limits,
                       size_t text_block_bytes)
    : z_(std::make_unique<Inflate>()),
      path_(std::move(path)),
      raw_size_(raw_size),
      limits_(limits),
      allowed_(allowed_text_bytes(raw_size, limits)),
      block_(std::max<size_t>(text_block_bytes, 1)) {
  if (inflateInit2(&z_->stream, 16 + MAX_WBITS) != Z_OK)
    fail_io(path_, "cannot start gzip decoding");
  z_->open = true;
}

GzipStream::~GzipStream() = default;

size_t GzipStream::feed(std::string_view raw, bool last, const OnText& on_text) {
  z_stream& z = z_->stream;
  size_t in_at = 0;
  auto used = [&] {
    raw_at_ += in_at;
    return in_at;
  };
  for (;;) {
    if (between_members_) {
      // Members follow one another (what `cat a.gz b.gz` makes); anything else is refused.
      if (in_at == raw.size() && last) return used();
      if (raw.size() - in_at < 2 && !last) return used();  // the magic may span two feeds
      if (!is_gzip(raw.substr(in_at)))
        fail_io(path_, std::to_string(raw_size_ - raw_at_ - in_at) +
                           " bytes after the end of the gzip data (not a gzip member)");
      inflateReset(&z);
      between_members_ = false;
    }
    const auto* in_start = reinterpret_cast<const Bytef*>(raw.data() + in_at);
    z.next_in = const_cast<Bytef*>(in_start);
    z.avail_in = static_cast<uInt>(std::min<size_t>(raw.size() - in_at, UINT_MAX));
    const size_t room =
        static_cast<size_t>(std::min<uint64_t>(block_.size(), allowed_ + 1 - text_bytes_));
    z.next_out = reinterpret_cast<Bytef*>(block_.data());
    z.avail_out = static_cast<uInt>(room);
    const int status = inflate(&z, Z_NO_FLUSH);
    in_at += static_cast<size_t>(z.next_in - in_start);
    const size_t made = room - z.avail_out;
    text_bytes_ += made;
    if (text_bytes_ > allowed_)
      fail_io(path_, "gzip data expands past " + mib(allowed_) +
                         " (limits: " + std::to_string(limits_.max_gzip_ratio) + "x the " +
                         mib(raw_size_) + " compressed, and " + mib(limits_.max_text_bytes) +
                         " of text); refused as a likely decompression bomb");
    if (made > 0) on_text(std::string_view(block_.data(), made));
    if (status == Z_STREAM_END) {
      between_members_ = true;
      continue;
    }
    if (status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_MEM_ERROR)
      fail_io(path_,
              std::string("corrupt gzip data: ") + (z.msg != nullptr ? z.msg : zError(status)));
    // Z_OK or Z_BUF_ERROR: more to do, unless the input is used up with the member unfinished.
    if (in_at == raw.size() && z.avail_out != 0) {
      if (!last) return used();
      fail_io(path_, "truncated gzip data: the file ends inside a compressed stream (after " +
                         std::to_string(text_bytes_) + " bytes of text); `gzip -t` says the same");
    }
  }
}

std::string gzip_head(std::string_view raw_start, uint64_t raw_size, size_t max_bytes) {
  std::string head;
  try {
    GzipStream gz("", raw_size, ReadLimits{}, max_bytes);
    gz.feed(raw_start, false, [&](std::string_view text) {
      if (head.size() < max_bytes) head.append(text.substr(0, max_bytes - head.size()));
    });
  } catch (const sdk::Error&) {
    // The whole-file read says what is wrong with it.
  }
  return head;
}

std::string decode_text(std::string raw, const std::string& path, const ReadLimits& limits) {
  if (!is_gzip(raw)) return raw;
  std::string text;
  // The last member's trailer holds its size mod 2^32: a good first guess for the text's size.
  if (raw.size() >= 18) {
    unsigned char last4[4];
    std::memcpy(last4, raw.data() + raw.size() - 4, 4);
    text.reserve(
        std::min<uint64_t>(gzip_trailer_size(last4), allowed_text_bytes(raw.size(), limits)));
  }
  GzipStream gz(path, raw.size(), limits);
  gz.feed(raw, true, [&](std::string_view piece) { text.append(piece); });
  return text;
}

std::string read_file_bytes(const std::string& path, const ReadLimits& limits) {
  return decode_text(read_raw_file(path, limits.max_text_bytes), path, limits);
}

}  // namespace mmh::replay
