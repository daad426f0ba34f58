// Writes a run's events.jsonl on a thread of its own: the run hands over its event records in
// chunks (app/event_line.hpp) and goes on simulating while the lines are rendered and written.
// Bounded: at most kQueuedChunks chunks wait, so memory does not grow with the run, and a run
// faster than its disk waits for it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mmh {

class EventFileWriter {
 public:
  static constexpr size_t kQueuedChunks = 8;

  // Creates (truncates) the file; throws std::runtime_error if it cannot.
  explicit EventFileWriter(const std::filesystem::path& path);
  // Stops the thread; what was not written by close() is dropped (a failed run's files are).
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  // Whole records, in order; copied (the caller reuses its buffer).
  void add(std::string_view records);
  // Renders and writes everything added, then ends the thread. Throws std::runtime_error when
  // the file could not be written (disk full) or a chunk was not records.
  void close();

 private:
  void run();

  std::ofstream file_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queued_;  // chunks of records, oldest first
  std::vector<std::string> spare_;  // written chunks, reused
  bool closing_ = false;
  std::string error_;  // the thread's first failure
  std::thread thread_;
};

}  // namespace mmh
