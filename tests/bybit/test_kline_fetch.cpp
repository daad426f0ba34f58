// Kline history: window planning, gap finding, the atomic cache, and whole fetches against the
// loopback fake (multi-page, unfinished candle, resume after a failure, nothing re-requested).
#include "kline_fetch.hpp"

#include "csv_series.hpp"
#include "fake_bybit.hpp"
#include "file_bytes.hpp"
#include "run_sync.hpp"
#include "test_support.hpp"

#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

using namespace mmh::bybit;
using namespace mmh::test;

namespace {

constexpr int64_t kMin = 60000;
constexpr int64_t kDay0 = 1747699200000;  // 2025-05-20T00:00Z, first bar of the shared 1m file

std::vector<mmh_candle> shared_candles(int64_t days) {
  const std::string path = shared_data("candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv");
  mmh::replay::CandleSeries s =
      mmh::replay::parse_candle_csv(mmh::replay::read_file_bytes(path), path, 60000000000LL);
  std::vector<mmh_candle> out;
  for (const mmh_candle& c : s.candles)
    if (c.open_ts_ns < (kDay0 + days * 1440 * kMin) * 1000000LL) out.push_back(c);
  return out;
}

std::map<int64_t, KlineRow> rows_at(std::initializer_list<int64_t> starts) {
  std::map<int64_t, KlineRow> rows;
  for (int64_t s : starts) rows[s] = KlineRow{s, 1, 1, 1, 1, 0};
  return rows;
}

struct FetchFixture {
  FakeBybit fake;
  TempDir dir;
  boost::asio::io_context ioc;
  VenueConfig venue;
  std::unique_ptr<RestClient> rest;
  explicit FetchFixture(const std::string& extra = "backoff_initial_ms: 1\nmax_attempts: 2\n") {
    venue = load_venue_config(fake.write_venue_file(dir.path().string(), extra));
    rest = std::make_unique<RestClient>(ioc.get_executor(), venue, std::nullopt, LogFn{});
  }
  FetchResult fetch(const FetchRequest& r) {
    return run_sync(ioc, fetch_klines(*rest, r, {}, nullptr));
  }
};

}  // namespace

TEST_CASE("bybit klines: interval codes") {
  CHECK(kline_interval_ms("1") == kMin);
  CHECK(kline_interval_ms("720") == 720 * kMin);
  CHECK(kline_interval_ms("D") == 1440 * kMin);
  CHECK(kline_interval_ms("W") == 7 * 1440 * kMin);
  CHECK_THROWS_WITH_AS(kline_interval_ms("M"), doctest::Contains("calendar"),
                       std::invalid_argument);
  CHECK_THROWS_AS(kline_interval_ms("2"), std::invalid_argument);
  CHECK_THROWS_AS(kline_interval_ms("1m"), std::invalid_argument);
}

TEST_CASE("bybit klines: interval codes for the host's intervals") {
  CHECK(kline_code_for(60'000'000'000) == "1");
  CHECK(kline_code_for(3'600'000'000'000) == "60");
  CHECK(kline_code_for(86'400'000'000'000) == "D");
  CHECK(kline_code_for(7 * 86'400'000'000'000) == "W");
  CHECK_THROWS_WITH_AS(kline_code_for(10'000'000'000),
                       doctest::Contains("no kline interval of 10 s"), std::invalid_argument);
  CHECK_THROWS_AS(kline_code_for(120'000'000'000), std::invalid_argument);  // 2m: not Bybit's
}

TEST_CASE("bybit klines: windows cover only missing bars, at most `limit` each") {
  // 10 bars [0, 10 min), limit 4, nothing cached: 4 + 4 + 2.
  auto w = plan_kline_windows(0, 10 * kMin, kMin, 4, {});
  REQUIRE(w.size() == 3);
  CHECK(w[0].start_ms == 0);
  CHECK(w[0].end_ms == 3 * kMin);  // inclusive end: bars 0..3
  CHECK(w[0].bars() == 4);
  CHECK(w[2].start_ms == 8 * kMin);
  CHECK(w[2].bars() == 2);
  // Cached bars split the range and are never asked for again.
  w = plan_kline_windows(0, 10 * kMin, kMin, 4, rows_at({2 * kMin, 3 * kMin, 9 * kMin}));
  REQUIRE(w.size() == 3);
  CHECK(w[0].bars() == 2);
  CHECK(w[1].start_ms == 4 * kMin);
  CHECK(w[1].bars() == 4);
  CHECK(w[2].start_ms == 8 * kMin);
  CHECK(w[2].bars() == 1);
  // An unaligned start begins at the next bar; everything cached: nothing to do.
  w = plan_kline_windows(30000, 3 * kMin, kMin, 10, {});
  REQUIRE(w.size() == 1);
  CHECK(w[0].start_ms == kMin);
  CHECK(plan_kline_windows(0, 2 * kMin, kMin, 10, rows_at({0, kMin})).empty());
}

TEST_CASE("bybit klines: gaps are runs of missing bars in the range") {
  const auto gaps = find_kline_gaps(rows_at({0, kMin, 4 * kMin}), 0, 7 * kMin, kMin);
  REQUIRE(gaps.size() == 2);
  CHECK(gaps[0].first_missing_ms == 2 * kMin);
  CHECK(gaps[0].bars == 2);
  CHECK(gaps[1].first_missing_ms == 5 * kMin);
  CHECK(gaps[1].bars == 2);
}

TEST_CASE("bybit klines: the cache file round-trips exactly and is replaced atomically") {
  TempDir dir;
  const std::string path = dir.file("sub/eth.csv");
  std::map<int64_t, KlineRow> rows;
  rows[kDay0] =
      KlineRow{kDay0, 252814000000, 253080000000, 252797000000, 252828000000, 56268790000};
  rows[kDay0 + kMin] = KlineRow{kDay0 + kMin, 1, 2, 1, 2, 0};
  write_candle_cache(path, rows, "test cache");
  const std::string text = read_file(path);
  CHECK(text.rfind("# test cache\nts_ms,open,high,low,close,volume\n"
                   "1747699200000,2528.14,2530.8,2527.97,2528.28,562.6879\n",
                   0) == 0);
  const auto back = read_candle_cache(path, kMin);
  REQUIRE(back.size() == 2);
  CHECK(back.at(kDay0).high_e8 == 253080000000);
  // No temporary file is left beside it.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "sub")) {
    (void)e;
    ++files;
  }
  CHECK(files == 1);
  // A cache of another interval is refused rather than mixed.
  CHECK_THROWS_WITH_AS(read_candle_cache(path, 5 * kMin), doctest::Contains("eth.csv"),
                       std::runtime_error);
  CHECK(read_candle_cache(dir.file("none.csv"), kMin).empty());
}

TEST_CASE("bybit klines: a multi-page fetch writes every bar once, ascending, no gaps") {
  FetchFixture f;
  f.fake.set_candles(shared_candles(2));
  FetchRequest r;
  r.symbol = "ETHUSDT";
  r.interval = "1";
  r.start_ms = kDay0;
  r.end_ms = kDay0 + 2 * 1440 * kMin;
  r.cache_path = f.dir.file("eth.csv");
  r.limit = 500;
  const FetchResult result = f.fetch(r);
  CHECK(result.windows == 6);  // 2880 bars / 500
  CHECK(f.fake.count("/v5/market/kline") == 6);
  CHECK(result.rows_new == 2880);
  CHECK(result.gaps.empty());
  // The replay reads it with no gaps, bars identical to the source.
  const auto series = mmh::replay::parse_candle_csv(read_file(r.cache_path), r.cache_path);
  CHECK(series.candles.size() == 2880);
  CHECK(series.gaps.gap_count == 0);
  const auto source = shared_candles(2);
  CHECK(series.candles.front().close_e8 == source.front().close_e8);
  CHECK(series.candles.back().open_ts_ns == source.back().open_ts_ns);
  CHECK(series.candles.back().volume_e8 == source.back().volume_e8);
  // Every request asked for at most `limit` bars, with aligned inclusive bounds.
  for (const FakeRequest& q : f.fake.requests()) {
    if (q.path != "/v5/market/kline") continue;
    const auto limit_at = q.query.find("limit=");
    REQUIRE(limit_at != std::string::npos);
    CHECK(std::stoi(q.query.substr(limit_at + 6)) <= 500);
    CHECK(q.query.find("category=spot") != std::string::npos);
  }
  // Again: nothing is missing, nothing is requested.
  const FetchResult again = f.fetch(r);
  CHECK(again.windows == 0);
  CHECK(f.fake.count("/v5/market/kline") == 6);
}

TEST_CASE("bybit klines: the still-open candle is dropped and fetched once it closed") {
  FetchFixture f;
  f.fake.set_candles(shared_candles(1));
  const int64_t open_bar = kDay0 + 100 * kMin;
  f.fake.set_clock(0, open_bar + 30000);  // half-way through bar 100
  FetchRequest r;
  r.symbol = "ETHUSDT";
  r.interval = "1";
  r.start_ms = kDay0;
  r.end_ms = kDay0 + 200 * kMin;
  r.cache_path = f.dir.file("eth.csv");
  FetchResult result = f.fetch(r);
  CHECK(result.rows_new == 100);
  CHECK(result.unfinished_dropped == 1);
  REQUIRE(result.gaps.size() == 1);
  CHECK(result.gaps[0].first_missing_ms == open_bar);
  CHECK(result.gaps[0].bars == 100);
  CHECK(read_candle_cache(r.cache_path, kMin).count(open_bar) == 0);
  f.fake.set_clock(0, kDay0 + 300 * kMin);
  result = f.fetch(r);
  CHECK(result.rows_new == 100);
  CHECK(result.gaps.empty());
}

TEST_CASE("bybit klines: a failed fetch keeps what arrived and the rerun asks only for the rest") {
  FetchFixture f;
  f.fake.set_candles(shared_candles(1));
  // Pages 1-2 succeed, then the exchange fails every kline request.
  f.fake.inject({"/v5/market/kline", FaultKind::http_status, 502, -1, 2});
  FetchRequest r;
  r.symbol = "ETHUSDT";
  r.interval = "1";
  r.start_ms = kDay0;
  r.end_ms = kDay0 + 1000 * kMin;
  r.cache_path = f.dir.file("eth.csv");
  r.limit = 200;
  CHECK_THROWS_AS(f.fetch(r), BybitError);
  const auto kept = read_candle_cache(r.cache_path, kMin);
  CHECK(kept.size() == 400);
  CHECK(kept.begin()->first == kDay0);
  f.fake.clear_faults();
  const size_t before = f.fake.count("/v5/market/kline");
  const FetchResult result = f.fetch(r);
  CHECK(result.rows_before == 400);
  CHECK(result.windows == 3);  // 600 missing bars / 200
  CHECK(f.fake.count("/v5/market/kline") - before == 3);
  CHECK(result.rows_total == 1000);
  CHECK(result.gaps.empty());
}
