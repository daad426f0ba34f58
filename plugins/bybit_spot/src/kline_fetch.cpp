#include "kline_fetch.hpp"

#include "csv_series.hpp"
#include "file_bytes.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <chrono>
#include <filesystem>
#include <stdexcept>

namespace mmh::bybit {

namespace asio = boost::asio;

namespace {

// Bybit's kline intervals (PROTOCOL.md §4.1), in minutes; "M" (calendar months) is left out.
constexpr std::pair<std::string_view, int64_t> kKlineIntervals[] = {
    {"1", 1},     {"3", 3},     {"5", 5},     {"15", 15},   {"30", 30},  {"60", 60},
    {"120", 120}, {"240", 240}, {"360", 360}, {"720", 720}, {"D", 1440}, {"W", 10080}};

}  // namespace

int64_t kline_interval_ms(std::string_view code) {
  for (const auto& [name, minutes] : kKlineIntervals)
    if (code == name) return minutes * 60000;
  throw std::invalid_argument("interval '" + std::string(code) +
                              "' is not a Bybit kline interval (1 3 5 15 30 60 120 240 360 720 "
                              "minutes, D or W; M has calendar-month bars and is not cached)");
}

std::string kline_code_for(int64_t interval_ns) {
  for (const auto& [name, minutes] : kKlineIntervals)
    if (interval_ns == minutes * 60'000'000'000) return std::string(name);
  throw std::invalid_argument(
      "Bybit has no kline interval of " + std::to_string(interval_ns / 1'000'000'000) +
      " s (1m 3m 5m 15m 30m 1h 2h 4h 6h 12h 1d 1w); set market.ltf to one of these");
}

size_t KlineWindow::bars() const {
  return interval_ms > 0 ? static_cast<size_t>((end_ms - start_ms) / interval_ms + 1) : 0;
}

namespace {

int64_t align_up(int64_t t, int64_t step) {
  const int64_t r = ((t % step) + step) % step;
  return r == 0 ? t : t + (step - r);
}

// Weekly bars open on Mondays (Bybit's W interval; 1970-01-05 was a Monday).
int64_t grid_origin(int64_t interval_ms) {
  return interval_ms == 7 * 86400000LL ? 4 * 86400000LL : 0;
}

}  // namespace

std::vector<KlineWindow> plan_kline_windows(int64_t start_ms, int64_t end_ms, int64_t interval_ms,
                                            int limit, const std::map<int64_t, KlineRow>& have) {
  std::vector<KlineWindow> out;
  if (interval_ms <= 0 || limit <= 0) return out;
  const int64_t origin = grid_origin(interval_ms);
  const int64_t first = align_up(start_ms - origin, interval_ms) + origin;
  KlineWindow current{};
  bool open = false;
  for (int64_t t = first; t < end_ms; t += interval_ms) {
    if (have.count(t) != 0) {
      if (open) out.push_back(current);
      open = false;
      continue;
    }
    if (open && static_cast<int64_t>(current.bars()) < limit) {
      current.end_ms = t;
      continue;
    }
    if (open) out.push_back(current);
    current = KlineWindow{t, t, interval_ms};
    open = true;
  }
  if (open) out.push_back(current);
  return out;
}

std::vector<KlineGap> find_kline_gaps(const std::map<int64_t, KlineRow>& rows, int64_t start_ms,
                                      int64_t end_ms, int64_t interval_ms) {
  std::vector<KlineGap> gaps;
  const int64_t origin = grid_origin(interval_ms);
  for (int64_t t = align_up(start_ms - origin, interval_ms) + origin; t < end_ms;
       t += interval_ms) {
    if (rows.count(t) != 0) continue;
    if (!gaps.empty() && gaps.back().first_missing_ms + gaps.back().bars * interval_ms == t)
      ++gaps.back().bars;
    else
      gaps.push_back({t, 1});
  }
  return gaps;
}

std::map<int64_t, KlineRow> read_candle_cache(const std::string& path, int64_t interval_ms) {
  std::map<int64_t, KlineRow> rows;
  if (!std::filesystem::exists(path)) return rows;
  const std::string text = replay::read_file_bytes(path);
  const replay::CandleSeries series = replay::parse_candle_csv(text, path, interval_ms * 1000000LL);
  const int64_t origin = grid_origin(interval_ms);
  for (const mmh_candle& c : series.candles) {
    const int64_t start_ms = c.open_ts_ns / 1000000LL;
    if (((start_ms - origin) % interval_ms) != 0)
      throw std::runtime_error(path + ": bar at " + std::to_string(start_ms) + " ms is off the " +
                               std::to_string(interval_ms / 60000) +
                               "-minute grid (a cache holds one interval; use another --cache)");
    rows[start_ms] = KlineRow{start_ms, c.open_e8, c.high_e8, c.low_e8, c.close_e8, c.volume_e8};
  }
  return rows;
}

void write_candle_cache(const std::string& path, const std::map<int64_t, KlineRow>& rows,
                        const std::string& comment) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  std::string text;
  text.reserve(rows.size() * 64 + 128);
  if (!comment.empty()) text += "# " + comment + "\n";
  text += replay::kCandleHeader;
  text += '\n';
  for (const auto& [start, r] : rows) {
    text += std::to_string(start);
    for (int64_t v : {r.open_e8, r.high_e8, r.low_e8, r.close_e8, r.volume_e8}) {
      text += ',';
      text += sdk::format_e8(v);
    }
    text += '\n';
  }
  // Same directory as the target, so the rename is atomic; only a regular file is replaced.
  sdk::TempOutput out(path);
  out.write(text.data(), text.size());
  out.commit(/*sync=*/true);
}

asio::awaitable<FetchResult> fetch_klines(RestClient& rest, const FetchRequest& request,
                                          std::function<void(const FetchProgress&)> progress,
                                          const std::atomic<bool>* stop) {
  if (request.limit < 1 || request.limit > 1000)
    throw std::invalid_argument("limit must be in 1..1000, got " + std::to_string(request.limit));
  if (request.end_ms <= request.start_ms)
    throw std::invalid_argument("the end of the range must be after its start");
  FetchResult result;
  const int64_t interval = kline_interval_ms(request.interval);
  std::map<int64_t, KlineRow> rows = read_candle_cache(request.cache_path, interval);
  result.rows_before = rows.size();
  const std::vector<KlineWindow> windows =
      plan_kline_windows(request.start_ms, request.end_ms, interval, request.limit, rows);
  result.windows = windows.size();

  FetchProgress state;
  state.windows_total = windows.size();
  bool dirty = false;
  auto last_save = std::chrono::steady_clock::now();
  auto save = [&] {
    if (!dirty) return;
    write_candle_cache(request.cache_path, rows, request.comment);
    dirty = false;
    last_save = std::chrono::steady_clock::now();
  };

  std::exception_ptr failure;
  try {
    for (const KlineWindow& w : windows) {
      if (stop != nullptr && stop->load()) {
        result.interrupted = true;
        break;
      }
      std::map<std::string, std::string> params;  // (no braced lists in a co_await: GCC 12)
      params["category"] = "spot";
      params["symbol"] = request.symbol;
      params["interval"] = request.interval;
      params["start"] = std::to_string(w.start_ms);
      params["end"] = std::to_string(w.end_ms);
      params["limit"] = std::to_string(w.bars());
      const RestReply reply = co_await rest.get("/v5/market/kline", params);
      const std::vector<KlineRow> page = parse_kline_list(reply.body);
      // A row is closed once its interval has passed on the server's clock.
      const int64_t server_now =
          reply.envelope.time_ms > 0 ? reply.envelope.time_ms : rest.server_now_ms();
      for (auto it = page.rbegin(); it != page.rend(); ++it) {  // newest first on the wire
        const KlineRow& row = *it;
        if (row.start_ms < w.start_ms || row.start_ms > w.end_ms) continue;
        if (row.start_ms + interval > server_now) {
          ++result.unfinished_dropped;
          continue;
        }
        if (rows.emplace(row.start_ms, row).second) {
          ++state.rows_new;
          dirty = true;
        }
        state.last_start_ms = std::max(state.last_start_ms, row.start_ms);
      }
      ++state.windows_done;
      if (progress) progress(state);
      if (std::chrono::steady_clock::now() - last_save >=
          std::chrono::milliseconds(request.save_every_ms))
        save();
    }
  } catch (...) {
    failure = std::current_exception();
  }
  save();  // whatever arrived stays, also when the fetch failed
  if (failure) std::rethrow_exception(failure);
  result.rows_new = state.rows_new;
  result.rows_total = rows.size();
  result.gaps = find_kline_gaps(rows, request.start_ms, request.end_ms, interval);
  co_return result;
}

}  // namespace mmh::bybit
