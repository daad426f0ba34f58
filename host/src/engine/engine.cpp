#include "engine/engine.hpp"

#include "engine/owned_batch.hpp"

#include "engine/clock.hpp"
#include "engine/event_time.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstring>

namespace mmh {

uint64_t EngineStats::total_events() const {
  uint64_t total = 0;
  for (const uint64_t n : events_by_kind) total += n;
  return total;
}

Engine::Engine(Clock& clock) : clock_(clock) {}
Engine::~Engine() = default;

void Engine::subscribe(uint32_t kind, BatchHandler* handler) {
  if (kind == 0) {
    all_handlers_.push_back(handler);
  } else if (kind < MMH_EVENT_KIND_COUNT) {
    handlers_[kind].push_back(handler);
  } else {
    throw EngineError("subscribe: unknown event kind " + std::to_string(kind));
  }
}

size_t Engine::add_source(std::string name, PullFn pull) {
  sources_.push_back(Source{std::move(name), std::move(pull)});
  return sources_.size() - 1;
}

void Engine::add_timer(int64_t due_ns, TimerFn fn) {
  Timer t{due_ns, timer_seq_++, std::move(fn)};
  if (io_ != nullptr) {
    arm_live_timer(std::move(t));
  } else {
    timers_.push(std::move(t));
  }
}

int64_t Engine::time_at(const Source& s, size_t i) const {
  const char* p = static_cast<const char*>(s.batch.records) + i * s.batch.record_size;
  return event_time_ns(s.batch.kind, p);
}

void Engine::refill(Source& s) {
  while (!s.done && s.pos >= s.batch.count) {
    mmh_batch next{};
    next.size = sizeof(next);
    if (!s.pull(next) || next.count == 0) {
      s.done = true;
      s.batch = mmh_batch{};
      s.pos = 0;
      return;
    }
    // Validate once per pulled batch; the merge below relies on sorted, well-formed records.
    if (next.kind == 0 || next.kind >= MMH_EVENT_KIND_COUNT)
      throw EngineError("source '" + s.name + "' sent a batch of unknown kind " +
                        std::to_string(next.kind));
    if (next.record_size < known_record_size(next.kind) || next.records == nullptr)
      throw EngineError("source '" + s.name + "' sent " + event_kind_name(next.kind) +
                        " records of size " + std::to_string(next.record_size) +
                        ", smaller than ABI 1.0's " + std::to_string(known_record_size(next.kind)));
    s.batch = next;
    s.pos = 0;
    int64_t previous = s.last_time_ns;
    for (size_t i = 0; i < next.count; ++i) {
      const int64_t t = time_at(s, i);
      if (t < previous)
        throw EngineError("source '" + s.name + "' went back in time at record " +
                          std::to_string(i) + " (" + std::to_string(t) + " ns < " +
                          std::to_string(previous) + " ns)");
      previous = t;
    }
    s.last_time_ns = previous;
  }
}

void Engine::dispatch(const mmh_batch& run, int64_t first_ns, int64_t last_ns) {
  auto& stats = stats_;
  if (stats.total_events() == 0) stats.first_event_ns = first_ns;
  stats.last_event_ns = last_ns;
  stats.events_by_kind[run.kind] += run.count;
  ++stats.runs;
  for (BatchHandler* h : handlers_[run.kind]) h->on_batch(run);
  for (BatchHandler* h : all_handlers_) h->on_batch(run);
}

void Engine::fire_timers_before(int64_t limit_ns, bool inclusive, SimulatedClock* sim) {
  while (!timers_.empty()) {
    const int64_t due = timers_.top().due_ns;
    if (inclusive ? due > limit_ns : due >= limit_ns) break;
    Timer t = timers_.top();
    timers_.pop();
    if (sim != nullptr) sim->advance_to(due);
    ++stats_.timers_fired;
    t.fn(clock_.now_ns());
  }
}

EngineStats Engine::run_historical(SimulatedClock& clock) {
  if (&clock != &clock_) throw EngineError("run_historical needs the engine's own simulated clock");
  for (Source& s : sources_) refill(s);
  for (;;) {
    // The source whose next event is earliest; ties go to the lower index.
    size_t best = sources_.size();
    int64_t best_t = 0;
    for (size_t i = 0; i < sources_.size(); ++i) {
      const Source& s = sources_[i];
      if (s.done) continue;
      const int64_t t = time_at(s, s.pos);
      if (best == sources_.size() || t < best_t) {
        best = i;
        best_t = t;
      }
    }
    if (best == sources_.size()) break;
    // Timers due strictly before this event fire first.
    fire_timers_before(best_t, false, &clock);

    // How far this source may run: up to other sources' next events (tie rule by index) and up to
    // the next timer (events at T go before a timer at T).
    Source& s = sources_[best];
    int64_t limit = INT64_MAX;
    bool limit_inclusive = true;
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (i == best || sources_[i].done) continue;
      const int64_t t = time_at(sources_[i], sources_[i].pos);
      const bool inclusive = best < i;
      if (t < limit || (t == limit && !inclusive)) {
        limit = t;
        limit_inclusive = inclusive;
      }
    }
    if (!timers_.empty() && timers_.top().due_ns < limit) {
      limit = timers_.top().due_ns;
      limit_inclusive = true;
    }
    // Binary search for the first record past the limit (records are sorted).
    size_t lo = s.pos + 1;
    size_t hi = s.batch.count;
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      const int64_t t = time_at(s, mid);
      const bool within = limit_inclusive ? t <= limit : t < limit;
      if (within) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    const size_t end = lo;
    mmh_batch run = s.batch;
    run.records = static_cast<const char*>(s.batch.records) + s.pos * s.batch.record_size;
    run.count = end - s.pos;
    const int64_t last_t = time_at(s, end - 1);
    clock.advance_to(best_t);
    dispatch(run, best_t, last_t);
    clock.advance_to(last_t);
    s.pos = end;
    refill(s);
  }
  // Timers due up to the last event still fire; later ones belong to time that never came.
  fire_timers_before(stats_.last_event_ns, true, &clock);
  return stats_;
}

// ---- live -----------------------------------------------------------------------------------

void Engine::bind_live(boost::asio::io_context& io) {
  std::lock_guard lock(live_mutex_);
  io_ = &io;
}

EngineStats Engine::run_live(boost::asio::io_context& io) {
  {
    std::lock_guard lock(live_mutex_);
    io_ = &io;
  }
  // Timers added before the loop started are armed now.
  while (!timers_.empty()) {
    arm_live_timer(timers_.top());
    timers_.pop();
  }
  auto guard = boost::asio::make_work_guard(io);
  io.run();
  std::lock_guard lock(live_mutex_);
  io_ = nullptr;
  return stats_;
}

void Engine::post_live(const mmh_batch& batch) {
  if (batch.count == 0) return;
  if (batch.kind == 0 || batch.kind >= MMH_EVENT_KIND_COUNT ||
      batch.record_size < known_record_size(batch.kind))
    throw EngineError("post: malformed batch of kind " + std::to_string(batch.kind));
  // Copy now, with the book levels the records point at: the poster's buffers are only
  // borrowed for the call.
  auto owned = std::make_shared<OwnedBatch>(batch);
  const auto posted = std::chrono::steady_clock::now();
  std::lock_guard lock(live_mutex_);
  if (io_ == nullptr) throw EngineError("post: the live loop is not running");
  boost::asio::post(*io_, [this, owned, posted] {
    const mmh_batch copy = owned->batch();
    const char* records = static_cast<const char*>(copy.records);
    const int64_t first = event_time_ns(copy.kind, records);
    const int64_t last = event_time_ns(copy.kind, records + (copy.count - 1) * copy.record_size);
    dispatch(copy, first, last);
    if (live_observer_)
      live_observer_(copy.kind, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now() - posted)
                                    .count());
  });
}

void Engine::stop_live() {
  std::lock_guard lock(live_mutex_);
  if (io_ != nullptr) io_->stop();
}

void Engine::arm_live_timer(Timer timer) {
  const int64_t delay_ns = std::max<int64_t>(0, timer.due_ns - clock_.now_ns());
  auto t = std::make_shared<boost::asio::steady_timer>(*io_, std::chrono::nanoseconds(delay_ns));
  t->async_wait([this, t, fn = std::move(timer.fn)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled at shutdown
    ++stats_.timers_fired;
    fn(clock_.now_ns());
  });
}

}  // namespace mmh
