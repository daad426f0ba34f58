#include "series_loader.hpp"

#include "test_support.hpp"

#include <mmhost/sdk/hash.hpp>
#include <mmhost/sdk/plugin.hpp>

#include <doctest/doctest.h>
#include <zlib.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

using namespace mmh::replay;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {

const std::string kCsv =
    "ts_ms,open,high,low,close,volume\n60000,1,2,1,2,10\n120000,2,3,2,3,20\n240000,3,3,3,3,30\n";

std::string write_gzip(const std::string& path, const std::string& text) {
  gzFile gz = gzopen(path.c_str(), "wb");
  REQUIRE(gz != nullptr);
  REQUIRE(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())) ==
          static_cast<int>(text.size()));
  gzclose(gz);
  return path;
}

const mmh_candle& candle(const LoadedSeries& s, size_t i) {
  return *reinterpret_cast<const mmh_candle*>(static_cast<const char*>(s.records()) +
                                              i * s.record_size());
}

// A cache in `dir`; files from `stream_from_bytes` on get their entry built as they are read.
LoadOptions cached_in(const std::string& dir, uint64_t stream_from_bytes) {
  LoadOptions options;
  options.cache_dir = dir;
  options.stream_from_bytes = stream_from_bytes;
  return options;
}

// Every batch next_batch gives, as text: each one's kind and count, then each update's fields
// and levels (what the engine would see, pointers aside).
std::string book_batches(LoadedSeries& s) {
  std::string out;
  mmh_batch b{};
  while (s.next_batch(b)) {
    out += "batch " + std::to_string(b.kind) + " x" + std::to_string(b.count) + "\n";
    REQUIRE(b.record_size == sizeof(mmh_book_update));
    const auto* u = static_cast<const mmh_book_update*>(b.records);
    for (size_t i = 0; i < b.count; ++i) {
      out += std::to_string(u[i].ts_ns) + " " + std::to_string(u[i].update_id) + " " +
             std::to_string(u[i].symbol_id) + " " + std::to_string(u[i].bid_count) + "/" +
             std::to_string(u[i].ask_count) + ":";
      for (uint32_t k = 0; k < u[i].bid_count; ++k)
        out += " b" + std::to_string(u[i].bids[k].price_e8) + "@" +
               std::to_string(u[i].bids[k].qty_e8);
      for (uint32_t k = 0; k < u[i].ask_count; ++k)
        out += " a" + std::to_string(u[i].asks[k].price_e8) + "@" +
               std::to_string(u[i].asks[k].qty_e8);
      out += "\n";
    }
  }
  return out;
}

std::string load_error(const std::string& path, const LoadOptions& options) {
  try {
    load_series(path, options);
  } catch (const mmh::sdk::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("load_series builds the cache on first load and maps it afterwards") {
  TempDir dir;
  const std::string csv = write_file(dir.file("eth.csv"), kCsv);
  LoadOptions options;
  options.cache_dir = dir.file("cache");

  auto first = load_series(csv, options);
  CHECK_FALSE(first->from_cache());
  CHECK(first->cache_note() == "no cache entry yet");
  REQUIRE(first->count() == 3);
  CHECK(first->gaps().gap_count == 1);
  CHECK(std::filesystem::exists(first->cache_path()));
  // The cache lives in the cache dir, never next to the (possibly read-only) input.
  CHECK(first->cache_path().rfind(options.cache_dir, 0) == 0);

  auto second = load_series(csv, options);
  CHECK(second->from_cache());
  REQUIRE(second->count() == 3);
  CHECK(second->gaps().gap_count == 1);
  CHECK(second->gaps().missing_bars == 1);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(candle(*second, i).open_ts_ns == candle(*first, i).open_ts_ns);
    CHECK(candle(*second, i).close_e8 == candle(*first, i).close_e8);
    CHECK(candle(*second, i).volume_e8 == candle(*first, i).volume_e8);
  }
}

TEST_CASE("a stale cache entry (source changed) is rebuilt, never trusted") {
  TempDir dir;
  const std::string csv = write_file(dir.file("eth.csv"), kCsv);
  LoadOptions options;
  options.cache_dir = dir.file("cache");
  load_series(csv, options);
  // Same size and the same mtime (what `touch -r` leaves): only the content tells.
  const auto mtime = std::filesystem::last_write_time(csv);
  std::string changed = kCsv;
  changed.replace(changed.find("240000,3,3,3,3,30"), 17, "240000,3,4,3,4,30");
  write_file(csv, changed);
  std::filesystem::last_write_time(csv, mtime);
  auto reloaded = load_series(csv, options);
  CHECK_FALSE(reloaded->from_cache());
  CHECK(reloaded->cache_note() == "source changed since the cache was built; rebuilt");
  CHECK(candle(*reloaded, 2).close_e8 == 4 * MMH_E8);
}

TEST_CASE("a corrupt cache entry is detected by its hashes and rebuilt") {
  TempDir dir;
  const std::string csv = write_file(dir.file("eth.csv"), kCsv);
  LoadOptions options;
  options.cache_dir = dir.file("cache");
  const std::string cache = load_series(csv, options)->cache_path();

  SUBCASE("payload byte flipped") {
    std::string bytes = mmh::test::read_file(cache);
    bytes[bytes.size() - 20] = static_cast<char>(bytes[bytes.size() - 20] ^ 0x5a);
    write_file(cache, bytes);
    auto s = load_series(csv, options);
    CHECK_FALSE(s->from_cache());
    CHECK(s->cache_note() == "cache payload corrupt; rebuilt");
  }
  SUBCASE("header byte flipped") {
    std::string bytes = mmh::test::read_file(cache);
    bytes[20] = static_cast<char>(bytes[20] ^ 0x01);
    write_file(cache, bytes);
    auto s = load_series(csv, options);
    CHECK_FALSE(s->from_cache());
    CHECK(s->cache_note() == "cache header corrupt; rebuilt");
  }
  SUBCASE("another format version (its header laid out its own way)") {
    std::string bytes = mmh::test::read_file(cache);
    const uint32_t old_version = 3;
    std::memcpy(bytes.data() + 8, &old_version, sizeof(old_version));
    write_file(cache, bytes);
    auto s = load_series(csv, options);
    CHECK_FALSE(s->from_cache());
    CHECK(s->cache_note() == "cache format version 3 != 4; rebuilt");
  }
  SUBCASE("truncated") {
    write_file(cache, mmh::test::read_file(cache).substr(0, 100));
    auto s = load_series(csv, options);
    CHECK_FALSE(s->from_cache());
    CHECK(s->cache_note() == "cache entry truncated; rebuilt");
  }
  // After the rebuild the entry is good again.
  CHECK(load_series(csv, options)->from_cache());
}

TEST_CASE("a forged cache entry with valid hashes but impossible records is rebuilt") {
  TempDir dir;
  const std::string csv = write_file(dir.file("eth.csv"), kCsv);
  LoadOptions options;
  options.cache_dir = dir.file("cache");
  const std::string cache = load_series(csv, options)->cache_path();
  const std::string good = mmh::test::read_file(cache);
  // The header (series_loader.cpp): the payload's XXH3-64 at byte 96, the header's XXH3-64 of
  // bytes [0, 104) at 104; records from byte 128. Recomputing them on the good entry proves the
  // offsets before they are used to forge one.
  auto hash_at = [](const std::string& bytes, size_t at) {
    uint64_t v = 0;
    std::memcpy(&v, bytes.data() + at, sizeof(v));
    return v;
  };
  auto hash_of = [](const std::string& bytes, size_t from, size_t to) {
    return mmh::sdk::hash64(std::string_view(bytes).substr(from, to - from));
  };
  REQUIRE(hash_at(good, 96) == hash_of(good, 128, good.size()));
  REQUIRE(hash_at(good, 104) == hash_of(good, 0, 104));
  auto forge = [&](size_t record, size_t field_offset, int64_t value) {
    std::string bytes = good;
    std::memcpy(bytes.data() + 128 + record * sizeof(mmh_candle) + field_offset, &value,
                sizeof(value));
    const uint64_t payload = hash_of(bytes, 128, bytes.size());
    std::memcpy(bytes.data() + 96, &payload, sizeof(payload));
    const uint64_t header = hash_of(bytes, 0, 104);
    std::memcpy(bytes.data() + 104, &header, sizeof(header));
    write_file(cache, bytes);
    return load_series(csv, options);
  };
  auto absurd = forge(1, offsetof(mmh_candle, high_e8), INT64_MAX);
  CHECK_FALSE(absurd->from_cache());
  CHECK(absurd->cache_note() == "cache entry invalid (record 1: bad low/high); rebuilt");
  CHECK(candle(*absurd, 1).high_e8 == 3 * MMH_E8);
  auto negative = forge(0, offsetof(mmh_candle, volume_e8), -5);
  CHECK(negative->cache_note() == "cache entry invalid (record 0: negative volume); rebuilt");
  auto backwards = forge(2, offsetof(mmh_candle, open_ts_ns), 60'000'000'000);
  CHECK(backwards->cache_note() ==
        "cache entry invalid (record 2: time does not increase); rebuilt");
  CHECK(load_series(csv, options)->from_cache());  // the rebuilt entry serves again
}

TEST_CASE("a cache entry that is a FIFO is refused without blocking, and replaced") {
  TempDir dir;
  const std::string csv = write_file(dir.file("eth.csv"), kCsv);
  LoadOptions options;
  options.cache_dir = dir.file("cache");
  const std::string cache = load_series(csv, options)->cache_path();
  std::filesystem::remove(cache);
  REQUIRE(::mkfifo(cache.c_str(), 0600) == 0);
  auto s = load_series(csv, options);
  CHECK_FALSE(s->from_cache());
  CHECK(s->cache_note().find("a FIFO, not a regular file") != std::string::npos);
  CHECK(load_series(csv, options)->from_cache());
}

TEST_CASE("gzip input reads the same as plain input") {
  TempDir dir;
  const std::string gz = write_gzip(dir.file("eth.csv.gz"), kCsv);
  LoadOptions options;  // no cache
  auto s = load_series(gz, options);
  REQUIRE(s->count() == 3);
  CHECK(candle(*s, 1).open_e8 == 2 * MMH_E8);
}

TEST_CASE("an unwritable cache dir slows the next run down but does not fail this one") {
  TempDir dir;
  const std::string csv = write_file(dir.file("eth.csv"), kCsv);
  LoadOptions options;
  options.cache_dir = write_file(dir.file("not_a_dir"), "x");  // a file where a directory should be
  auto s = load_series(csv, options);
  CHECK(s->count() == 3);
  CHECK(s->cache_note().find("cache not written") != std::string::npos);
}

TEST_CASE("set_symbol_id: records read from the cache carry it, the cache file is untouched") {
  TempDir dir;
  const std::string csv = write_file(dir.file("eth.csv"), kCsv);
  LoadOptions options;
  options.cache_dir = dir.file("cache");
  auto parsed = load_series(csv, options);
  REQUIRE_FALSE(parsed->from_cache());
  auto s = load_series(csv, options);
  REQUIRE(s->from_cache());
  s->set_symbol_id(7);
  std::vector<char> scratch;
  const auto* read = static_cast<const mmh_candle*>(s->records_at(1, 2, scratch));
  CHECK(read[0].symbol_id == 7);
  CHECK(read[1].symbol_id == 7);
  CHECK(read[1].close_e8 == candle(*parsed, 2).close_e8);  // the same records, in order
  CHECK(read[0].open_ts_ns == candle(*parsed, 1).open_ts_ns);
  CHECK(candle(*s, 0).symbol_id != 7);  // the mapping itself is read-only
  parsed->set_symbol_id(9);             // a parsed series is rewritten in place
  CHECK(candle(*parsed, 2).symbol_id == 9);
  CHECK(static_cast<const mmh_candle*>(parsed->records_at(2, 1, scratch))->symbol_id == 9);
  CHECK(load_series(csv, options)->from_cache());  // the file's CRC still holds
}

TEST_CASE("a missing input names the file") {
  LoadOptions options;
  try {
    load_series("/nonexistent/eth.csv", options);
    FAIL("expected an error");
  } catch (const mmh::sdk::Error& e) {
    CHECK(e.status() == MMH_ERR_IO);
    CHECK(std::string(e.what()) == "/nonexistent/eth.csv: No such file or directory");
  }
}

TEST_CASE("real data: the 90-day Binance 1m file has 130,708 candles and no gaps") {
  const std::string path =
      mmh::test::shared_data("candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv");
  REQUIRE_MESSAGE(std::filesystem::exists(path), "missing real data: ", path);
  LoadOptions options;
  auto s = load_series(path, options);
  CHECK(s->count() == 130708);
  CHECK(s->gaps().interval_ns == 60'000'000'000);
  CHECK(s->gaps().gap_count == 0);
}

TEST_CASE("real data: the 2021 file reports its two maintenance gaps") {
  const std::string path =
      mmh::test::shared_data("candles/binance_spot_ETHUSDT_1m_2021-04-02_2021-06-29.csv");
  REQUIRE_MESSAGE(std::filesystem::exists(path), "missing real data: ", path);
  auto s = load_series(path, LoadOptions{});
  CHECK(s->count() == 126626);
  CHECK(s->gaps().gap_count == 2);
  CHECK(s->gaps().missing_bars == 150 + 284);
  CHECK(s->gaps().largest_gap_ns == 284LL * 60'000'000'000);
}

TEST_CASE("real data: the Binance ETHUSDT depth stream loads as one snapshot and its deltas") {
  const std::string path = mmh::test::shared_data(
      "book/binance_spot_ETHUSDT_depth_2024-08-08T235414_2024-08-09T000504.csv.gz");
  REQUIRE_MESSAGE(std::filesystem::exists(path), "missing real data: ", path);
  TempDir dir;
  LoadOptions options;
  options.cache_dir = dir.path();
  options.stream_from_bytes = UINT64_MAX;  // parsed whole: records() holds them all
  auto s = load_series(path, options);
  CHECK_FALSE(s->streamed());
  REQUIRE(s->count() == 1 + 6468);  // the data README's count of diffs after the snapshot
  CHECK(s->kind() == MMH_EVENT_BOOK_DELTA);
  CHECK(s->kind_of(0) == MMH_EVENT_BOOK_SNAPSHOT);
  CHECK(s->kind_of(1) == MMH_EVENT_BOOK_DELTA);
  const auto* u = static_cast<const mmh_book_update*>(s->records());
  CHECK(u[0].update_id == 35346513512ull);
  CHECK(u[0].bid_count + u[0].ask_count == 2000);
  // The snapshot lands just before the first delta on the exchange clock (~1.27 s ahead).
  CHECK(u[0].ts_ns <= u[1].ts_ns);
  CHECK(u[1].ts_ns - u[0].ts_ns < 1'000'000'000);
  CHECK(s->cache_note() == "book streams are parsed each time (not cached)");
  s->set_symbol_id(7);
  CHECK(u[10].symbol_id == 7);

  // Its 23 MB of text are past the default threshold: checked, then read as the run goes, the
  // same records.
  auto streamed = load_series(path, LoadOptions{});
  CHECK(streamed->streamed());
  CHECK(streamed->records() == nullptr);
  CHECK(streamed->count() == s->count());
  CHECK(streamed->first_ts_ns() == u[0].ts_ns);
  CHECK(streamed->last_ts_ns() == s->last_ts_ns());
  CHECK(streamed->cache_note() == "book streams are read as the run goes (not cached)");
  streamed->set_symbol_id(7);
  auto whole = load_series(path, options);
  whole->set_symbol_id(7);
  CHECK(book_batches(*streamed) == book_batches(*whole));
}

TEST_CASE(
    "a long candle file's cache entry is built as it is read: the same entry, the same errors") {
  TempDir dir;
  // Rows past the reader's 1 MiB block, so lines are cut between blocks; a gap; CRLF.
  std::string text = "# generated\r\nts_ms,open,high,low,close,volume\r\n";
  for (int64_t i = 1; i <= 40000; ++i)
    if (i != 777)
      text += std::to_string(i * 60000) + ",1." + std::to_string(i % 97) + ",2,1,1.5," +
              std::to_string(i) + "\r\n";
  REQUIRE(text.size() > (size_t{1} << 20));
  const std::string csv = write_file(dir.file("long.csv"), text);
  const LoadOptions whole = cached_in(dir.file("whole"), UINT64_MAX);
  const LoadOptions streamed = cached_in(dir.file("streamed"), 0);

  auto a = load_series(csv, whole);
  auto b = load_series(csv, streamed);
  CHECK_FALSE(a->from_cache());
  CHECK(b->from_cache());  // built, then mapped
  CHECK(b->cache_note() == "no cache entry yet");
  REQUIRE(b->count() == 39999);
  CHECK(b->gaps().gap_count == 1);
  CHECK(b->gaps().missing_bars == 1);
  CHECK(candle(*b, 39998).volume_e8 == 40000 * MMH_E8);
  // Byte for byte the entry the whole-file parse writes.
  CHECK(mmh::test::read_file(a->cache_path()) == mmh::test::read_file(b->cache_path()));
  CHECK(load_series(csv, streamed)->from_cache());

  // A bad row far in, and a step off the interval before it: the row's error, as parsed whole.
  std::string bad = text;
  bad.replace(bad.find("\r\n120000,"), 2, "\r\n90000,1,2,1,1.5,1\r\n");
  bad.replace(bad.find("\r\n2000040000,") + 2, 10, "2000040000,1,1,2");
  const std::string bad_csv = write_file(dir.file("bad.csv"), bad);
  auto error_of = [&](const LoadOptions& options) { return load_error(bad_csv, options); };
  const std::string expected = error_of(whole);
  CHECK(expected.find("bad.csv:") != std::string::npos);
  CHECK(error_of(streamed) == expected);
  CHECK_FALSE(std::filesystem::exists(load_series(csv, whole)->cache_path() + ".tmp"));

  // Gzip text too: the same entry (but for the source's size and hash), the same errors, a
  // decoding error before a row's.
  const std::string gz_csv = write_gzip(dir.file("long.csv.gz"), text);
  auto gz_whole = load_series(gz_csv, cached_in(dir.file("gz_whole"), UINT64_MAX));
  auto gz = load_series(gz_csv, cached_in(dir.file("gz"), 0));
  CHECK_FALSE(gz_whole->from_cache());
  CHECK(gz->from_cache());
  CHECK(gz->count() == 39999);
  CHECK(mmh::test::read_file(gz_whole->cache_path()) == mmh::test::read_file(gz->cache_path()));
  // The records (from byte 128 on) are the plain file's; only the header names another source.
  CHECK(mmh::test::read_file(gz->cache_path()).substr(128) ==
        mmh::test::read_file(a->cache_path()).substr(128));
  const std::string bad_gz = write_gzip(dir.file("bad.csv.gz"), bad);
  CHECK(load_error(bad_gz, cached_in(dir.file("gz_bad"), 0)) ==
        load_error(bad_gz, cached_in(dir.file("gz_bad_whole"), UINT64_MAX)));
  CHECK(load_error(bad_gz, cached_in(dir.file("gz_bad"), 0)).find("bad.csv.gz:") !=
        std::string::npos);
  const std::string packed = mmh::test::read_file(bad_gz);
  const std::string cut_gz =
      write_file(dir.file("cut.csv.gz"), packed.substr(0, packed.size() - 9));
  const std::string cut_error = load_error(cut_gz, cached_in(dir.file("gz_cut"), 0));
  CHECK(cut_error.find("truncated gzip data") != std::string::npos);
  CHECK(cut_error == load_error(cut_gz, cached_in(dir.file("gz_cut_whole"), UINT64_MAX)));

  // An unwritable cache dir, or none: the same entry in a temporary directory, mapped, its name
  // gone at once; the run gets every candle and the file is still not held whole.
  const std::string tmp = dir.file("tmp");
  std::filesystem::create_directory(tmp);
  const char* tmpdir_before = std::getenv("TMPDIR");
  const std::string kept_tmpdir = tmpdir_before != nullptr ? tmpdir_before : "";
  REQUIRE(::setenv("TMPDIR", tmp.c_str(), 1) == 0);
  auto s = load_series(csv, cached_in(write_file(dir.file("not_a_dir"), "x"), 0));
  CHECK(s->count() == 39999);
  CHECK(s->cache_note().find("cache not written") != std::string::npos);
  CHECK(s->cache_note().find("; read through a temporary entry") != std::string::npos);
  CHECK_FALSE(s->from_cache());  // nothing stays for the next run
  CHECK(s->records() != nullptr);
  auto none = load_series(csv, cached_in("", 0));
  CHECK(none->cache_note() == "read through a temporary entry");
  CHECK_FALSE(none->from_cache());
  CHECK(none->cache_path().empty());
  for (auto* t : {s.get(), none.get(), gz.get()})
    for (const size_t i : {size_t{0}, size_t{777}, size_t{39998}})
      CHECK(std::memcmp(&candle(*t, i), &candle(*a, i), sizeof(mmh_candle)) == 0);
  // The gzip file too, and its errors as parsed whole.
  auto gz_none = load_series(gz_csv, cached_in("", 0));
  CHECK(gz_none->cache_note() == "read through a temporary entry");
  CHECK(load_error(bad_gz, cached_in("", 0)) == load_error(bad_gz, cached_in("", UINT64_MAX)));
  // Nothing is left in the temporary directory.
  CHECK(std::filesystem::is_empty(tmp));
  if (tmpdir_before != nullptr)
    ::setenv("TMPDIR", kept_tmpdir.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
}

TEST_CASE("a long trade tape's cache entry is built as it is read, the same as parsed whole") {
  TempDir dir;
  std::string text = "ts_ms,price,qty,side\n";
  for (int64_t i = 0; i < 60000; ++i)
    text += std::to_string(1'700'000'000'000 + i / 3) + ",2500." + std::to_string(i % 100) +
            ",0.0" + std::to_string(1 + i % 9) + (i % 2 != 0 ? ",buy\n" : ",sell\n");
  REQUIRE(text.size() > (size_t{1} << 20));
  const std::string csv = write_file(dir.file("tape.csv"), text);
  const LoadOptions whole = cached_in(dir.file("whole"), UINT64_MAX);
  const LoadOptions streamed = cached_in(dir.file("streamed"), 0);
  auto a = load_series(csv, whole);
  auto b = load_series(csv, streamed);
  CHECK_FALSE(a->from_cache());
  CHECK(b->from_cache());
  CHECK(b->kind() == MMH_EVENT_TRADE);
  CHECK(b->count() == 60000);
  CHECK(mmh::test::read_file(a->cache_path()) == mmh::test::read_file(b->cache_path()));

  // A trade that goes back in time deep in the tape: the whole parse's error.
  std::string bad = text;
  bad.replace(bad.find("\n1700000015000,") + 1, 13, "1700000014000");
  const std::string bad_csv = write_file(dir.file("bad.csv"), bad);
  auto error_of = [&](const LoadOptions& options) { return load_error(bad_csv, options); };
  CHECK(error_of(whole).find("goes back from the previous row's") != std::string::npos);
  CHECK(error_of(streamed) == error_of(whole));
}

TEST_CASE("a long book stream is checked whole, then read as the run goes: the same records") {
  TempDir dir;
  // Past the reader's 1 MiB block and the 4,096-update slice: a snapshot, deltas (one older than
  // it, dropped), a second snapshot whose time waits for the next delta, CRLF, a comment.
  std::string text =
      "# generated\r\nlocal_ts_ns,exch_ts_ms,kind,side,price,qty,first_update_id,"
      "last_update_id\r\n";
  int64_t id = 1000;
  auto snapshot = [&](int64_t local_ns) {
    for (int k = 0; k < 3; ++k)
      text += std::to_string(local_ns) + ",0,S,b,10" + std::to_string(k) + ".5,1.25," +
              std::to_string(id) + "," + std::to_string(id) + "\r\n";
    text += std::to_string(local_ns) + ",0,S,a,200,2," + std::to_string(id) + "," +
            std::to_string(id) + "\r\n";
  };
  snapshot(1'700'000'000'000'000'000);
  text += "1700000000000000000,1699999999990,D,b,101,3,990,999\r\n";  // before the snapshot
  for (int64_t m = 1; m <= 15000; ++m) {
    if (m == 10000) {
      id += 10;  // a fresh snapshot resyncs past a gap
      snapshot(1'700'000'000'000'000'000 + m * 1'000'000);
    }
    const std::string ids = std::to_string(id + 1) + "," + std::to_string(id + 2);
    id += 2;
    const std::string t = std::to_string(1'700'000'000'000'000'000 + m * 1'000'000) + "," +
                          std::to_string(1'700'000'000'000 + m / 3) + ",D,";
    text += t + "b,10" + std::to_string(m % 7) + ".5," + std::to_string(m % 5) + "," + ids + "\r\n";
    if (m % 2 == 0) text += t + "a,20" + std::to_string(m % 3) + ",1.5," + ids + "\r\n";
  }
  REQUIRE(text.size() > (size_t{1} << 20));
  const std::string csv = write_file(dir.file("depth.csv"), text);
  LoadOptions whole;
  whole.stream_from_bytes = UINT64_MAX;
  LoadOptions streamed;
  streamed.stream_from_bytes = 0;
  streamed.cache_dir = dir.file("cache");  // not used for books

  auto a = load_series(csv, whole);
  auto b = load_series(csv, streamed);
  CHECK_FALSE(a->streamed());
  CHECK(b->streamed());
  CHECK(b->count() == a->count());
  CHECK(a->count() == 1 + 9999 + 1 + 5001);
  CHECK(b->first_ts_ns() == a->first_ts_ns());
  CHECK(b->last_ts_ns() == a->last_ts_ns());
  a->set_symbol_id(3);
  b->set_symbol_id(3);
  const std::string expected = book_batches(*a);
  CHECK(expected.find("batch " + std::to_string(MMH_EVENT_BOOK_SNAPSHOT) + " x1") !=
        std::string::npos);
  CHECK(book_batches(*b) == expected);
  mmh_batch after{};
  CHECK_FALSE(b->next_batch(after));  // done stays done
  // Gzip the same.
  const std::string gz = write_gzip(dir.file("depth.csv.gz"), text);
  auto c = load_series(gz, streamed);
  CHECK(c->streamed());
  c->set_symbol_id(3);
  CHECK(book_batches(*c) == expected);

  // Errors: a gap deep in the stream, as the whole parse says it, plain and gzip; a gzip file's
  // truncation before any row's error.
  std::string bad = text;
  const size_t at = bad.find(",8001,8002\r\n");
  REQUIRE(at != std::string::npos);
  bad.replace(at, 10, ",8001,8003");
  const std::string bad_csv = write_file(dir.file("bad.csv"), bad);
  const std::string expected_error = load_error(bad_csv, whole);
  CHECK(expected_error.find("update ids jump") != std::string::npos);
  CHECK(load_error(bad_csv, streamed) == expected_error);
  const std::string bad_gz = write_gzip(dir.file("bad.csv.gz"), bad);
  CHECK(load_error(bad_gz, streamed) == load_error(bad_gz, whole));
  const std::string packed = mmh::test::read_file(bad_gz);
  const std::string cut = write_file(dir.file("cut.csv.gz"), packed.substr(0, packed.size() - 9));
  CHECK(load_error(cut, streamed).find("truncated gzip data") != std::string::npos);
  CHECK(load_error(cut, streamed) == load_error(cut, whole));
}
