#include "app/run_command.hpp"

#include "app/format.hpp"
#include "app/host_context.hpp"
#include "engine/clock.hpp"
#include "engine/event_time.hpp"
#include "engine/resampler.hpp"
#include "loader/data_instance.hpp"

#include <mmhost/sdk/interval.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <ostream>

namespace mmh {
namespace {

// Builds the strategy's structure timeframe from the replayed execution-timeframe candles.
class HtfBuilder final : public BatchHandler {
 public:
  explicit HtfBuilder(int64_t htf_ns) : resampler_(htf_ns, [](const mmh_candle&) {}) {}
  void on_batch(const mmh_batch& batch) override {
    const char* p = static_cast<const char*>(batch.records);
    for (size_t i = 0; i < batch.count; ++i, p += batch.record_size)
      resampler_.add(*reinterpret_cast<const mmh_candle*>(p));
  }
  Resampler resampler_;
};

std::string resolve_data_file(const HostContext& host, const RunOptions& options,
                              const StrategySpec& spec) {
  if (!options.replay_file.empty()) return options.replay_file;
  if (spec.replay_file.empty())
    throw RunError(spec.path +
                   ": no market data: pass --replay FILE or set market.file in the strategy");
  const std::filesystem::path file =
      std::filesystem::path(host.config().data_dir) / spec.replay_file;
  if (!std::filesystem::exists(file))
    throw RunError(file.string() + ": no such file (market.file of " + spec.path +
                   " is relative to the data dir '" + host.config().data_dir +
                   "'; generate sample data with `mmhost sample-data`, or pass --replay FILE)");
  return file.string();
}

}  // namespace

RunReport run_strategy(HostContext& host, const RunOptions& options) {
  RunReport report;
  report.spec = load_strategy_spec(options.strategy_path);
  const StrategySpec& spec = report.spec;
  const LoadedPlugin* plugin = host.plugins().find(spec.data_plugin, MMH_KIND_DATA);
  if (plugin == nullptr) {
    std::string available;
    for (const auto& p : host.plugins().plugins())
      if (p.kinds & MMH_KIND_DATA) available += (available.empty() ? "" : ", ") + p.name;
    throw RunError(
        spec.path + ": market.data names plugin '" + spec.data_plugin +
        "', which was not found among data plugins (" +
        (available.empty() ? "none found; see `mmhost plugins`" : "available: " + available) + ")");
  }
  report.data_plugin_version = plugin->version;
  std::map<std::string, std::string> settings = {
      {"symbol", spec.symbol},
      {"symbol_id", "1"},
      {"interval", sdk::format_interval(spec.ltf_interval_ns)},
      {"cache_dir", host.cache_dir()},
  };
  if (spec.data_plugin == "replay" || !options.replay_file.empty() || !spec.replay_file.empty()) {
    report.source_file = resolve_data_file(host, options, spec);
    settings["file"] = report.source_file;
  }

  DataInstance source(*plugin, settings);
  if (!source.can_read())
    throw RunError("plugin '" + plugin->name +
                   "' is live-only; `mmhost run` replays historical sources here");
  report.source = source.describe();

  SimulatedClock clock;
  host.services().set_clock(&clock);
  Engine engine(clock);
  HtfBuilder htf(spec.htf_interval_ns);
  engine.subscribe(MMH_EVENT_CANDLE, &htf);
  engine.add_source(plugin->name, [&source](mmh_batch& out) { return source.read_batch(out); });

  const auto start = std::chrono::steady_clock::now();
  report.stats = engine.run_historical(clock);
  htf.resampler_.flush();
  report.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  host.services().set_clock(nullptr);
  report.htf_bars = htf.resampler_.emitted();
  report.htf_partial_bars = htf.resampler_.emitted_partial();
  return report;
}

void print_run_report(const RunReport& r, std::ostream& out) {
  const StrategySpec& s = r.spec;
  out << "strategy   " << s.path << (s.name.empty() ? "" : " (" + s.name + ")") << ": " << s.symbol
      << ", ltf " << sdk::format_interval(s.ltf_interval_ns) << ", htf "
      << sdk::format_interval(s.htf_interval_ns) << "\n";
  out << "source     " << s.data_plugin << " " << r.data_plugin_version;
  if (!r.source_file.empty()) out << ": " << r.source_file;
  out << (r.source.from_cache ? " (binary cache)" : "") << "\n";
  if (r.source.interval_ns > 0) {
    out << "data       " << with_commas(r.source.record_count) << " "
        << sdk::format_interval(r.source.interval_ns) << " candles, "
        << with_commas(r.source.gap_count) << " gaps";
    if (r.source.gap_count > 0)
      out << " (" << with_commas(r.source.missing_bars) << " bars missing, largest "
          << sdk::format_interval(r.source.largest_gap_ns) << ")";
    out << "\n";
  } else if (r.source.record_count > 0) {
    out << "data       " << with_commas(r.source.record_count) << " "
        << event_kind_name(r.source.primary_kind) << " records\n";
  }
  out << "events    ";
  for (uint32_t k = 1; k < MMH_EVENT_KIND_COUNT; ++k)
    if (r.stats.events_by_kind[k] > 0)
      out << " " << event_kind_name(k) << " " << with_commas(r.stats.events_by_kind[k]);
  out << " (total " << with_commas(r.stats.total_events()) << ")\n";
  out << "htf bars   " << with_commas(r.htf_bars) << " " << sdk::format_interval(s.htf_interval_ns)
      << " bars";
  if (r.htf_partial_bars > 0) out << " (" << with_commas(r.htf_partial_bars) << " partial)";
  out << "\n";
  if (r.stats.total_events() > 0)
    out << "time       " << iso_time(r.stats.first_event_ns) << " -> "
        << iso_time(r.stats.last_event_ns) << " (event time; candles at close)\n";
  const double rate =
      r.elapsed_s > 0 ? static_cast<double>(r.stats.total_events()) / r.elapsed_s : 0.0;
  out << "elapsed    " << fixed(r.elapsed_s * 1000.0, 3) << " ms, " << human_rate(rate)
      << " events/s\n";
}

}  // namespace mmh
