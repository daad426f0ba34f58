#include "app/fetch_command.hpp"

#include "app/backtest_command.hpp"
#include "app/format.hpp"
#include "app/host_context.hpp"
#include "loader/data_instance.hpp"

#include <mmhost/plugin.h>
#include <mmhost/sdk/regular_file.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdio>

namespace mmh {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_interrupt(int) {
  g_stop.store(true);
}

// Restores the previous SIGINT/SIGTERM handlers when the fetch ends.
struct InterruptGuard {
  struct sigaction old_int {};
  struct sigaction old_term {};
  InterruptGuard() {
    g_stop.store(false);
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
  }
};

// What the progress line needs between the connector's callbacks.
struct ProgressLine {
  bool tty = false;
  std::chrono::steady_clock::time_point started;
};

extern "C" void on_progress(void* user, const mmh_fetch_progress* p) {
  const auto* line = static_cast<const ProgressLine*>(user);
  if (!line->tty) return;
  const double frac = p->requests_total > 0 ? static_cast<double>(p->requests_done) /
                                                  static_cast<double>(p->requests_total)
                                            : 1.0;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - line->started).count();
  const double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
  std::fprintf(stderr, "\rfetch %s  %llu/%llu requests  +%s bars  %s  eta %.0fs ",
               progress_bar(frac).c_str(), static_cast<unsigned long long>(p->requests_done),
               static_cast<unsigned long long>(p->requests_total), with_commas(p->bars_new).c_str(),
               p->last_bar_ns > 0 ? iso_time(p->last_bar_ns).substr(0, 16).c_str() : "", eta);
  if (p->requests_done == p->requests_total) std::fputc('\n', stderr);
  std::fflush(stderr);
}

extern "C" int on_cancelled(void*) {
  return g_stop.load() ? 1 : 0;
}

}  // namespace

int run_fetch(HostContext& host, const FetchOptions& o, std::ostream& out) {
  int64_t start_ns = 0, end_ns = 0;
  try {
    start_ns = parse_utc_date_flag("--start", o.start);
    end_ns = parse_utc_date_flag("--end", o.end);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("fetch: ") + e.what());
  }
  if (end_ns <= start_ns)
    throw UsageError("fetch: --end " + o.end + " is not after --start " + o.start);
  if (o.limit < 1 || o.limit > 1000)
    throw UsageError("fetch: --limit must be in 1..1000 (Bybit's page size)");
  for (char c : o.symbol)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      throw UsageError("fetch: symbol '" + o.symbol +
                       "' must be upper-case letters and digits (e.g. ETHUSDT)");
  try {
    sdk::check_replaceable(o.cache);  // the cache is rewritten by rename: never over a device
  } catch (const sdk::FileError& e) {
    throw UsageError(std::string("fetch: --cache ") + e.what());
  }

  // Any data connector that can download history does it; the host only asks.
  const std::string& name = o.connector.empty() ? host.config().live_connector : o.connector;
  const LoadedPlugin* plugin = host.plugins().find(name, MMH_KIND_DATA);
  if (plugin == nullptr)
    throw UsageError("fetch: no data connector '" + name + "' (see `mmhost plugins`)");
  if (plugin->data.size < offsetof(mmh_data_vtable, fetch_history) + sizeof(void*) ||
      plugin->data.fetch_history == nullptr)
    throw UsageError("fetch: the " + name + " connector cannot download history");
  std::string config_dirs;
  for (const std::string& dir : host.venue_search_dirs())
    config_dirs += (config_dirs.empty() ? "" : ":") + dir;
  const std::string environment = !o.venue.empty() ? o.venue : (o.testnet ? "testnet" : "mainnet");
  std::unique_ptr<DataInstance> source;
  try {
    source = std::make_unique<DataInstance>(
        *plugin, std::map<std::string, std::string>{{"symbol", o.symbol},
                                                    {"environment", environment},
                                                    {"config_dirs", config_dirs},
                                                    {"cache_dir", host.cache_dir()}});
  } catch (const PluginCallError& e) {
    throw UsageError(std::string("fetch: ") + e.what());
  }

  out << "fetch      " << o.symbol << " " << o.interval << " klines " << iso_time(start_ns)
      << " -> " << iso_time(end_ns) << " from " << name << " (" << environment << ")\n";
  out.flush();

  ProgressLine line{o.progress && isatty(fileno(stderr)) != 0, std::chrono::steady_clock::now()};
  mmh_fetch_request request{};
  request.size = sizeof(request);
  request.page_limit = static_cast<uint32_t>(o.limit);
  request.symbol = o.symbol.c_str();
  request.interval = o.interval.c_str();
  request.start_ns = start_ns;
  request.end_ns = end_ns;
  request.cache_path = o.cache.c_str();
  request.user = &line;
  request.progress = &on_progress;
  request.cancelled = &on_cancelled;
  mmh_fetch_result result{};
  result.size = sizeof(result);
  CallError err;
  mmh_status status = MMH_OK;
  {
    InterruptGuard guard;
    status = plugin->data.fetch_history(source->self(), &request, &result, &err);
  }
  if (status != MMH_OK) {
    if (line.tty) std::fputc('\n', stderr);
    if (status == MMH_ERR_INVALID_ARGUMENT) throw UsageError("fetch: " + error_message(err));
    throw std::runtime_error("fetch failed: " + error_message(err));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - line.started).count();
  out << "source     " << result.source << "\n";
  out << "cache      " << o.cache << ": " << with_commas(result.bars_before) << " bars before, +"
      << with_commas(result.bars_new) << " new = " << with_commas(result.bars_total) << " bars; "
      << with_commas(result.windows) << " windows requested (" << with_commas(result.requests)
      << " requests, " << with_commas(result.retries) << " retries) in " << fixed(seconds, 2)
      << " s";
  if (result.unfinished_dropped > 0)
    out << "; " << result.unfinished_dropped << " unfinished candle dropped";
  out << "\n";
  if (result.interrupted != 0) {
    out << "stopped    interrupted; run the same command again to fetch the rest\n";
    return 130;
  }
  if (result.gaps == 0)
    out << "gaps       none in the requested range\n";
  else
    out << "gaps       " << with_commas(result.gaps) << " (" << with_commas(result.missing_bars)
        << " bars missing on the exchange or not yet closed): " << result.gap_list << "\n";
  return 0;
}

}  // namespace mmh
