#include "journal/journal.hpp"

#include "engine/event_time.hpp"

#include <boost/crc.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

namespace mmh {
namespace {

constexpr char kMagic[8] = {'M', 'M', 'H', 'J', 'R', 'N', 'L', '\0'};
constexpr int64_t kDayNs = 86'400'000'000'000;
constexpr uint32_t kMaxPayload = 1u << 20;  // larger than any record the host writes

// File header, 32 bytes: magic, version, header size, the UTC day's start, the ABI the records'
// structs come from, CRC-32 of the 28 bytes before it.
struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t header_size;
  int64_t day_start_ns;
  uint16_t abi_major;
  uint16_t abi_minor;
  uint32_t crc;
};
static_assert(sizeof(FileHeader) == 32);

// Record header, 24 bytes, then the payload, then CRC-32 of header and payload.
struct RecordHeader {
  uint32_t payload_size;
  uint16_t kind;
  uint16_t reserved;
  int64_t local_ns;
  int64_t exchange_ns;
};
static_assert(sizeof(RecordHeader) == 24);

uint32_t crc32(const void* a, size_t a_size, const void* b = nullptr, size_t b_size = 0) {
  boost::crc_32_type crc;
  crc.process_bytes(a, a_size);
  if (b_size > 0) crc.process_bytes(b, b_size);
  return crc.checksum();
}

int64_t day_of(int64_t ns) {
  return ns >= 0 ? ns / kDayNs : (ns - kDayNs + 1) / kDayNs;
}

std::string day_name(int64_t day) {
  const std::time_t t = static_cast<std::time_t>(day * 86'400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char name[32];
  std::strftime(name, sizeof(name), "%Y-%m-%d.mmj", &tm);
  return name;
}

void write_all(int fd, const char* data, size_t size, const std::filesystem::path& file) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw JournalError(file.string() + ": cannot write the journal: " + std::strerror(errno));
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// A book update's payload: its fixed fields, then the levels inline (bids, then asks).
void encode_book(const mmh_book_update& u, std::vector<char>& out) {
  mmh_book_update head = u;
  head.bids = nullptr;
  head.asks = nullptr;
  const char* p = reinterpret_cast<const char*>(&head);
  out.insert(out.end(), p, p + offsetof(mmh_book_update, bids));
  if (u.bid_count > 0)
    out.insert(out.end(), reinterpret_cast<const char*>(u.bids),
               reinterpret_cast<const char*>(u.bids + u.bid_count));
  if (u.ask_count > 0)
    out.insert(out.end(), reinterpret_cast<const char*>(u.asks),
               reinterpret_cast<const char*>(u.asks + u.ask_count));
}

}  // namespace

JournalWriter::JournalWriter(std::filesystem::path run_dir) : dir_(std::move(run_dir) / "journal") {
  buffer_.reserve(1 << 16);
}

JournalWriter::~JournalWriter() {
  try {
    flush();
  } catch (const JournalError&) {
    // Nothing to tell at this point: the run already ended (a disk error was thrown earlier).
  }
  if (fd_ >= 0) ::close(fd_);
}

void JournalWriter::open_day(int64_t day) {
  if (fd_ >= 0) {
    flush();
    ::fdatasync(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  day_ = day;
  const std::filesystem::path file = dir_ / day_name(day);
  std::error_code ec;
  // Made with the first record: a run that fails before it starts leaves no journal.
  std::filesystem::create_directories(dir_, ec);
  if (ec)
    throw JournalError(dir_.string() + ": cannot create the journal directory: " + ec.message());
  const bool exists = std::filesystem::exists(file, ec) && std::filesystem::file_size(file, ec) > 0;
  if (exists) {
    // A restart appends to the day's file: first cut a tail a crash left torn.
    const JournalFileScan scan = read_journal_file(file, [](const JournalRecord&) {});
    if (scan.good_bytes < scan.file_bytes) {
      std::filesystem::resize_file(file, scan.good_bytes, ec);
      if (ec) throw JournalError(file.string() + ": cannot cut the torn tail: " + ec.message());
      bytes_cut_ += scan.file_bytes - scan.good_bytes;
    }
  }
  fd_ = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw JournalError(file.string() + ": cannot open the journal: " + std::strerror(errno));
  if (!exists) {
    FileHeader h{};
    std::memcpy(h.magic, kMagic, sizeof(kMagic));
    h.version = kJournalVersion;
    h.header_size = sizeof(FileHeader);
    h.day_start_ns = day * kDayNs;
    h.abi_major = MMH_ABI_MAJOR;
    h.abi_minor = MMH_ABI_MINOR;
    h.crc = crc32(&h, offsetof(FileHeader, crc));
    write_all(fd_, reinterpret_cast<const char*>(&h), sizeof(h), file);
    // The new file's name is part of the directory: make it durable too.
    const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
  }
}

void JournalWriter::append(uint16_t kind, int64_t local_ns, int64_t exchange_ns,
                           const void* payload, size_t size) {
  if (size > kMaxPayload)
    throw JournalError("a journal record of " + std::to_string(size) + " bytes");
  if (day_of(local_ns) != day_) {
    flush();
    open_day(day_of(local_ns));
  }
  const RecordHeader h{static_cast<uint32_t>(size), kind, 0, local_ns, exchange_ns};
  const uint32_t crc = crc32(&h, sizeof(h), payload, size);
  const char* hp = reinterpret_cast<const char*>(&h);
  buffer_.insert(buffer_.end(), hp, hp + sizeof(h));
  if (size > 0)
    buffer_.insert(buffer_.end(), static_cast<const char*>(payload),
                   static_cast<const char*>(payload) + size);
  const char* cp = reinterpret_cast<const char*>(&crc);
  buffer_.insert(buffer_.end(), cp, cp + sizeof(crc));
  ++records_;
  if (buffer_.size() >= (1u << 18)) flush();
}

void JournalWriter::append_batch(const mmh_batch& batch, int64_t local_ns) {
  const char* p = static_cast<const char*>(batch.records);
  const bool book = batch.kind == MMH_EVENT_BOOK_SNAPSHOT || batch.kind == MMH_EVENT_BOOK_DELTA;
  std::vector<char> encoded;
  for (size_t i = 0; i < batch.count; ++i, p += batch.record_size) {
    const int64_t exchange_ns = event_time_ns(batch.kind, p);
    if (book) {
      encoded.clear();
      encode_book(*reinterpret_cast<const mmh_book_update*>(p), encoded);
      append(static_cast<uint16_t>(batch.kind), local_ns, exchange_ns, encoded.data(),
             encoded.size());
    } else {
      append(static_cast<uint16_t>(batch.kind), local_ns, exchange_ns, p,
             std::min<size_t>(batch.record_size, known_record_size(batch.kind)));
    }
  }
}

void JournalWriter::note(int64_t local_ns, std::string_view text) {
  append(kJournalNote, local_ns, 0, text.data(), text.size());
}

void JournalWriter::flush() {
  if (buffer_.empty() || fd_ < 0) return;
  write_all(fd_, buffer_.data(), buffer_.size(), dir_);
  buffer_.clear();
}

void JournalWriter::sync() {
  flush();
  if (fd_ >= 0 && ::fdatasync(fd_) != 0)
    throw JournalError(dir_.string() + ": cannot sync the journal: " + std::strerror(errno));
}

JournalFileScan read_journal_file(const std::filesystem::path& file,
                                  const std::function<void(const JournalRecord&)>& on_record) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw JournalError(file.string() + ": cannot read");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  JournalFileScan scan;
  scan.file = file;
  scan.file_bytes = bytes.size();
  FileHeader h{};
  if (bytes.size() < sizeof(h) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    throw JournalError(file.string() + ": not an mmhost journal (no MMHJRNL header)");
  std::memcpy(&h, bytes.data(), sizeof(h));
  if (h.crc != crc32(&h, offsetof(FileHeader, crc)))
    throw JournalError(file.string() + ": the journal header is damaged (CRC)");
  if (h.version != kJournalVersion || h.header_size < sizeof(h) || h.header_size > bytes.size())
    throw JournalError(file.string() + ": journal version " + std::to_string(h.version) +
                       " (this mmhost reads version " + std::to_string(kJournalVersion) + ")");
  scan.version = h.version;
  size_t at = h.header_size;
  scan.good_bytes = at;
  while (at < bytes.size()) {
    RecordHeader r{};
    if (bytes.size() - at < sizeof(r) + sizeof(uint32_t)) {
      scan.tail_problem = "a record cut short";
      break;
    }
    std::memcpy(&r, bytes.data() + at, sizeof(r));
    if (r.payload_size > kMaxPayload) {
      scan.tail_problem = "a record of impossible size";
      break;
    }
    if (bytes.size() - at < sizeof(r) + r.payload_size + sizeof(uint32_t)) {
      scan.tail_problem = "a record cut short";
      break;
    }
    const char* payload = bytes.data() + at + sizeof(r);
    uint32_t crc = 0;
    std::memcpy(&crc, payload + r.payload_size, sizeof(crc));
    if (crc != crc32(&r, sizeof(r), payload, r.payload_size)) {
      scan.tail_problem = "a record whose CRC does not match";
      break;
    }
    on_record(JournalRecord{r.kind, r.local_ns, r.exchange_ns,
                            std::string_view(payload, r.payload_size), at});
    ++scan.records;
    at += sizeof(r) + r.payload_size + sizeof(uint32_t);
    scan.good_bytes = at;
  }
  return scan;
}

std::vector<std::filesystem::path> journal_files(const std::filesystem::path& run_dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(run_dir / "journal", ec))
    if (entry.path().extension() == ".mmj") files.push_back(entry.path());
  std::sort(files.begin(), files.end());  // YYYY-MM-DD sorts by time
  return files;
}

namespace {

// The ABI record of `payload`, zero past what was written (an older writer's smaller struct).
template <class T>
T record_of(std::string_view payload) {
  T value{};
  std::memcpy(&value, payload.data(), std::min(payload.size(), sizeof(T)));
  return value;
}

std::string text_of(const char* field, size_t capacity) {
  return std::string(field, strnlen(field, capacity));
}

// mantissa * 10^exponent as plain decimal text ("0.00128857"), exactly.
std::string decimal_text(const mmh_decimal& d) {
  const bool negative = d.mantissa < 0;
  std::string digits = std::to_string(d.mantissa);
  if (negative) digits.erase(0, 1);
  if (d.exponent >= 0) {
    if (digits != "0") digits.append(static_cast<size_t>(std::min(d.exponent, 40)), '0');
  } else {
    const size_t scale = static_cast<size_t>(std::min(-d.exponent, 40));
    if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, ".");
    while (digits.back() == '0') digits.pop_back();
    if (digits.back() == '.') digits.pop_back();
  }
  return (negative ? "-" : "") + digits;
}

}  // namespace

std::string journal_record_json(const JournalRecord& r) {
  nlohmann::ordered_json j;
  j["kind"] = r.kind == kJournalNote          ? "note"
              : r.kind == kJournalLedgerStart ? "ledger_start"
                                              : event_kind_name(r.kind);
  j["local_ns"] = r.local_ns;
  if (r.exchange_ns != 0) j["exchange_ns"] = r.exchange_ns;
  switch (r.kind) {
    case kJournalNote:
      j["text"] = std::string(r.payload);
      break;
    case kJournalLedgerStart: {
      int64_t v[2] = {0, 0};
      std::memcpy(v, r.payload.data(), std::min(r.payload.size(), sizeof(v)));
      j.update({{"ts_ns", v[0]}, {"mid_e8", v[1]}});
      break;
    }
    case MMH_EVENT_TRADE: {
      const auto t = record_of<mmh_trade>(r.payload);
      j.update({{"price_e8", t.price_e8},
                {"qty_e8", t.qty_e8},
                {"taker_side", t.taker_side},
                {"trade_id", t.trade_id}});
      break;
    }
    case MMH_EVENT_TICKER: {
      const auto t = record_of<mmh_ticker>(r.payload);
      j.update({{"bid_e8", t.bid_price_e8}, {"ask_e8", t.ask_price_e8}});
      break;
    }
    case MMH_EVENT_BOOK_SNAPSHOT:
    case MMH_EVENT_BOOK_DELTA: {
      const size_t head = offsetof(mmh_book_update, bids);
      const auto u = record_of<mmh_book_update>(r.payload.substr(0, head));
      j.update({{"update_id", u.update_id}});
      const size_t levels =
          (r.payload.size() - std::min(head, r.payload.size())) / sizeof(mmh_book_level);
      nlohmann::json bids = nlohmann::json::array(), asks = nlohmann::json::array();
      for (size_t i = 0; i < levels && i < static_cast<size_t>(u.bid_count) + u.ask_count; ++i) {
        const auto l = record_of<mmh_book_level>(
            r.payload.substr(head + i * sizeof(mmh_book_level), sizeof(mmh_book_level)));
        (i < u.bid_count ? bids : asks).push_back({l.price_e8, l.qty_e8});
      }
      j["bids"] = bids;
      j["asks"] = asks;
      break;
    }
    case MMH_EVENT_ORDER_COMMAND: {
      const auto c = record_of<mmh_order_command>(r.payload);
      j.update({{"action", c.action},
                {"side", c.side},
                {"order_type", c.order_type},
                {"price_ticks", c.price_ticks},
                {"qty_lots", c.qty_lots},
                {"client_id", text_of(c.client_id, sizeof(c.client_id))}});
      break;
    }
    case MMH_EVENT_ORDER_UPDATE: {
      const auto u = record_of<mmh_order_update>(r.payload);
      j.update({{"client_id", text_of(u.client_id, sizeof(u.client_id))},
                {"status", u.status},
                {"side", u.side},
                {"price_ticks", u.price_ticks},
                {"qty_lots", u.qty_lots},
                {"filled_qty_lots", u.filled_qty_lots},
                {"reject_reason", text_of(u.reject_reason, sizeof(u.reject_reason))}});
      break;
    }
    case MMH_EVENT_FILL: {
      const auto f = record_of<mmh_fill>(r.payload);
      j.update({{"client_id", text_of(f.client_id, sizeof(f.client_id))},
                {"exec_id", text_of(f.exec_id, sizeof(f.exec_id))},
                {"side", f.side},
                {"price_ticks", f.price_ticks},
                {"qty_lots", f.qty_lots},
                {"fee", decimal_text(f.fee)},
                {"fee_asset", text_of(f.fee_asset, sizeof(f.fee_asset))},
                {"maker", f.is_maker != 0}});
      break;
    }
    case MMH_EVENT_BALANCE: {
      const auto b = record_of<mmh_balance>(r.payload);
      j.update({{"asset", text_of(b.asset, sizeof(b.asset))},
                {"free", decimal_text(b.free)},
                {"locked", decimal_text(b.locked)}});
      break;
    }
    case MMH_EVENT_DECISION: {
      const auto d = record_of<mmh_decision>(r.payload);
      j.update({{"decision", text_of(d.kind, sizeof(d.kind))},
                {"detail", text_of(d.detail, sizeof(d.detail))}});
      break;
    }
    default:
      j["bytes"] = r.payload.size();
      break;
  }
  return j.dump();
}

}  // namespace mmh
