#include "file_bytes.hpp"

#include "test_support.hpp"

#include <mmhost/sdk/plugin.hpp>

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <string>
#include <utility>
#include <vector>

using namespace mmh::replay;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {

std::string gzip(const std::string& text) {
  uLongf size = compressBound(static_cast<uLong>(text.size())) + 64;
  std::string out(size, '\0');
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string rows(int count) {
  std::string text = "ts_ms,open,high,low,close,volume\n";
  for (int i = 1; i <= count; ++i)
    text += std::to_string(i * 60000) + ",2500." + std::to_string(i % 97) + ",2501,2499,2500," +
            std::to_string(i % 13) + "." + std::to_string(i % 7) + "\n";
  return text;
}

std::string error_of(const std::string& path, const ReadLimits& limits = {}) {
  try {
    read_file_bytes(path, limits);
  } catch (const mmh::sdk::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("file bytes: plain and gzip read the same text, and gzip members in a row are one file") {
  TempDir dir;
  const std::string text = rows(3000);
  CHECK(read_file_bytes(write_file(dir.file("a.csv"), text)) == text);
  CHECK(read_file_bytes(write_file(dir.file("a.csv.gz"), gzip(text))) == text);
  // `cat a.gz b.gz > c.gz` is a valid gzip file of both texts.
  const std::string joined = gzip(text.substr(0, 1000)) + gzip(text.substr(1000));
  CHECK(read_file_bytes(write_file(dir.file("joined.gz"), joined)) == text);
}

TEST_CASE("file bytes: a truncated gzip file is an error naming the file, not a shorter text") {
  TempDir dir;
  const std::string packed = gzip(rows(3000));
  for (const size_t cut : {size_t{8}, size_t{100}, packed.size() / 2, packed.size() - 20}) {
    CAPTURE(cut);
    const std::string path =
        write_file(dir.file("cut.csv.gz"), packed.substr(0, packed.size() - cut));
    const std::string message = error_of(path);
    CHECK(message.find(path + ": truncated gzip data") == 0);
  }
}

TEST_CASE("file bytes: corrupt gzip data and bytes after the stream are refused") {
  TempDir dir;
  std::string packed = gzip(rows(3000));
  std::string flipped = packed;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
  CHECK(error_of(write_file(dir.file("flip.gz"), flipped)).find(": corrupt gzip data") !=
        std::string::npos);
  std::string crc = packed;
  crc[crc.size() - 6] = static_cast<char>(crc[crc.size() - 6] ^ 0x01);  // the CRC-32 trailer
  CHECK(error_of(write_file(dir.file("crc.gz"), crc))
            .find("corrupt gzip data: incorrect data check") != std::string::npos);
  CHECK(error_of(write_file(dir.file("tail.gz"), packed + "garbage"))
            .find("7 bytes after the end of the gzip data") != std::string::npos);
}

TEST_CASE("file bytes: a decompression bomb is refused by ratio and by absolute size") {
  TempDir dir;
  // 64 MiB of one byte packs into ~64 KiB (about 1000:1).
  const std::string bomb = gzip(std::string(size_t{64} << 20, '1'));
  const std::string path = write_file(dir.file("bomb.csv.gz"), bomb);
  const std::string message = error_of(path);
  CHECK(message.find(path + ": gzip data expands past ") == 0);
  CHECK(message.find("limits: 200x the ") != std::string::npos);
  CHECK(message.find("4096.0 MiB of text") != std::string::npos);
  CHECK(message.find("decompression bomb") != std::string::npos);
  // An ordinary file past an absolute limit is refused the same way.
  ReadLimits small;
  small.max_text_bytes = 100'000;
  const std::string text = rows(3000);  // ~115 KB
  const std::string gz = write_file(dir.file("big.csv.gz"), gzip(text));
  CHECK(error_of(gz, small).find("expands past 0.1 MiB") != std::string::npos);
  CHECK(error_of(write_file(dir.file("big.csv"), text), small).find("over the limit of 100000") !=
        std::string::npos);
}

namespace {

// decode_text's answer, or its error, through a GzipStream fed `piece` raw bytes at a time.
std::string fed_in_pieces(const std::string& raw, size_t piece, const ReadLimits& limits = {}) {
  std::string text;
  try {
    GzipStream gz("x.gz", raw.size(), limits, 4096);
    std::string left;
    for (size_t at = 0; at < raw.size(); at += piece) {
      left.append(raw.substr(at, piece));
      const size_t used = gz.feed(left, false, [&](std::string_view t) { text.append(t); });
      CHECK(left.size() - used <= 1);  // only a member's first byte waits
      left.erase(0, used);
    }
    gz.feed(left, true, [&](std::string_view t) { text.append(t); });
    CHECK(gz.text_bytes() == text.size());
  } catch (const mmh::sdk::Error& e) {
    return std::string("error: ") + e.what();
  }
  return text;
}

std::string decoded_whole(const std::string& raw, const ReadLimits& limits = {}) {
  try {
    return decode_text(raw, "x.gz", limits);
  } catch (const mmh::sdk::Error& e) {
    return std::string("error: ") + e.what();
  }
}

}  // namespace

TEST_CASE("file bytes: a gzip stream fed in pieces gives decode_text's text and errors") {
  const std::string text = rows(3000);
  const std::string packed = gzip(text);
  std::string flipped = packed;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
  ReadLimits small;
  small.max_text_bytes = 100'000;
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"one member", packed},
      {"three members",
       gzip(text.substr(0, 1000)) + gzip(text.substr(1000, 1)) + gzip(text.substr(1001))},
      {"an empty member between", gzip(text.substr(0, 5)) + gzip("") + gzip(text.substr(5))},
      {"truncated", packed.substr(0, packed.size() / 2)},
      {"truncated at a member's end", packed.substr(0, packed.size() - 1)},
      {"corrupt", flipped},
      {"one byte after", packed + "\x1f"},
      {"bytes after", packed + "garbage"},
      {"a bomb", gzip(std::string(size_t{4} << 20, '1'))},
  };
  for (const auto& input : inputs) {
    const std::string& name = input.first;  // not a binding: CAPTURE takes it in a lambda
    const std::string& raw = input.second;
    const std::string expected = decoded_whole(raw);
    const std::string expected_small = decoded_whole(raw, small);
    for (const size_t piece :
         {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{4096}, raw.size()}) {
      CAPTURE(name);
      CAPTURE(piece);
      CHECK(fed_in_pieces(raw, piece) == expected);
      CHECK(fed_in_pieces(raw, piece, small) == expected_small);
    }
  }
  CHECK(decoded_whole(inputs[1].second) == text);
  CHECK(decoded_whole(inputs[6].second).find("1 bytes after the end") != std::string::npos);
  CHECK(decoded_whole(inputs[8].second).find("decompression bomb") != std::string::npos);
}

TEST_CASE("file bytes: gzip_head is the start of the text, or empty for what does not decode") {
  const std::string text = rows(3000);
  CHECK(gzip_head(gzip(text), 1 << 20, 100) == text.substr(0, 100));
  const std::string part = gzip_head(gzip(text).substr(0, 500), 1 << 20, 1 << 16);
  CHECK(part.size() > 100);  // as much as 500 compressed bytes make
  CHECK(text.rfind(part, 0) == 0);
  CHECK(gzip_head("\x1f\x8bnot deflate at all", 20, 100).empty());
}

TEST_CASE("file bytes: FIFOs, devices and directories are refused without being opened") {
  TempDir dir;
  REQUIRE(::mkfifo(dir.file("fifo.csv").c_str(), 0600) == 0);
  CHECK(error_of(dir.file("fifo.csv")) == dir.file("fifo.csv") + ": a FIFO, not a regular file");
  CHECK(error_of("/dev/zero") == "/dev/zero: a character device, not a regular file");
  CHECK(error_of(dir.path().string()).find("a directory, not a regular file") != std::string::npos);
  CHECK(error_of(dir.file("missing.csv")).find("No such file or directory") != std::string::npos);
}
