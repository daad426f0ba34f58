#include "app/fetch_command.hpp"

#include "app/backtest_command.hpp"
#include "app/format.hpp"
#include "app/host_context.hpp"

#include "kline_fetch.hpp"
#include "rest_client.hpp"
#include "run_sync.hpp"

#include <mmhost/plugin.h>
#include <mmhost/sdk/interval.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <boost/asio/io_context.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
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

std::string bar_text(int64_t ms) {
  return iso_time(ms * 1000000LL);
}

}  // namespace

int run_fetch(HostContext& host, const FetchOptions& o, std::ostream& out) {
  bybit::FetchRequest request;
  request.symbol = o.symbol;
  request.interval = o.interval;
  request.cache_path = o.cache;
  request.limit = o.limit;
  int64_t interval_ms = 0;
  try {
    interval_ms = bybit::kline_interval_ms(o.interval);
    request.start_ms = parse_utc_date_flag("--start", o.start) / 1000000LL;
    request.end_ms = parse_utc_date_flag("--end", o.end) / 1000000LL;
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("fetch: ") + e.what());
  }
  if (request.end_ms <= request.start_ms)
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

  const std::string venue_name = !o.venue.empty() ? o.venue : (o.testnet ? "testnet" : "mainnet");
  bybit::VenueConfig venue;
  try {
    venue = bybit::find_venue_config(venue_name, host.venue_search_dirs());
  } catch (const bybit::VenueConfigError& e) {
    throw UsageError(std::string("fetch: ") + e.what());
  }
  const std::string interval_text = sdk::format_interval(interval_ms * 1000000LL);
  request.comment = "Bybit spot " + o.symbol + " " + interval_text + " klines (" + venue.name +
                    "), written by mmhost fetch; ts_ms = bar open time, UTC";

  boost::asio::io_context ioc;
  // Logged the way the host logs its plugins' lines (level mapping, "[bybit]" attribution).
  const mmh_host_api* api = host.services().api();
  bybit::RestClient rest(
      ioc.get_executor(), venue, std::nullopt, [api](int level, const std::string& message) {
        api->log(api->host, static_cast<uint32_t>(level), "bybit", message.c_str());
      });

  out << "fetch      " << o.symbol << " " << interval_text << " klines "
      << bar_text(request.start_ms) << " -> " << bar_text(request.end_ms) << " from "
      << venue.rest_url << " (" << venue.name << ")\n";
  out.flush();

  const bool tty = o.progress && isatty(fileno(stderr)) != 0;
  const auto started = std::chrono::steady_clock::now();
  auto progress = [&](const bybit::FetchProgress& p) {
    if (!tty) return;
    const double frac = p.windows_total > 0 ? static_cast<double>(p.windows_done) /
                                                  static_cast<double>(p.windows_total)
                                            : 1.0;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
    std::fprintf(stderr, "\rfetch %s  %zu/%zu requests  +%s bars  %s  eta %.0fs ",
                 progress_bar(frac).c_str(), p.windows_done, p.windows_total,
                 with_commas(p.rows_new).c_str(),
                 p.last_start_ms > 0 ? bar_text(p.last_start_ms).substr(0, 16).c_str() : "", eta);
    if (p.windows_done == p.windows_total) std::fputc('\n', stderr);
    std::fflush(stderr);
  };

  InterruptGuard guard;
  bybit::FetchResult result;
  try {
    result = bybit::run_sync(ioc, bybit::fetch_klines(rest, request, progress, &g_stop));
  } catch (const std::exception& e) {
    if (tty) std::fputc('\n', stderr);
    std::string kept;
    try {
      kept = with_commas(bybit::read_candle_cache(o.cache, interval_ms).size()) + " bars";
    } catch (const std::exception&) {
      kept = "nothing";
    }
    throw std::runtime_error("fetch failed: " + std::string(e.what()) + "\n  " + o.cache +
                             " keeps " + kept +
                             "; run the same command again to fetch only what is missing");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << "cache      " << o.cache << ": " << with_commas(result.rows_before) << " bars before, +"
      << with_commas(result.rows_new) << " new = " << with_commas(result.rows_total) << " bars; "
      << with_commas(result.windows) << " windows requested (" << with_commas(rest.stats().requests)
      << " requests, " << with_commas(rest.stats().retries) << " retries) in " << fixed(seconds, 2)
      << " s";
  if (result.unfinished_dropped > 0)
    out << "; " << result.unfinished_dropped << " unfinished candle dropped";
  out << "\n";
  if (result.interrupted) {
    out << "stopped    interrupted; run the same command again to fetch the rest\n";
    return 130;
  }
  if (result.gaps.empty()) {
    out << "gaps       none in the requested range\n";
  } else {
    int64_t missing = 0;
    for (const auto& g : result.gaps) missing += g.bars;
    out << "gaps       " << with_commas(result.gaps.size()) << " ("
        << with_commas(static_cast<uint64_t>(missing))
        << " bars missing on the exchange or not yet closed):";
    for (size_t i = 0; i < result.gaps.size() && i < 5; ++i)
      out << (i ? ", " : " ") << bar_text(result.gaps[i].first_missing_ms) << " x"
          << result.gaps[i].bars;
    if (result.gaps.size() > 5) out << ", ...";
    out << "\n";
  }
  return 0;
}

}  // namespace mmh
