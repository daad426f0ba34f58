#include "series_loader.hpp"

#include "file_bytes.hpp"

#include <mmhost/sdk/plugin.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace mmh::replay {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'M', 'M', 'H', 'C', 'A', 'C', 'H', 'E'};
constexpr size_t kPayloadOffset = 128;  // header padded so records start cache-line aligned

struct CacheHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t header_size;
  uint32_t kind;
  uint32_t record_size;
  uint64_t record_count;
  uint64_t source_size;
  int64_t source_mtime_ns;
  uint64_t source_path_hash;
  int64_t declared_interval_ns;
  int64_t interval_ns;
  uint64_t gap_count;
  uint64_t missing_bars;
  int64_t largest_gap_ns;
  uint32_t payload_crc32;
  uint32_t header_crc32;  // CRC of every byte before this field
};
static_assert(sizeof(CacheHeader) <= kPayloadOffset, "cache header must fit before the payload");
static_assert(kPayloadOffset % alignof(mmh_candle) == 0 &&
              kPayloadOffset % alignof(mmh_trade) == 0);

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

uint32_t crc32_of(const void* data, size_t size) {
  return static_cast<uint32_t>(crc32_z(0L, static_cast<const Bytef*>(data), size));
}

uint32_t header_crc(const CacheHeader& h) {
  return crc32_of(&h, offsetof(CacheHeader, header_crc32));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, const void* data, size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sdk::Error(MMH_ERR_IO, path + ": " + std::strerror(errno));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

// Writes to a temporary file in the same directory, then renames: readers see all or nothing.
void write_cache(const std::string& path, CacheHeader header, const void* records) {
  fs::create_directories(fs::path(path).parent_path());
  const size_t payload = header.record_count * header.record_size;
  header.payload_crc32 = crc32_of(records, payload);
  header.header_crc32 = header_crc(header);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    Fd f;
    f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f.fd < 0) throw sdk::Error(MMH_ERR_IO, tmp + ": " + std::strerror(errno));
    char pad[kPayloadOffset] = {};
    std::memcpy(pad, &header, sizeof(header));
    write_all(f.fd, pad, sizeof(pad), tmp);
    write_all(f.fd, records, payload, tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw sdk::Error(MMH_ERR_IO, path + ": " + why);
  }
}

}  // namespace

LoadedSeries::~LoadedSeries() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

void LoadedSeries::set_symbol_id(uint32_t symbol_id) {
  char* p = static_cast<char*>(records_);
  const size_t offset = kind_ == MMH_EVENT_CANDLE  ? offsetof(mmh_candle, symbol_id)
                        : kind_ == MMH_EVENT_TRADE ? offsetof(mmh_trade, symbol_id)
                                                   : offsetof(mmh_book_update, symbol_id);
  for (size_t i = 0; i < count_; ++i)
    std::memcpy(p + i * record_size_ + offset, &symbol_id, sizeof(symbol_id));
}

std::string cache_file_for(const std::string& canonical_csv_path, const LoadOptions& options) {
  char name[32];
  const uint64_t h =
      fnv1a64(canonical_csv_path + "|" + std::to_string(options.declared_interval_ns));
  std::snprintf(name, sizeof(name), "%016llx.mmhc", static_cast<unsigned long long>(h));
  return (fs::path(options.cache_dir) / "replay" / name).string();
}

std::unique_ptr<LoadedSeries> load_series(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  const std::string canonical = fs::weakly_canonical(fs::path(path), ec).string();
  const std::string key_path = ec ? path : canonical;
  const FileStamp stamp = stat_file(path);
  auto series = std::make_unique<LoadedSeries>();

  std::string cache_path;
  if (!options.cache_dir.empty()) {
    cache_path = cache_file_for(key_path, options);
    series->cache_path_ = cache_path;
    // Try the cache: every field must match, both CRCs must hold.
    Fd f;
    f.fd = ::open(cache_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) {
      series->cache_note_ = "no cache entry yet";
    } else {
      struct stat st {};
      CacheHeader h{};
      std::string why;
      if (::fstat(f.fd, &st) != 0 || static_cast<size_t>(st.st_size) < kPayloadOffset ||
          ::pread(f.fd, &h, sizeof(h), 0) != static_cast<ssize_t>(sizeof(h))) {
        why = "cache entry truncated";
      } else if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0 ||
                 h.header_crc32 != header_crc(h)) {
        why = "cache header corrupt";
      } else if (h.format_version != kCacheFormatVersion) {
        why = "cache format version " + std::to_string(h.format_version) +
              " != " + std::to_string(kCacheFormatVersion);
      } else if (h.source_size != stamp.size_bytes || h.source_mtime_ns != stamp.mtime_ns) {
        why = "source changed since the cache was built";
      } else if (h.source_path_hash != fnv1a64(key_path) ||
                 h.declared_interval_ns != options.declared_interval_ns) {
        why = "cache entry belongs to another source";
      } else if ((h.kind == MMH_EVENT_CANDLE && h.record_size != sizeof(mmh_candle)) ||
                 (h.kind == MMH_EVENT_TRADE && h.record_size != sizeof(mmh_trade)) ||
                 (h.kind != MMH_EVENT_CANDLE && h.kind != MMH_EVENT_TRADE)) {
        why = "cache record layout differs from this build";
      } else if (static_cast<uint64_t>(st.st_size) !=
                 kPayloadOffset + h.record_count * h.record_size) {
        why = "cache entry has the wrong size";
      } else {
        const size_t map_size = static_cast<size_t>(st.st_size);
        // Private + writable so the symbol id can be set without touching the file.
        void* map = ::mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, f.fd, 0);
        if (map == MAP_FAILED) {
          why = std::string("mmap failed: ") + std::strerror(errno);
        } else {
          char* payload = static_cast<char*>(map) + kPayloadOffset;
          if (crc32_of(payload, h.record_count * h.record_size) != h.payload_crc32) {
            ::munmap(map, map_size);
            why = "cache payload corrupt";
          } else {
            series->map_ = map;
            series->map_size_ = map_size;
            series->kind_ = h.kind;
            series->records_ = payload;
            series->count_ = h.record_count;
            series->record_size_ = h.record_size;
            series->gaps_ = GapStats{h.interval_ns, h.gap_count, h.missing_bars, h.largest_gap_ns};
            return series;
          }
        }
      }
      series->cache_note_ = why + "; rebuilt";
    }
  }

  // Parse the CSV.
  const std::string bytes = read_file_bytes(path);
  CacheHeader h{};
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.format_version = kCacheFormatVersion;
  h.header_size = sizeof(CacheHeader);
  h.source_size = stamp.size_bytes;
  h.source_mtime_ns = stamp.mtime_ns;
  h.source_path_hash = fnv1a64(key_path);
  h.declared_interval_ns = options.declared_interval_ns;
  switch (detect_kind(bytes)) {
    case SeriesKind::candles: {
      CandleSeries parsed = parse_candle_csv(bytes, path, options.declared_interval_ns);
      series->candles_ = std::move(parsed.candles);
      series->gaps_ = parsed.gaps;
      series->kind_ = MMH_EVENT_CANDLE;
      series->records_ = series->candles_.data();
      series->count_ = series->candles_.size();
      series->record_size_ = sizeof(mmh_candle);
      break;
    }
    case SeriesKind::trades: {
      TradeSeries parsed = parse_trade_csv(bytes, path);
      series->trades_ = std::move(parsed.trades);
      series->kind_ = MMH_EVENT_TRADE;
      series->records_ = series->trades_.data();
      series->count_ = series->trades_.size();
      series->record_size_ = sizeof(mmh_trade);
      break;
    }
    case SeriesKind::depth: {
      series->book_ = parse_depth_csv(bytes, path);
      series->kind_ = MMH_EVENT_BOOK_DELTA;
      series->records_ = series->book_.updates.data();
      series->count_ = series->book_.updates.size();
      series->record_size_ = sizeof(mmh_book_update);
      series->cache_note_ = "book streams are parsed each time (not cached)";
      break;
    }
    case SeriesKind::unknown:
      // Let the candle parser produce the precise header error.
      parse_candle_csv(bytes, path, options.declared_interval_ns);
      throw sdk::Error(MMH_ERR_DATA, path + ": unknown format");
  }
  if (!cache_path.empty() && series->kind_ != MMH_EVENT_BOOK_DELTA) {
    h.kind = series->kind_;
    h.record_size = series->record_size_;
    h.record_count = series->count_;
    h.interval_ns = series->gaps_.interval_ns;
    h.gap_count = series->gaps_.gap_count;
    h.missing_bars = series->gaps_.missing_bars;
    h.largest_gap_ns = series->gaps_.largest_gap_ns;
    try {
      write_cache(cache_path, h, series->records_);
    } catch (const std::exception& e) {
      // A read-only or full cache directory slows the next run down; it must not fail this one.
      series->cache_note_ += std::string("; cache not written: ") + e.what();
    }
  }
  return series;
}

}  // namespace mmh::replay
