#include "app/core_feeder.hpp"

#include "app/format.hpp"
#include "app/reloader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace mmh {

CoreFeeder::CoreFeeder(int64_t htf_ns, int64_t ltf_ns, CoreInstance* core, StrategyRuntime* runtime,
                       DecisionSummary* summary, std::ostream* lines, Reloader* reloader,
                       const RunOptions& options)
    : resampler_(htf_ns, [this](const mmh_candle& bar) { completed_.push_back(bar); }),
      same_interval_(htf_ns == ltf_ns),
      core_(core),
      runtime_(runtime),
      summary_(summary),
      lines_(lines),
      reloader_(reloader),
      options_(options),
      per_bar_(options.speed > 0 || options.at_boundary != nullptr) {}

void CoreFeeder::set_execution(Execution* exec, uint64_t total_bars) {
  exec_ = exec;
  total_bars_ = total_bars;
  if (exec_ != nullptr) exec_->set_after_core_input([this] { collect(); });
}

void CoreFeeder::on_batch(const mmh_batch& in) {
  const mmh_batch batch = in.kind == MMH_EVENT_CANDLE ? only_new_bars(in) : in;
  if (batch.count == 0) return;
  if (!per_bar_) {
    boundary(batch_close_ns(batch, 0));
    feed(batch);
    return;
  }
  for (size_t i = 0; i < batch.count; ++i) {
    const int64_t close_ns = batch_close_ns(batch, i);
    pace(close_ns);
    boundary(close_ns);
    mmh_batch one = batch;
    one.count = 1;
    one.records = static_cast<const char*>(batch.records) + i * batch.record_size;
    feed(one);
  }
}

void CoreFeeder::finish() {
  resampler_.flush();
  completed_.clear();
}

mmh_batch CoreFeeder::only_new_bars(const mmh_batch& in) {
  const auto open_at = [&in](size_t i) {
    return reinterpret_cast<const mmh_candle*>(static_cast<const char*>(in.records) +
                                               i * in.record_size)
        ->open_ts_ns;
  };
  bool all_new = true;
  int64_t last = last_bar_open_ns_;
  for (size_t i = 0; i < in.count && all_new; ++i) {
    all_new = open_at(i) > last;
    last = open_at(i);
  }
  if (all_new) {
    if (in.count > 0) last_bar_open_ns_ = open_at(in.count - 1);
    return in;
  }
  fresh_bars_.clear();
  for (size_t i = 0; i < in.count; ++i) {
    if (open_at(i) <= last_bar_open_ns_) {
      ++bars_dropped_;
      spdlog::debug("bar opening at {} dropped: not after the last bar fed", iso_time(open_at(i)));
      continue;
    }
    last_bar_open_ns_ = open_at(i);
    fresh_bars_.push_back(*reinterpret_cast<const mmh_candle*>(
        static_cast<const char*>(in.records) + i * in.record_size));
  }
  mmh_batch out = in;
  out.record_size = sizeof(mmh_candle);
  out.count = fresh_bars_.size();
  out.records = fresh_bars_.data();
  return out;
}

int64_t CoreFeeder::batch_close_ns(const mmh_batch& batch, size_t i) {
  const auto* bar = reinterpret_cast<const mmh_candle*>(static_cast<const char*>(batch.records) +
                                                        i * batch.record_size);
  return bar->open_ts_ns + bar->interval_ns;
}

void CoreFeeder::pace(int64_t close_ns) {
  if (options_.speed <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (first_close_ns_ == 0) {
    first_close_ns_ = close_ns;
    wall_start_ = now;
    return;
  }
  // Clamped (about 31 years) so the conversion to an integer duration is always defined.
  const double wait_ns =
      std::min(static_cast<double>(close_ns - first_close_ns_) / options_.speed, 1e18);
  const auto due = wall_start_ + std::chrono::nanoseconds(static_cast<int64_t>(wait_ns));
  if (due <= now) return;
  if (inbox_ != nullptr)
    inbox_->wait_until(due);
  else
    std::this_thread::sleep_until(due);
}

void CoreFeeder::boundary(int64_t next_close_ns) {
  if (inbox_ != nullptr) inbox_->run_pending();
  if (options_.at_boundary) options_.at_boundary(next_close_ns);
  mmh_decision reload{};
  if (reloader_ != nullptr && reloader_->check(next_close_ns, *summary_, reload)) record(reload);
}

void CoreFeeder::feed(const mmh_batch& batch) {
  if (exec_ == nullptr) {
    feed_bars(batch);
    bars_ += batch.count;
    report_progress(batch, batch.count - 1);
    return;
  }
  for (size_t i = 0; i < batch.count; ++i) {
    const auto& bar = *reinterpret_cast<const mmh_candle*>(static_cast<const char*>(batch.records) +
                                                           i * batch.record_size);
    exec_->before_bar(bar);
    mmh_batch one = batch;
    one.count = 1;
    one.records = &bar;
    feed_bars(one);
    exec_->after_bar(bar);
    ++bars_;
    if (bars_ % 4096 == 0) report_progress(batch, i);
  }
}

void CoreFeeder::report_progress(const mmh_batch& batch, size_t i) {
  if (!options_.progress || batch.count == 0) return;
  const auto& bar = *reinterpret_cast<const mmh_candle*>(static_cast<const char*>(batch.records) +
                                                         i * batch.record_size);
  options_.progress(bars_, total_bars_, bar.open_ts_ns + bar.interval_ns);
}

void CoreFeeder::feed_bars(const mmh_batch& batch) {
  const char* base = static_cast<const char*>(batch.records);
  size_t start = 0;
  for (size_t i = 0; i < batch.count; ++i) {
    resampler_.add(*reinterpret_cast<const mmh_candle*>(base + i * batch.record_size));
    if (completed_.empty()) continue;
    forward(batch, start, i + 1);
    start = i + 1;
    // Equal intervals: the core takes each LTF bar as the HTF bar too.
    if (core_ != nullptr && !same_interval_) {
      mmh_batch htf{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0,
                    completed_.size(), completed_.data()};
      if (runtime_ != nullptr)
        runtime_->set_now(completed_.back().open_ts_ns + completed_.back().interval_ns);
      core_->on_events(htf);
      collect();
    }
    // A script's on_bar may make the core decide, or fail: heard right after. Without one
    // nothing new can be there (most strategies: a collection saved on every HTF bar).
    const bool hooked = runtime_ != nullptr && runtime_->wants_bars();
    for (const mmh_candle& bar : completed_) {
      if (reloader_ != nullptr && !same_interval_) reloader_->remember(bar, true);
      if (hooked) runtime_->on_bar(bar);
    }
    if (hooked) collect();
    completed_.clear();
  }
  forward(batch, start, batch.count);
}

void CoreFeeder::forward(const mmh_batch& batch, size_t begin, size_t end) {
  if (core_ == nullptr || begin == end) return;
  mmh_batch part = batch;
  part.count = end - begin;
  part.records = static_cast<const char*>(batch.records) + begin * batch.record_size;
  const auto* last = reinterpret_cast<const mmh_candle*>(static_cast<const char*>(part.records) +
                                                         (part.count - 1) * batch.record_size);
  if (runtime_ != nullptr) runtime_->set_now(last->open_ts_ns + last->interval_ns);
  core_->on_events(part);
  collect();
  if (reloader_ != nullptr)
    for (size_t i = 0; i < part.count; ++i)
      reloader_->remember(*reinterpret_cast<const mmh_candle*>(
                              static_cast<const char*>(part.records) + i * batch.record_size),
                          same_interval_);
}

void CoreFeeder::collect() {
  if (runtime_ != nullptr)
    for (const mmh_decision& d : runtime_->take_errors()) record(d);
  if (core_ != nullptr) core_->take_decisions([this](const mmh_decision& d) { record(d); });
}

void CoreFeeder::record(const mmh_decision& d) {
  summary_->add(d);
  if (exec_ != nullptr) exec_->record_decision(d);
  if (lines_ != nullptr) *lines_ << iso_time(d.ts_ns) << " " << d.kind << " " << d.detail << "\n";
}

}  // namespace mmh
