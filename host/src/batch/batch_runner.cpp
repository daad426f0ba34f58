#include "batch/batch_runner.hpp"

#include "app/progress_file.hpp"

#include "app/format.hpp"
#include "app/host_context.hpp"
#include "app/run_command.hpp"
#include "batch/worker_pool.hpp"
#include "engine/event_time.hpp"
#include "hash/sha256.hpp"
#include "loader/data_instance.hpp"
#include "lua/strategy_spec.hpp"

#include <mmhost/sdk/interval.hpp>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <sstream>

#ifndef MMHOST_VERSION
#define MMHOST_VERSION "0.0.0"
#endif

namespace mmh::batch {

namespace {

using json = nlohmann::json;

std::string window_text(int64_t ns, bool start) {
  if (start ? ns == INT64_MIN : ns == INT64_MAX) return "";
  return iso_time(ns);
}

std::string eta_text(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%lld:%02lld", static_cast<long long>(s / 60),
                static_cast<long long>(s % 60));
  return buf;
}

}  // namespace

std::shared_ptr<const CandleSet> load_candles(HostContext& host, const std::string& file,
                                              int64_t start_ns, int64_t end_ns) {
  const std::string& connector = host.config().file_connector;
  const LoadedPlugin* replay = host.plugins().find(connector, MMH_KIND_DATA);
  if (replay == nullptr)
    throw RunError("the " + connector +
                   " data connector (connectors.files) was not found (see `mmhost plugins`)");
  auto set = std::make_shared<CandleSet>();
  set->file = file;
  try {
    DataInstance source(*replay,
                        {{"file", file}, {"symbol_id", "1"}, {"cache_dir", host.cache_dir()}});
    const mmh_source_info info = source.describe();
    if (info.primary_kind != MMH_EVENT_CANDLE)
      throw RunError(file + ": holds " + event_kind_name(info.primary_kind) +
                     " records; a batch loads candles");
    set->interval_ns = info.interval_ns;
    set->instrument = source.instrument();  // its sidecar, when it has one
    set->bars.reserve(info.record_count);
    mmh_batch batch{};
    while (source.read_batch(batch) && batch.count > 0) {
      const auto* bars = static_cast<const mmh_candle*>(batch.records);
      for (size_t i = 0; i < batch.count; ++i)
        if (bars[i].open_ts_ns >= start_ns && bars[i].open_ts_ns < end_ns)
          set->bars.push_back(bars[i]);
    }
  } catch (const PluginCallError& e) {
    throw RunError(e.what());
  }
  if (set->bars.empty()) throw RunError(file + ": no candles in the chosen time range");
  Sha256 h;
  for (const mmh_candle& c : set->bars) {
    for (int64_t v :
         {c.open_ts_ns, c.interval_ns, c.open_e8, c.high_e8, c.low_e8, c.close_e8, c.volume_e8})
      h.add(v);
  }
  // A sidecar instrument changes the results as much as the bars do: it is part of the key.
  if (set->instrument)
    for (const mmh_decimal& d :
         {set->instrument->tick_size, set->instrument->lot_size, set->instrument->min_order_qty,
          set->instrument->min_order_value}) {
      h.add(d.mantissa);
      h.add(static_cast<int64_t>(d.exponent));
    }
  set->hash = h.hex();
  return set;
}

BatchRunner::BatchRunner(HostContext& host, ResultStore& store, std::string batch_script,
                         unsigned workers, bool progress)
    : host_(host),
      store_(store),
      batch_script_(std::move(batch_script)),
      workers_(workers == 0 ? 1 : workers),
      progress_(progress) {}

const BatchRunner::StrategyInputs& BatchRunner::strategy_inputs(const std::string& path) {
  auto it = strategy_inputs_.find(path);
  if (it != strategy_inputs_.end()) return it->second;
  StrategySpec spec;
  try {
    spec = load_strategy_spec(path);
  } catch (const ScriptError& e) {
    throw RunError(e.what());
  }
  auto file_hash = [this](const std::string& file) -> const std::string& {
    auto [at, added] = file_sha256_.try_emplace(file);
    if (added) at->second = sha256_file_hex(file);
    return at->second;
  };
  json builds = json::object();
  builds["mmhost"] = {{"version", MMHOST_VERSION}, {"sha256", file_hash("/proc/self/exe")}};
  for (const auto& [name, kind] :
       {std::pair<std::string, uint32_t>{host_.config().file_connector, MMH_KIND_DATA},
        {spec.core_plugin, MMH_KIND_CORE},
        {spec.venue_plugin, MMH_KIND_VENUE}})
    if (const LoadedPlugin* p = host_.plugins().find(name, kind))
      builds[p->name] = {{"version", p->version}, {"sha256", file_hash(p->path)}};
  return strategy_inputs_[path] = StrategyInputs{script_hash(spec), builds.dump()};
}

std::string BatchRunner::key_of(const BatchJob& job, RunRecord& r) {
  const BacktestOptions& o = job.options;
  r.batch_script = batch_script_;
  r.strategy = job.strategy;
  r.label = job.label;
  json params = json::object();
  for (const auto& [k, v] : job.params) params[k] = v;
  r.params_json = params.dump();
  r.window_start = window_text(job.start_ns, true);
  r.window_end = window_text(job.end_ns, false);
  json opt = {{"fill_model", o.fill_model},    {"fees", o.fees},
              {"latency_ms", o.latency_ms},    {"md_latency_ms", o.md_latency_ms},
              {"slippage", o.slippage},        {"seed", o.seed},
              {"htf_interval", o.htf_interval}};
  r.options_json = opt.dump();
  const StrategyInputs& strategy = strategy_inputs(job.strategy);
  r.script_hash = strategy.script_hash;
  r.data_hash = job.data->hash;
  // Everything a run's result depends on.
  json inputs = {{"script", r.script_hash},
                 {"data", r.data_hash},
                 {"params", std::move(params)},
                 {"window", {r.window_start, r.window_end}},
                 {"options", opt}};
  const std::string text = inputs.dump() + strategy.builds;
  Sha256 h;
  h.add(text.data(), text.size());
  return h.hex();
}

std::vector<RunRecord> BatchRunner::run(const std::vector<BatchJob>& jobs, bool& interrupted,
                                        std::vector<bool>* cached) {
  interrupted = false;
  if (cached != nullptr) cached->assign(jobs.size(), false);
  const int64_t call = ++calls_;
  const auto wall_start = std::chrono::steady_clock::now();
  std::vector<RunRecord> out(jobs.size());
  std::vector<size_t> todo;
  std::map<std::string, size_t> first_of_key;  // the same inputs twice in one call run once
  std::vector<std::pair<size_t, size_t>> copies;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].data) throw RunError("batch job " + std::to_string(i + 1) + " has no data");
    out[i].key = key_of(jobs[i], out[i]);
    out[i].seq = call * 1'000'000 + static_cast<int64_t>(i);
    if (auto it = first_of_key.find(out[i].key); it != first_of_key.end()) {
      copies.emplace_back(i, it->second);
      continue;
    }
    first_of_key[out[i].key] = i;
    if (std::optional<RunRecord> stored = store_.find(out[i].key)) {
      out[i] = std::move(*stored);
      if (cached != nullptr) (*cached)[i] = true;
      ++totals_.cached;
      continue;
    }
    todo.push_back(i);
  }

  const bool tty = progress_ && isatty(fileno(stderr)) != 0;
  size_t finished = 0, failed = 0;
  ProgressFile progress_file;
  auto show = [&] {
    progress_file.update(
        todo.empty() ? 1.0 : static_cast<double>(finished) / static_cast<double>(todo.size()));
    if (!tty) return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    const double frac =
        todo.empty() ? 1.0 : static_cast<double>(finished) / static_cast<double>(todo.size());
    const std::string eta = finished > 0 ? eta_text(elapsed / static_cast<double>(finished) *
                                                    static_cast<double>(todo.size() - finished))
                                         : "?";
    std::fprintf(stderr, "\rbatch %s %zu/%zu runs, %zu failed, ETA %s ", progress_bar(frac).c_str(),
                 finished, todo.size(), failed, eta.c_str());
    std::fflush(stderr);
  };
  show();
  auto run_one = [&](size_t n) -> std::string {
    const BatchJob& job = jobs[todo[n]];
    BacktestOptions o = job.options;
    o.strategy_path = job.strategy;
    o.ltf_interval = sdk::format_interval(job.data->interval_ns);
    o.progress = false;
    RunOptions run = backtest_run_options(o);
    run.candles = &job.data->bars;
    run.candles_file = job.data->file;
    run.instrument = job.data->instrument;
    run.param_overrides = job.params;
    run.hot_reload = false;
    run.start_ns = job.start_ns;
    run.end_ns = job.end_ns;
    std::ostringstream ignored;
    const RunReport report = run_strategy(host_, run, ignored);
    if (!report.execution || !report.execution->ledger)
      throw RunError(job.strategy + ": the strategy names no core, so there is nothing to trade");
    return backtest_summary_json(report, o, -1);
  };
  auto on_done = [&](size_t n, const JobOutcome& outcome) {
    RunRecord& r = out[todo[n]];
    r.status = outcome.ok ? "ok" : "failed";
    (outcome.ok ? r.summary_json : r.error) = outcome.text;
    r.wall_ms = outcome.wall_ms;
    store_.put(r);
    ++finished;
    ++totals_.computed;
    if (!outcome.ok) {
      ++failed;
      ++totals_.failed;
    }
    show();
  };
  const bool complete = run_pool(todo.size(), workers_, run_one, on_done);
  if (tty) std::fputc('\n', stderr);
  interrupted = !complete;
  for (const auto& [copy, original] : copies) {
    out[copy] = out[original];
    if (cached != nullptr) (*cached)[copy] = (*cached)[original];
  }
  totals_.wall_s +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return out;
}

}  // namespace mmh::batch
