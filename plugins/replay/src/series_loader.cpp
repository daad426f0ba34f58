#include "series_loader.hpp"

#include "file_bytes.hpp"

#include <mmhost/sdk/hash.hpp>
#include <mmhost/sdk/plugin.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>

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
  uint64_t source_hash;  // XXH3-64 of the source file's bytes as stored
  uint64_t source_path_hash;
  int64_t declared_interval_ns;
  int64_t interval_ns;
  uint64_t gap_count;
  uint64_t missing_bars;
  int64_t largest_gap_ns;
  uint64_t payload_hash;  // XXH3-64 of the records
  uint64_t header_hash;   // XXH3-64 of every byte before this field
};
static_assert(sizeof(CacheHeader) <= kPayloadOffset, "cache header must fit before the payload");
static_assert(kPayloadOffset % alignof(mmh_candle) == 0 &&
              kPayloadOffset % alignof(mmh_trade) == 0);

uint64_t header_hash(const CacheHeader& h) {
  return sdk::hash64({reinterpret_cast<const char*>(&h), offsetof(CacheHeader, header_hash)});
}

// A temporary file in the entry's directory, renamed over the entry on commit: readers see all
// or nothing. Whatever sits at the entry's path (a FIFO, say) is removed first: the dir is ours.
void open_entry(std::optional<sdk::TempOutput>& out, const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) fs::remove(path, ec);
  out.emplace(path);
}

void write_cache(const std::string& path, CacheHeader header, const void* records) {
  const size_t payload = header.record_count * header.record_size;
  header.payload_hash = sdk::hash64({static_cast<const char*>(records), payload});
  header.header_hash = header_hash(header);
  std::optional<sdk::TempOutput> out;
  open_entry(out, path);
  char pad[kPayloadOffset] = {};
  std::memcpy(pad, &header, sizeof(header));
  out->write(pad, sizeof(pad));
  out->write(records, payload);
  out->commit();
}

}  // namespace

namespace {

void stamp_symbol_id(char* p, size_t count, uint32_t kind, size_t record_size, uint32_t id) {
  const size_t offset = kind == MMH_EVENT_CANDLE  ? offsetof(mmh_candle, symbol_id)
                        : kind == MMH_EVENT_TRADE ? offsetof(mmh_trade, symbol_id)
                                                  : offsetof(mmh_book_update, symbol_id);
  for (size_t i = 0; i < count; ++i) std::memcpy(p + i * record_size + offset, &id, sizeof(id));
}

// Gives the pages of [from, to) of a read-only private file mapping back to the kernel: they
// stay in the page cache, not in this process.
void drop_pages(void* map, size_t from, size_t to) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  from = (from + page - 1) / page * page;
  to = to / page * page;
  if (to > from) ::madvise(static_cast<char*>(map) + from, to - from, MADV_DONTNEED);
}

}  // namespace

void LoadedSeries::set_symbol_id(uint32_t symbol_id) {
  symbol_id_ = symbol_id;
  if (map_ == nullptr && records_ != nullptr)  // else stamped as read (a cache entry, a stream)
    stamp_symbol_id(static_cast<char*>(records_), count_, kind_, record_size_, symbol_id);
}

const void* LoadedSeries::records_at(size_t first, size_t count, std::vector<char>& scratch) {
  const char* from = static_cast<const char*>(records_) + first * record_size_;
  if (map_ == nullptr) return from;
  scratch.assign(from, from + count * record_size_);
  stamp_symbol_id(scratch.data(), count, kind_, record_size_, symbol_id_);
  const size_t end = static_cast<size_t>(from + count * record_size_ - static_cast<char*>(map_));
  if (end > dropped_until_) {
    drop_pages(map_, dropped_until_, end);
    dropped_until_ = end;
  }
  return scratch.data();
}

std::string cache_file_for(const std::string& canonical_csv_path, const LoadOptions& options) {
  char name[32];
  const uint64_t h =
      sdk::hash64(canonical_csv_path + "|" + std::to_string(options.declared_interval_ns));
  std::snprintf(name, sizeof(name), "%016llx.mmhc", static_cast<unsigned long long>(h));
  return (fs::path(options.cache_dir) / "replay" / name).string();
}

namespace {

constexpr size_t kCheckWindow = 16384;  // records checked before their pages are given back

void drop_pages_before(void* map, const char* at) {
  drop_pages(map, 0, static_cast<size_t>(at - static_cast<char*>(map)));
}

// The payload's hash against the header's, read in windows whose pages are given back as it
// goes: a long series is never all resident.
bool payload_intact(const CacheHeader& h, void* map, const char* payload) {
  sdk::Hash64 hash;
  for (size_t first = 0; first < h.record_count; first += kCheckWindow) {
    const size_t n = std::min<size_t>(kCheckWindow, h.record_count - first);
    const char* window = payload + first * h.record_size;
    hash.add(window, n * h.record_size);
    drop_pages_before(map, window);
  }
  return hash.value() == h.payload_hash;
}

// Why mapped records could not have come from parsing the source ("" when they could): a
// cache entry is trusted only as far as the parser would have gone. In windows, as above.
std::string records_problem(const CacheHeader& h, void* map, const char* payload) {
  if (h.record_count == 0) return "no records";
  GapStats gaps;
  gaps.interval_ns = h.interval_ns;
  for (size_t first = 0; first < h.record_count; first += kCheckWindow) {
    const size_t n = std::min<size_t>(kCheckWindow, h.record_count - first);
    const char* window = payload + first * h.record_size;
    if (h.kind == MMH_EVENT_CANDLE) {
      const auto* candles = reinterpret_cast<const mmh_candle*>(payload);
      for (size_t i = first; i < first + n; ++i)
        if (const char* problem =
                candle_problem(candles[i], i > 0 ? &candles[i - 1] : nullptr, h.interval_ns))
          return "record " + std::to_string(i) + ": " + problem;
      // Gaps are between neighbours: each window from the record before it.
      const size_t from = first > 0 ? first - 1 : 0;
      const GapStats part = candle_gaps(candles + from, first + n - from, h.interval_ns);
      gaps.gap_count += part.gap_count;
      gaps.missing_bars += part.missing_bars;
      gaps.largest_gap_ns = std::max(gaps.largest_gap_ns, part.largest_gap_ns);
    } else {
      const auto* trades = reinterpret_cast<const mmh_trade*>(payload);
      for (size_t i = first; i < first + n; ++i)
        if (const char* problem = trade_problem(trades[i], i > 0 ? &trades[i - 1] : nullptr))
          return "record " + std::to_string(i) + ": " + problem;
    }
    drop_pages_before(map, window);
  }
  if (h.kind == MMH_EVENT_CANDLE &&
      (gaps.gap_count != h.gap_count || gaps.missing_bars != h.missing_bars ||
       gaps.largest_gap_ns != h.largest_gap_ns))
    return "gap counts differ from the records";
  return {};
}

// The file opened for reading, or sdk::Error(MMH_ERR_IO) naming it (not a regular file, ...).
sdk::RegularFile open_regular(const std::string& path) {
  try {
    return sdk::RegularFile(path);
  } catch (const sdk::FileError& e) {
    throw sdk::Error(MMH_ERR_IO, e.what());
  }
}

// XXH3-64 and size of a file's bytes as stored, read in 1 MiB blocks; the errors of
// read_raw_file (not a regular file, too large).
uint64_t hash_file(const std::string& path, uint64_t max_bytes, uint64_t& size) {
  const sdk::RegularFile file = open_regular(path);
  if (file.size_bytes() > max_bytes) read_raw_file(path, max_bytes);  // throws its error
  sdk::Hash64 hash;
  std::vector<char> block(size_t{1} << 20);
  size = 0;
  try {
    for (size_t n; (n = file.read_at(block.data(), block.size(), size, path)) > 0; size += n)
      hash.add(block.data(), n);
  } catch (const sdk::FileError& e) {
    throw sdk::Error(MMH_ERR_IO, e.what());
  }
  return hash.value();
}

// A candle series' interval and gaps into its entry's header.
void put_gaps(CacheHeader& h, const GapStats& g) {
  h.interval_ns = g.interval_ns;
  h.gap_count = g.gap_count;
  h.missing_bars = g.missing_bars;
  h.largest_gap_ns = g.largest_gap_ns;
}

// The fields of a cache entry's header that name its source.
CacheHeader header_for(uint64_t source_size, uint64_t source_hash, uint64_t path_hash,
                       const LoadOptions& options) {
  CacheHeader h{};
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.format_version = kCacheFormatVersion;
  h.header_size = sizeof(CacheHeader);
  h.source_size = source_size;
  h.source_hash = source_hash;
  h.source_path_hash = path_hash;
  h.declared_interval_ns = options.declared_interval_ns;
  return h;
}

// The kind of a CSV by the first 64 KiB of its text (a header further in, after that much
// comment, is left to the whole-file parse), and whether it is gzip.
struct CsvShape {
  SeriesKind kind = SeriesKind::unknown;
  bool gzip = false;
  // What a line reader decodes the file with: nothing for plain text.
  std::optional<ReadLimits> decoding(const LoadOptions& options) const {
    return gzip ? std::optional<ReadLimits>(options.limits) : std::nullopt;
  }
};

CsvShape csv_shape(const std::string& path) {
  constexpr size_t kHead = size_t{64} << 10;
  try {
    const sdk::RegularFile file(path);
    std::string head(kHead, '\0');
    head.resize(file.read_at(head.data(), head.size(), 0, path));
    if (!is_gzip(head)) return {detect_kind(head), false};
    return {detect_kind(gzip_head(head, file.size_bytes(), kHead)), true};
  } catch (const sdk::FileError&) {
    return {};  // the whole-file read says why
  }
}

// The size of a file's text: its own, or a gzip file's by its last member's trailer (the size
// mod 2^32, so a guess; it only chooses between two readings that give the same records).
uint64_t text_size_hint(const std::string& path, uint64_t source_size) {
  try {
    const sdk::RegularFile file(path);
    unsigned char magic[2] = {};
    unsigned char last4[4] = {};
    if (source_size < 18 || file.read_at(magic, 2, 0, path) != 2 ||
        !is_gzip(std::string_view(reinterpret_cast<const char*>(magic), 2)) ||
        file.read_at(last4, 4, source_size - 4, path) != 4)
      return source_size;
    return std::max<uint64_t>(source_size, gzip_trailer_size(last4));
  } catch (const sdk::FileError&) {
    return source_size;
  }
}

// A write to the cache failed (a read-only or full cache dir): the run goes on without it.
struct CacheWriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The lines of a file's text (a gzip file's decoded as it is read, with read_file_bytes's limits
// and errors), read a 1 MiB block at a time, each with its '\n' and one trailing '\r' off and
// numbered from 1 (LineReader's cut: no line after a final '\n'). The bytes must hash to
// `source_hash`: a file changed while it was read is an error, not data. A gzip file's decoding
// errors come before a line's, as when its text is decoded whole first.
class LineSource {
 public:
  using OnLine = std::function<void(std::string_view line, size_t line_number)>;
  LineSource(const sdk::RegularFile& file, std::string path, uint64_t source_hash,
             const std::optional<ReadLimits>& gzip, OnLine on_line)
      : file_(file),
        path_(std::move(path)),
        source_hash_(source_hash),
        on_line_(std::move(on_line)) {
    if (gzip) gz_.emplace(path_, file.size_bytes(), *gzip);
  }

  // Hands the next block's lines over; false once the file is done (its last line given, its hash
  // checked, a gzip file's first line error thrown).
  bool next_block() {
    if (done_) return false;
    size_t n = 0;
    try {
      n = file_.read_at(block_.data(), block_.size(), at_, path_);
    } catch (const sdk::FileError& e) {
      throw sdk::Error(MMH_ERR_IO, e.what());
    }
    if (n > 0) {
      at_ += n;
      hash_.add(block_.data(), n);
      if (!gz_) {
        split({block_.data(), n});
      } else if (raw_left_.empty()) {
        const size_t used = gz_->feed({block_.data(), n}, false, split_fn_);
        raw_left_.assign(block_.data() + used, block_.data() + n);
      } else {
        raw_left_.append(block_.data(), n);
        raw_left_.erase(0, gz_->feed(raw_left_, false, split_fn_));
      }
      return true;
    }
    done_ = true;
    if (hash_.value() != source_hash_)
      throw sdk::Error(MMH_ERR_IO, path_ + ": changed while it was being read; run again");
    if (gz_) gz_->feed(raw_left_, true, split_fn_);
    if (!carry_.empty()) emit(carry_);
    if (line_error_) std::rethrow_exception(line_error_);
    return false;
  }
  size_t lines() const { return lines_; }

 private:
  void emit(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++lines_;
    if (!gz_) return on_line_(line, lines_);
    if (line_error_) return;
    try {
      on_line_(line, lines_);
    } catch (...) {
      line_error_ = std::current_exception();  // thrown once the file is decoded
    }
  }
  void split(std::string_view rest) {
    for (size_t nl; (nl = rest.find('\n')) != std::string_view::npos; rest.remove_prefix(nl + 1)) {
      if (carry_.empty()) {
        emit(rest.substr(0, nl));
      } else {
        carry_.append(rest.substr(0, nl));
        emit(carry_);
        carry_.clear();
      }
    }
    carry_.append(rest);
  }

  const sdk::RegularFile& file_;
  std::string path_;
  uint64_t source_hash_;
  OnLine on_line_;
  std::optional<GzipStream> gz_;
  GzipStream::OnText split_fn_ = [this](std::string_view text) { split(text); };
  std::vector<char> block_ = std::vector<char>(size_t{1} << 20);
  std::string carry_;     // a line cut by the block's end
  std::string raw_left_;  // a gzip member's first byte, its second in the next block
  sdk::Hash64 hash_;
  uint64_t at_ = 0;
  size_t lines_ = 0;
  bool done_ = false;
  std::exception_ptr line_error_;
};

// Every line of the file (LineSource) to `on_line`; returns the number of lines.
size_t for_each_line(const sdk::RegularFile& file, const std::string& path, uint64_t source_hash,
                     const std::optional<ReadLimits>& gzip, LineSource::OnLine on_line) {
  LineSource source(file, path, source_hash, gzip, std::move(on_line));
  while (source.next_block()) {
  }
  return source.lines();
}

// The cache entry of a plain candle or trade CSV built without holding the file or its records:
// two passes of the line parser over the file, the records written as the second pass makes
// them, the header last. Parse errors are the whole-text parser's; CacheWriteError when the
// entry cannot be written.
template <typename Record, typename Parser, typename Finish>
void build_cache_as_read(const std::string& path, const std::string& cache_path, CacheHeader h,
                         const std::optional<ReadLimits>& gzip, Parser& parser,
                         Finish&& finish_header) {
  const sdk::RegularFile file = open_regular(path);
  Record r{};
  const size_t lines =
      for_each_line(file, path, h.source_hash, gzip,
                    [&](std::string_view line, size_t n) { parser.line(line, n, r); });
  parser.start_second_pass(lines);

  std::optional<sdk::TempOutput> out;
  std::vector<Record> window;
  window.reserve(kCheckWindow);
  sdk::Hash64 payload_hash;
  auto write = [&](const void* data, size_t size) {
    try {
      out->write(data, size);
    } catch (const sdk::FileError& e) {
      throw CacheWriteError(e.what());
    }
  };
  auto flush = [&] {
    const size_t bytes = window.size() * sizeof(Record);
    payload_hash.add(window.data(), bytes);
    write(window.data(), bytes);
    window.clear();
  };
  try {
    open_entry(out, cache_path);
  } catch (const std::exception& e) {
    throw CacheWriteError(e.what());
  }
  const char pad[kPayloadOffset] = {};
  write(pad, sizeof(pad));  // the header goes here once the records are counted
  for_each_line(file, path, h.source_hash, gzip, [&](std::string_view line, size_t n) {
    if (!parser.line(line, n, r)) return;
    window.push_back(r);
    if (window.size() == kCheckWindow) flush();
  });
  flush();
  h.record_size = sizeof(Record);
  h.record_count = parser.rows();
  finish_header(h);  // what the second pass found (a candle series' interval and gaps)
  h.payload_hash = payload_hash.value();
  h.header_hash = header_hash(h);
  char header[kPayloadOffset] = {};
  std::memcpy(header, &h, sizeof(h));
  try {
    if (::pwrite(out->fd(), header, sizeof(header), 0) != static_cast<ssize_t>(sizeof(header)))
      throw CacheWriteError(cache_path + ": " + std::strerror(errno));
    out->commit();
  } catch (const sdk::FileError& e) {
    throw CacheWriteError(e.what());
  }
}

// The entry of a candle or trade CSV, plain or gzip, as it is read (build_cache_as_read); false
// when the file is neither (a book stream): the caller parses it whole.
bool build_entry_as_read(const std::string& path, const std::string& cache_path, CacheHeader h,
                         const CsvShape& shape, const LoadOptions& options) {
  const std::optional<ReadLimits> gzip = shape.decoding(options);
  switch (shape.kind) {
    case SeriesKind::candles: {
      CandleLineParser parser(path, options.declared_interval_ns);
      h.kind = MMH_EVENT_CANDLE;
      build_cache_as_read<mmh_candle>(path, cache_path, h, gzip, parser,
                                      [&](CacheHeader& done) { put_gaps(done, parser.gaps()); });
      return true;
    }
    case SeriesKind::trades: {
      TradeLineParser parser(path);
      h.kind = MMH_EVENT_TRADE;
      build_cache_as_read<mmh_trade>(path, cache_path, h, gzip, parser, [](CacheHeader&) {});
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

// A book stream read as the run goes: the file again, through the parser that checked it whole.
struct LoadedSeries::BookStream {
  BookStream(const std::string& path, uint64_t source_hash, const std::optional<ReadLimits>& gzip)
      : file(open_regular(path)),
        parser(path),
        lines(file, path, source_hash, gzip,
              [this](std::string_view line, size_t n) { parser.line(line, n); }) {}

  // The next slice of updates into `slice` (cleared first); false after the last.
  bool refill() {
    slice.clear();
    at = 0;
    while (parser.ready() < kSliceUpdates && !done) {
      if (!lines.next_block()) {
        parser.finish(lines.lines());
        done = true;
      }
    }
    parser.take(slice, kSliceUpdates);
    return !slice.updates.empty();
  }

  static constexpr size_t kSliceUpdates = LoadedSeries::kBatchRecords;
  sdk::RegularFile file;
  DepthLineParser parser;
  LineSource lines;
  bool done = false;
  BookSeries slice;
  size_t at = 0;  // next update of the slice
  int64_t first_ts_ns = 0;
  int64_t last_ts_ns = 0;
};

LoadedSeries::~LoadedSeries() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

int64_t LoadedSeries::time_of(size_t i) const {
  const char* p = static_cast<const char*>(records_) + i * record_size_;
  if (kind_ == MMH_EVENT_CANDLE) return reinterpret_cast<const mmh_candle*>(p)->open_ts_ns;
  return *reinterpret_cast<const int64_t*>(p);  // trades and book updates start with ts_ns
}

int64_t LoadedSeries::first_ts_ns() const {
  if (stream_) return stream_->first_ts_ns;
  return count_ > 0 ? time_of(0) : 0;
}

int64_t LoadedSeries::last_ts_ns() const {
  if (stream_) return stream_->last_ts_ns;
  return count_ > 0 ? time_of(count_ - 1) : 0;
}

bool LoadedSeries::next_batch(mmh_batch& out) {
  // One batch per run of same-kind records (a candle or trade series is one run; a book stream
  // alternates snapshots and deltas); the engine slices them as it merges.
  if (stream_) {
    BookStream& b = *stream_;
    if (b.at >= b.slice.updates.size() && !b.refill()) return false;
    size_t end = b.at + 1;
    while (end < b.slice.updates.size() && b.slice.kinds[end] == b.slice.kinds[b.at]) ++end;
    out.kind = b.slice.kinds[b.at];
    out.record_size = sizeof(mmh_book_update);
    out.count = end - b.at;
    mmh_book_update* first = b.slice.updates.data() + b.at;
    stamp_symbol_id(reinterpret_cast<char*>(first), out.count, MMH_EVENT_BOOK_DELTA,
                    sizeof(mmh_book_update), symbol_id_);
    out.records = first;
    b.at = end;
    return true;
  }
  // At most up to the next multiple of kBatchRecords: a cache entry's records are copied out
  // (records_at), a book stream's slices end there, parsed whole or streamed alike.
  if (next_ >= count_) return false;
  const uint32_t kind = kind_of(next_);
  size_t end = next_ + 1;
  const size_t limit = (next_ / kBatchRecords + 1) * kBatchRecords;
  while (end < count_ && end < limit && kind_of(end) == kind) ++end;
  out.kind = kind;
  out.record_size = record_size_;
  out.count = end - next_;
  out.records = records_at(next_, out.count, scratch_);
  next_ = end;
  return true;
}

std::unique_ptr<LoadedSeries> load_series(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  const std::string canonical = fs::weakly_canonical(fs::path(path), ec).string();
  const std::string key_path = ec ? path : canonical;
  // The bytes are hashed to key the cache (an edit that keeps size and mtime still changes
  // them), in blocks: they are read whole only when the cache cannot serve.
  uint64_t source_size = 0;
  uint64_t source_hash = hash_file(path, options.limits.max_text_bytes, source_size);
  auto series = std::make_unique<LoadedSeries>();

  // A long book stream: checked whole now in one pass that holds nothing, read again as the run
  // goes (book streams are not cached: their records point at their levels).
  const bool long_text = text_size_hint(path, source_size) >= options.stream_from_bytes;
  const CsvShape shape = long_text ? csv_shape(path) : CsvShape{};
  if (shape.kind == SeriesKind::depth) {
    const std::optional<ReadLimits> gzip = shape.decoding(options);
    auto stream = std::make_unique<LoadedSeries::BookStream>(path, source_hash, gzip);
    size_t count = 0;
    {
      LoadedSeries::BookStream check(path, source_hash, gzip);
      while (check.refill()) {
        if (count == 0) stream->first_ts_ns = check.slice.updates.front().ts_ns;
        stream->last_ts_ns = check.slice.updates.back().ts_ns;
        count += check.slice.updates.size();
      }
    }
    series->stream_ = std::move(stream);
    series->kind_ = MMH_EVENT_BOOK_DELTA;
    series->count_ = count;
    series->record_size_ = sizeof(mmh_book_update);
    series->cache_note_ = "book streams are read as the run goes (not cached)";
    return series;
  }

  std::string cache_path;
  bool cache_writable = true;
  // What an entry built from the file as it is now says of its source.
  const CacheHeader source_header =
      header_for(source_size, source_hash, sdk::hash64(key_path), options);
  // Maps the entry at `entry_path` into `series` when every field matches, both CRCs hold and
  // every record is valid; otherwise says why not ("" when there is no entry).
  auto open_cache = [&](const std::string& entry_path) -> std::optional<std::string> {
    std::optional<sdk::RegularFile> entry;
    std::string why;
    try {
      entry.emplace(entry_path);
    } catch (const sdk::FileError& e) {
      if (fs::exists(fs::symlink_status(entry_path, ec)))
        why = "cache entry unusable (" + std::string(e.what()) + ")";
    }
    if (entry) {
      CacheHeader h{};
      if (entry->size_bytes() < kPayloadOffset ||
          entry->read_at(&h, sizeof(h), 0, entry_path) != sizeof(h)) {
        why = "cache entry truncated";
      } else if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) == 0 &&
                 h.format_version != kCacheFormatVersion) {
        // Before the header's hash: another version lays the header out differently.
        why = "cache format version " + std::to_string(h.format_version) +
              " != " + std::to_string(kCacheFormatVersion);
      } else if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0 ||
                 h.header_hash != header_hash(h)) {
        why = "cache header corrupt";
      } else if (h.source_size != source_size || h.source_hash != source_hash) {
        why = "source changed since the cache was built";
      } else if (h.source_path_hash != sdk::hash64(key_path) ||
                 h.declared_interval_ns != options.declared_interval_ns) {
        why = "cache entry belongs to another source";
      } else if ((h.kind == MMH_EVENT_CANDLE && h.record_size != sizeof(mmh_candle)) ||
                 (h.kind == MMH_EVENT_TRADE && h.record_size != sizeof(mmh_trade)) ||
                 (h.kind != MMH_EVENT_CANDLE && h.kind != MMH_EVENT_TRADE)) {
        why = "cache record layout differs from this build";
      } else if (h.record_count > (entry->size_bytes() - kPayloadOffset) / h.record_size ||
                 entry->size_bytes() != kPayloadOffset + h.record_count * h.record_size) {
        why = "cache entry has the wrong size";
      } else {
        const size_t map_size = static_cast<size_t>(entry->size_bytes());
        // Read-only: records are copied out as they are read (records_at) with the symbol id.
        void* map = ::mmap(nullptr, map_size, PROT_READ, MAP_PRIVATE, entry->fd(), 0);
        if (map == MAP_FAILED) {
          why = std::string("mmap failed: ") + std::strerror(errno);
        } else {
          char* payload = static_cast<char*>(map) + kPayloadOffset;
          std::string problem;
          if (!payload_intact(h, map, payload))
            why = "cache payload corrupt";
          else if (!(problem = records_problem(h, map, payload)).empty())
            why = "cache entry invalid (" + problem + ")";
          if (!why.empty()) {
            ::munmap(map, map_size);
          } else {
            drop_pages(map, 0, map_size);  // checked; read again as the run gets there
            series->map_ = map;
            series->map_size_ = map_size;
            series->kind_ = h.kind;
            series->records_ = payload;
            series->count_ = h.record_count;
            series->record_size_ = h.record_size;
            series->gaps_ = GapStats{h.interval_ns, h.gap_count, h.missing_bars, h.largest_gap_ns};
            return std::nullopt;
          }
        }
      }
    }
    return why;
  };
  if (!options.cache_dir.empty()) {
    cache_path = cache_file_for(key_path, options);
    series->cache_path_ = cache_path;
    const std::optional<std::string> why = open_cache(cache_path);
    if (!why) return series;
    series->cache_note_ = why->empty() ? "no cache entry yet" : *why + "; rebuilt";
    // A long candle or trade file (its text, for gzip): the entry is built as the file is read,
    // then mapped like any.
    if (long_text) {
      try {
        if (build_entry_as_read(path, cache_path, source_header, shape, options)) {
          if (!open_cache(cache_path)) return series;
          series->cache_note_ += "; the entry just built did not map";
        }
      } catch (const CacheWriteError& e) {
        // A temporary entry below, or parsed whole; this entry not tried again.
        series->cache_note_ += std::string("; cache not written: ") + e.what();
        cache_writable = false;
      }
    }
  }
  // A long candle or trade file and no entry to be had (caching off, or the cache directory
  // cannot be written): the same entry built in a temporary directory, mapped, and its name
  // removed at once (the mapping outlives it). The file is still never held whole.
  if (long_text && (cache_path.empty() || !cache_writable) &&
      (shape.kind == SeriesKind::candles || shape.kind == SeriesKind::trades)) {
    std::string dir = (fs::temp_directory_path(ec) / "mmhost-replay-XXXXXX").string();
    if (!ec && ::mkdtemp(dir.data()) != nullptr) {
      // Removed on every way out, a bad row's error included.
      struct RemoveDir {
        std::string dir;
        ~RemoveDir() {
          std::error_code ignored;
          fs::remove_all(dir, ignored);
        }
      } remove{dir};
      const std::string entry = dir + "/entry.mmhc";
      bool mapped = false;
      try {
        mapped =
            build_entry_as_read(path, entry, source_header, shape, options) && !open_cache(entry);
      } catch (const CacheWriteError&) {
        // The temporary directory cannot take it either: parsed whole below.
      }
      if (mapped) {
        series->temporary_entry_ = true;
        series->cache_note_ +=
            std::string(series->cache_note_.empty() ? "" : "; ") + "read through a temporary entry";
        return series;
      }
    }
  }

  // Parse the CSV (the cache is keyed by the bytes parsed, should the file have changed since).
  std::string raw = read_raw_file(path, options.limits.max_text_bytes);
  source_hash = sdk::hash64(raw);
  source_size = raw.size();
  const std::string bytes = decode_text(std::move(raw), path, options.limits);
  CacheHeader h = header_for(source_size, source_hash, sdk::hash64(key_path), options);
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
  if (!cache_path.empty() && cache_writable && series->kind_ != MMH_EVENT_BOOK_DELTA) {
    h.kind = series->kind_;
    h.record_size = series->record_size_;
    h.record_count = series->count_;
    put_gaps(h, series->gaps_);
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
