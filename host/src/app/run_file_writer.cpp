#include "app/run_file_writer.hpp"

#include "app/event_line.hpp"
#include "app/format.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <stdexcept>
#include <utility>

namespace mmh {
namespace {

void open(std::ofstream& f, const std::filesystem::path& path) {
  f.rdbuf()->pubsetbuf(nullptr, 0);  // each rendered chunk (~150 KB) is one write
  f.open(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(path.string() + ": cannot write");
}

}  // namespace

RunFileWriter::RunFileWriter(const std::filesystem::path& events_path,
                             const std::filesystem::path& equity_path) {
  open(events_, events_path);
  open(equity_, equity_path);
  rows_.kind = Kind::equity_rows;
  thread_ = std::thread([this] { run(); });
}

RunFileWriter::~RunFileWriter() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    queued_.clear();
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RunFileWriter::Chunk RunFileWriter::spare_chunk(Kind kind) {
  Chunk chunk;
  if (!spare_.empty()) {
    chunk = std::move(spare_.back());
    spare_.pop_back();
  }
  chunk.kind = kind;
  chunk.bytes.clear();
  chunk.records_used = 0;
  chunk.rows.clear();
  chunk.values_end.clear();
  return chunk;
}

void RunFileWriter::queue(Chunk&& chunk) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queued_.size() < kQueuedChunks || !error_.empty(); });
  if (!error_.empty()) return;  // told at close()
  queued_.push_back(std::move(chunk));
  lock.unlock();
  changed_.notify_all();
}

void RunFileWriter::take_events(std::vector<char>& records, size_t used) {
  if (used == 0) return;
  Chunk chunk;
  {
    std::lock_guard lock(mutex_);
    chunk = spare_chunk(Kind::events);
  }
  chunk.records.swap(records);
  chunk.records_used = used;
  queue(std::move(chunk));
}

void RunFileWriter::add_equity_text(std::string_view text) {
  queue_rows();  // the rows before it go first
  Chunk chunk;
  {
    std::lock_guard lock(mutex_);
    chunk = spare_chunk(Kind::equity_text);
  }
  chunk.bytes.assign(text);
  queue(std::move(chunk));
}

void RunFileWriter::add_equity_row(const EquityRow& row, const std::vector<std::string>& values) {
  rows_.rows.push_back(row);
  for (const std::string& v : values) {
    rows_.bytes += ',';
    rows_.bytes += v;
  }
  rows_.values_end.push_back(static_cast<uint32_t>(rows_.bytes.size()));
  if (rows_.rows.size() >= kRowsPerChunk) queue_rows();
}

void RunFileWriter::queue_rows() {
  if (rows_.rows.empty()) return;
  Chunk next;
  {
    std::lock_guard lock(mutex_);
    next = spare_chunk(Kind::equity_rows);
  }
  queue(std::exchange(rows_, std::move(next)));
}

void RunFileWriter::close() {
  queue_rows();
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (error_.empty()) {
    for (std::ofstream* f : {&events_, &equity_}) {
      f->flush();
      if (!*f) error_ = "writing the run files failed (disk full?)";
    }
  }
  if (!error_.empty()) throw std::runtime_error(error_);
}

void RunFileWriter::render_rows(const Chunk& chunk, std::string& out) {
  uint32_t values_begin = 0;
  // A row's own fields go through `buf` in two runs (the cached texts between them): time,
  // ts_ns and mid; then equity and the two "%.4f" numbers (room for any double's fixed form:
  // 309 digits and the decimals).
  constexpr size_t kI64MaxChars = 24;
  constexpr size_t kHeadChars = kIsoTimeMaxChars + 1 + kI64MaxChars + 1 + sdk::kE8MaxChars + 1;
  constexpr size_t kTailChars = 1 + kE18MaxChars + 2 * (1 + kFixed4MaxChars);
  char buf[std::max(kHeadChars, kTailChars)];
  for (size_t i = 0; i < chunk.rows.size(); ++i) {
    const EquityRow& r = chunk.rows[i];
    char* p = write_iso_time(buf, r.ts_ns);
    *p++ = ',';
    p = std::to_chars(p, p + kI64MaxChars, r.ts_ns).ptr;
    *p++ = ',';
    p = sdk::write_e8(p, r.mid_e8);
    *p++ = ',';
    out.append(buf, p);
    out += base_text_.of(r.base_e18, write_e18);
    out += ',';
    out += quote_text_.of(r.quote_e18, write_e18);
    p = buf;
    *p++ = ',';
    const std::string_view equity = equity_text_.of(r.equity_e18, write_e18);
    p = std::copy_n(equity.data(), equity.size(), p);
    // "%.4f" exactly, without printf's cost.
    auto fixed4 = [](char* to, uint64_t bits) {
      return write_fixed4(to, std::bit_cast<double>(bits));
    };
    for (auto& [v, kept] :
         {std::pair{r.drawdown_pct, &drawdown_text_}, std::pair{r.base_share, &share_text_}}) {
      *p++ = ',';
      const std::string_view text = kept->of(std::bit_cast<uint64_t>(v), fixed4);
      p = std::copy_n(text.data(), text.size(), p);
    }
    out.append(buf, p);
    const uint32_t values_end = chunk.values_end[i];
    out.append(chunk.bytes, values_begin, values_end - values_begin);
    values_begin = values_end;
    out += '\n';
  }
}

void RunFileWriter::run() {
  std::string text;
  std::string lines;  // events.jsonl text: grows, never shrinks (append_event_lines)
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return !queued_.empty() || closing_; });
    if (queued_.empty()) return;  // closing, all written
    Chunk chunk = std::move(queued_.front());
    queued_.pop_front();
    lock.unlock();
    changed_.notify_all();  // room for the run's next chunk
    std::string failure;
    text.clear();
    try {
      std::ofstream& file = chunk.kind == Kind::events ? events_ : equity_;
      std::string_view out;
      switch (chunk.kind) {
        case Kind::events: {
          size_t used = 0;
          append_event_lines(std::string_view(chunk.records.data(), chunk.records_used), lines,
                             used);
          out = std::string_view(lines.data(), used);
          break;
        }
        case Kind::equity_text:
          out = chunk.bytes;  // written as it is
          break;
        case Kind::equity_rows:
          render_rows(chunk, text);
          out = text;
          break;
      }
      file.write(out.data(), static_cast<std::streamsize>(out.size()));
      if (!file) failure = "writing the run files failed (disk full?)";
    } catch (const std::exception& e) {
      failure = e.what();
    }
    lock.lock();
    spare_.push_back(std::move(chunk));
    if (!failure.empty()) {
      error_ = failure;
      queued_.clear();
      changed_.notify_all();
      return;
    }
  }
}

}  // namespace mmh
