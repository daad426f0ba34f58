#include "app/event_file_writer.hpp"

#include "app/event_line.hpp"

#include <stdexcept>
#include <utility>

namespace mmh {

EventFileWriter::EventFileWriter(const std::filesystem::path& path) {
  file_.rdbuf()->pubsetbuf(nullptr, 0);  // each rendered chunk (~150 KB) is one write
  file_.open(path, std::ios::binary | std::ios::trunc);
  if (!file_) throw std::runtime_error(path.string() + ": cannot write");
  thread_ = std::thread([this] { run(); });
}

EventFileWriter::~EventFileWriter() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    queued_.clear();
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventFileWriter::add(std::string_view records) {
  if (records.empty()) return;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queued_.size() < kQueuedChunks || !error_.empty(); });
  if (!error_.empty()) return;  // told at close()
  std::string chunk;
  if (!spare_.empty()) {
    chunk = std::move(spare_.back());
    spare_.pop_back();
  }
  chunk.assign(records);
  queued_.push_back(std::move(chunk));
  lock.unlock();
  changed_.notify_all();
}

void EventFileWriter::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (error_.empty()) {
    file_.flush();
    if (!file_) error_ = "writing events.jsonl failed (disk full?)";
  }
  if (!error_.empty()) throw std::runtime_error(error_);
}

void EventFileWriter::run() {
  std::string lines;
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return !queued_.empty() || closing_; });
    if (queued_.empty()) return;  // closing, all written
    std::string chunk = std::move(queued_.front());
    queued_.pop_front();
    lock.unlock();
    changed_.notify_all();  // room for the run's next chunk
    std::string failure;
    lines.clear();
    try {
      append_event_lines(chunk, lines);
      file_.write(lines.data(), static_cast<std::streamsize>(lines.size()));
      if (!file_) failure = "writing events.jsonl failed (disk full?)";
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
