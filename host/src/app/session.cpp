#include "app/session.hpp"

#include "app/control_socket.hpp"
#include "app/execution.hpp"
#include "app/host_context.hpp"
#include "app/live_inbox.hpp"
#include "app/metrics_server.hpp"
#include "app/run_metrics.hpp"
#include "app/strategy_runtime.hpp"
#include "engine/event_time.hpp"
#include "loader/core_instance.hpp"
#include "loader/data_instance.hpp"
#include "loader/venue_instance.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <chrono>
#include <climits>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace mmh {
namespace {

// The record's start time: a candle's open, an event's own time otherwise.
int64_t start_time_ns(const mmh_batch& batch, size_t i) {
  const void* rec = static_cast<const char*>(batch.records) + i * batch.record_size;
  if (batch.kind == MMH_EVENT_CANDLE) return static_cast<const mmh_candle*>(rec)->open_ts_ns;
  return event_time_ns(batch.kind, rec);
}

// Index of the first record of a time-sorted batch that starts at or after t_ns.
size_t first_from(const mmh_batch& batch, int64_t t_ns) {
  size_t lo = 0, hi = batch.count;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (start_time_ns(batch, mid) < t_ns)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// Pulls the next batch, keeping only records that start in [start_ns, end_ns).
bool read_window(DataInstance& source, mmh_batch& out, int64_t start_ns, int64_t end_ns) {
  while (source.read_batch(out)) {
    if (out.count == 0) return false;
    const size_t begin = first_from(out, start_ns);
    if (begin == out.count) continue;  // the whole batch is before the window
    const size_t end = first_from(out, end_ns);
    if (end == begin) return false;  // the window is over
    out.records = static_cast<const char*>(out.records) + begin * out.record_size;
    out.count = end - begin;
    return true;
  }
  return false;
}

// The bars a run will feed, for progress: the source's count, cut to --start/--end.
uint64_t expected_bars(const RunReport& report, const RunOptions& options, int64_t ltf_ns) {
  const mmh_source_info& source = report.source;
  uint64_t total = source.record_count;
  if (report.bars_from_trades)
    total = static_cast<uint64_t>(std::max<int64_t>(0, source.last_ts_ns - source.first_ts_ns) /
                                  ltf_ns);
  if ((options.start_ns != INT64_MIN || options.end_ns != INT64_MAX) &&
      source.last_ts_ns > source.first_ts_ns) {
    const double span = static_cast<double>(source.last_ts_ns - source.first_ts_ns);
    const double from = static_cast<double>(std::max(options.start_ns, source.first_ts_ns));
    const double to = static_cast<double>(std::min(options.end_ns, source.last_ts_ns));
    total = to > from ? static_cast<uint64_t>(static_cast<double>(total) * (to - from) / span) : 0;
  }
  return total;
}

}  // namespace

Session::Session(const SessionParts& parts)
    : p_(parts),
      engine_(parts.clock),
      feeder_(parts.report.spec.htf_interval_ns, parts.report.spec.ltf_interval_ns, parts.core,
              &parts.runtime, &parts.report.decisions,
              parts.options.print_decisions ? &parts.decision_out : nullptr, parts.reloader,
              parts.options),
      feed_(parts.routes, parts.exec, parts.report.bars_from_trades ? &feeder_ : nullptr,
            parts.report.spec.ltf_interval_ns) {
  p_.host.services().set_clock(&p_.clock);
  // The routing table decides who listens: bars always (the feeder counts them), ticks when
  // anyone takes them.
  engine_.subscribe(MMH_EVENT_CANDLE, &feeder_);
  feed_.set_core(p_.core, [this] { feeder_.collect_decisions(); });
  for (int kind :
       {MMH_EVENT_TRADE, MMH_EVENT_BOOK_SNAPSHOT, MMH_EVENT_BOOK_DELTA, MMH_EVENT_TICKER})
    if (p_.routes.any(static_cast<uint32_t>(kind)))
      engine_.subscribe(static_cast<uint32_t>(kind), &feed_);
  const uint64_t bars = expected_bars(p_.report, p_.options, p_.report.spec.ltf_interval_ns);
  feeder_.set_execution(p_.exec, bars);
  if (p_.options.sink != nullptr) p_.options.sink->expect_bars(bars);
  add_sources();
  if (p_.plan.wall_clock) open_steering();
}

Session::~Session() {
  steering_.close();  // first thing on the way out: a waiting client is answered at once
  stop_status();
  metrics_.reset();
  p_.host.services().set_clock(nullptr);
}

void Session::add_sources() {
  const RunOptions& options = p_.options;
  if (p_.source != nullptr) {
    engine_.add_source(p_.plan.data_plugin->name, [src = p_.source, &options](mmh_batch& out) {
      return read_window(*src, out, options.start_ns, options.end_ns);
    });
  } else {
    // The window of the shared candles, in slices (no copy).
    const std::vector<mmh_candle>& bars = *options.candles;
    auto from = std::lower_bound(bars.begin(), bars.end(), options.start_ns,
                                 [](const mmh_candle& c, int64_t t) { return c.open_ts_ns < t; });
    auto to = std::lower_bound(from, bars.end(), options.end_ns,
                               [](const mmh_candle& c, int64_t t) { return c.open_ts_ns < t; });
    engine_.add_source("memory", [at = from, to](mmh_batch& out) mutable {
      if (at == to) return false;
      const auto n = std::min<std::ptrdiff_t>(4096, to - at);
      out = mmh_batch{
          sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, static_cast<size_t>(n), &*at};
      at += n;
      return true;
    });
  }
  // Tick streams are not cut at --start: a book needs its snapshot, and ticks before the first
  // bar meet no orders anyway.
  for (size_t i = 0; i < p_.market.size(); ++i)
    engine_.add_source(p_.report.market_sources[i].first,
                       [src = p_.market[i].get(), &options](mmh_batch& out) {
                         return read_window(*src, out, INT64_MIN, options.end_ns);
                       });
}

int64_t Session::now_ns() const {
  return p_.simulated == nullptr || p_.exec == nullptr || p_.exec->last_market_ns() == INT64_MIN
             ? p_.clock.now_ns()
             : p_.exec->last_market_ns();
}

// Steering while it runs: commands from the control socket and SIGUSR1 (the kill switch) run on
// the engine's thread, between bars of a paced replay or as they come on a stream.
void Session::open_steering() {
  RunReport& report = p_.report;
  try {
    control_ = std::make_unique<ControlServer>(report.run_dir, [this](const std::string& command) {
      return steering_.call(
          [this, command] {
            return control_answer(p_.exec, now_ns(), command, p_.report.metrics_url);
          },
          std::chrono::seconds(10));
    });
  } catch (const ControlError& e) {
    throw RunError(e.what());
  }
  kill_switch_ = std::make_unique<SignalRelay>(SIGUSR1, steering_, [this] {
    spdlog::warn("SIGUSR1: halting trading (cancel all, no new orders)");
    if (p_.exec != nullptr) p_.exec->command(RiskCommand::halt, now_ns(), "SIGUSR1");
  });
  feeder_.set_inbox(&steering_);
  spdlog::info("run directory {}: `mmhost status|halt|reduce|resume {}` steer it", report.run_dir,
               report.run_dir);
  if (!p_.options.metrics_address.empty() && p_.exec != nullptr) {
    try {
      metrics_ = std::make_unique<MetricsServer>(p_.options.metrics_address, [this] {
        std::string page =
            steering_.call([this] { return prometheus_text(*p_.exec, WallClock().now_ns()); },
                           std::chrono::seconds(2));
        return page.rfind("# ", 0) == 0 ? page : std::string();  // else the inbox's error
      });
    } catch (const MetricsError& e) {
      throw UsageError(e.what());
    }
    report.metrics_url = metrics_->url();
    spdlog::info("metrics: {}", metrics_->url());
  }
  if (p_.options.status_every_ns > 0 && p_.exec != nullptr)
    report_status(std::chrono::nanoseconds(p_.options.status_every_ns));
}

void Session::report_status(std::chrono::nanoseconds every) {
  const std::string file = (std::filesystem::path(p_.report.run_dir) / "status.jsonl").string();
  status_thread_ = std::thread([this, every, file] {
    std::unique_lock lock(status_mutex_);
    while (!status_cv_.wait_for(lock, every, [this] { return status_stop_; })) {
      lock.unlock();
      // Read on the engine thread, like a control command; a busy run skips a line.
      const std::string line = steering_.call(
          [this] { return status_json(*p_.exec, WallClock().now_ns()); }, std::chrono::seconds(2));
      if (line.rfind("{\"time\"", 0) == 0) {
        spdlog::info("status {}", status_text(line));
        std::ofstream(file, std::ios::app) << line << "\n";
      }
      lock.lock();
    }
  });
}

void Session::stop_status() {
  {
    std::lock_guard lock(status_mutex_);
    status_stop_ = true;
  }
  status_cv_.notify_all();
  if (status_thread_.joinable()) status_thread_.join();
}

void Session::run() {
  const auto start = std::chrono::steady_clock::now();
  p_.runtime.set_now(p_.simulated == nullptr ? p_.clock.now_ns() : p_.report.source.first_ts_ns);
  p_.runtime.start();
  p_.report.stats = p_.simulated != nullptr ? engine_.run_historical(*p_.simulated) : run_stream();
  report_end(start);
}

// Until Ctrl-C / SIGTERM (or --duration): the connector's events on the wall clock.
EngineStats Session::run_stream() {
  const RunOptions& options = p_.options;
  RunReport& report = p_.report;
  Execution* exec = p_.exec;
  VenueInstance* venue = p_.venue;
  LiveInbox& inbox = p_.inbox;
  boost::asio::io_context io;
  engine_.bind_live(io);
  inbox.attach(engine_);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  bool by_signal = false;
  signals.async_wait([this, &inbox, &by_signal](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("{}: stopping the run", signal == SIGINT ? "SIGINT" : "SIGTERM");
    by_signal = true;
    inbox.close();
    engine_.stop_live();
  });
  // Whatever way this is left (an exception too), the venue stops waking `io` before it is
  // gone; the venue's own stop (or destructor) may still post afterwards.
  struct WakeReset {
    std::atomic<boost::asio::io_context*>& wake;
    EngineInbox& steering;
    ~WakeReset() {
      wake = nullptr;
      steering.bind(nullptr);
    }
  } wake_reset{p_.venue_wake, steering_};
  p_.venue_wake = &io;
  steering_.bind(&io);
  if (options.duration_ns > 0)
    engine_.add_timer(p_.clock.now_ns() + options.duration_ns, [this, &inbox](int64_t) {
      inbox.close();
      engine_.stop_live();
    });
  // Stale data between updates: the gate weighs the age of the last book or ticker update
  // four times a second (a stream that goes quiet sends nothing to react to).
  std::function<void(int64_t)> age_check = [&](int64_t now) {
    exec->check_data_age(now);
    engine_.add_timer(now + 250'000'000, age_check);
  };
  if (exec != nullptr && exec->risk().limits().stale_ms > 0)
    engine_.add_timer(p_.clock.now_ns() + 250'000'000, age_check);
  // Once a second the venue gets what the core wants now (ticks move the core's grid; a venue
  // may cancel or refuse orders on its own): bounded by the RiskGate's order-rate budgets.
  std::function<void(int64_t)> resync = [&](int64_t now) {
    exec->resync(now);
    engine_.add_timer(now + 1'000'000'000, resync);
  };
  if (exec != nullptr) engine_.add_timer(p_.clock.now_ns() + 1'000'000'000, resync);
  if (exec != nullptr)
    engine_.observe_live([exec](uint32_t kind, int64_t ns) { exec->reacted(kind, ns); });
  spdlog::info("{} run on {}: Ctrl-C stops it", options.live ? "live" : "paper", report.live_venue);
  // The one way a stream stops: no event is taken and no order command leaves after this; then
  // the venue cancels (every order on the symbol with `cancel_all`, else this run's) and
  // reconciles. Returns the venue's error, empty when the stop went through.
  auto stop = [&](bool cancel_all) -> std::string {
    inbox.close();
    if (p_.source != nullptr) p_.source->stop();  // no post after this
    if (venue == nullptr || !venue->is_live()) return {};
    exec->stop_orders();
    try {
      venue->stop(cancel_all ? MMH_VENUE_STOP_CANCEL_ALL : 0);
    } catch (const std::exception& e) {
      return e.what();
    }
    return {};
  };
  EngineStats stats;
  try {
    stats = engine_.run_live(io);
  } catch (...) {
    // Whatever ended the loop, a live run never leaves orders behind: cancel-all on the
    // symbol, before the error goes on to the top.
    const std::string error = stop(/*cancel_all=*/true);
    if (venue != nullptr && venue->is_live())
      spdlog::error("{}", error.empty()
                              ? "the run failed: every order on the symbol was cancelled"
                              : "the run failed and cancelling its orders failed too: " + error);
    throw;
  }
  // A signal cancels everything on the symbol; otherwise this run's open orders. Then the
  // venue's final reconciliation reaches the ledger.
  const std::string stop_error = stop(by_signal);
  if (venue != nullptr && venue->is_live()) {
    report.execution->cancelled_all = by_signal;
    report.execution->stop_error = stop_error;
    if (!stop_error.empty()) spdlog::error("{}", stop_error);
    exec->on_venue_events();
    exec->wallets_agree(p_.clock.now_ns());
  }
  return stats;
}

void Session::report_end(std::chrono::steady_clock::time_point start) {
  RunReport& report = p_.report;
  feeder_.finish();
  p_.runtime.stop();
  feeder_.collect_decisions();
  report.ltf_bars = feeder_.bars_fed();
  report.bars_dropped = feeder_.bars_dropped();
  if (p_.options.progress)
    p_.options.progress(report.ltf_bars, report.ltf_bars, report.stats.last_event_ns);
  if (Execution* exec = p_.exec) {
    ExecutionReport& x = *report.execution;
    x.ledger.emplace(exec->ledger());
    x.stats = exec->stats();
    x.orders = exec->orders().stats();
    // What the venue holds by its own word: a command sent at the last close that it never
    // answered is not an open order.
    x.open_orders_at_end = static_cast<size_t>(
        std::count_if(exec->orders().working().begin(), exec->orders().working().end(),
                      [](const WorkingOrder& w) { return w.acked; }));
    x.event_hash = exec->event_hash();
    x.risk = exec->risk();
    x.quote_pulls = exec->quote_pulls();
    x.events = exec->event_count();
  }
  report.script_errors = p_.runtime.error_count();
  report.metrics = p_.runtime.metrics();
  if (CoreInstance* core = p_.core) {
    mmh_desired_state desired{};
    report.decisions.has_desired = core->desired_state(desired);
    report.decisions.desired_mode = desired.mode;
    report.decisions.desired.assign(desired.orders, desired.orders + desired.count);
    report.core_metrics = core->publication().metrics;
  }
  report.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.htf_bars = feeder_.htf_bars();
  report.htf_partial_bars = feeder_.htf_partial_bars();
}

}  // namespace mmh
