#include "sample/sample_data.hpp"

#include "csv_series.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

using namespace mmh;

TEST_CASE("sample data is seeded, labelled synthetic, and valid replay input") {
  SampleSpec spec;
  spec.days = 3;
  std::ostringstream a, b, c;
  CHECK(write_sample_candles(spec, a) == 3 * 1440);
  write_sample_candles(spec, b);
  spec.seed = 43;
  write_sample_candles(spec, c);
  CHECK(a.str() == b.str());  // same seed, same bytes
  CHECK(a.str() != c.str());
  CHECK(a.str().rfind("# SYNTHETIC", 0) == 0);

  const auto series = replay::parse_candle_csv(a.str(), "sample.csv");
  CHECK(series.candles.size() == 3 * 1440);
  CHECK(series.gaps.gap_count == 0);
  CHECK(series.gaps.interval_ns == 60'000'000'000);
}

TEST_CASE("sample data has trending and ranging stretches") {
  SampleSpec spec;
  spec.days = 30;
  std::ostringstream out;
  write_sample_candles(spec, out);
  const auto series = replay::parse_candle_csv(out.str(), "sample.csv");
  // Net move over each 12 h window relative to its range: trends move far, ranges do not.
  int trending = 0, ranging = 0;
  const size_t window = 720;
  for (size_t start = 0; start + window <= series.candles.size(); start += window) {
    int64_t hi = 0, lo = INT64_MAX;
    for (size_t i = start; i < start + window; ++i) {
      hi = std::max(hi, series.candles[i].high_e8);
      lo = std::min(lo, series.candles[i].low_e8);
    }
    const double net = std::abs(static_cast<double>(series.candles[start + window - 1].close_e8 -
                                                    series.candles[start].open_e8));
    const double efficiency = net / static_cast<double>(hi - lo);
    if (efficiency > 0.6) ++trending;
    if (efficiency < 0.25) ++ranging;
  }
  CHECK(trending >= 5);
  CHECK(ranging >= 5);
}

TEST_CASE("sample data stays a plausible price however many days") {
  mmh::SampleSpec spec;
  spec.days = 3650;
  std::ostringstream out;
  CHECK(mmh::write_sample_candles(spec, out) == 3650 * 1440);
  // The replay parser refuses an implausible price (it did past ~7 years: the walk compounded).
  const auto series = mmh::replay::parse_candle_csv(out.str(), "sample.csv");
  REQUIRE(series.candles.size() == 3650 * 1440);
  int64_t high = 0;
  for (const mmh_candle& c : series.candles) high = std::max(high, c.high_e8);
  CHECK(static_cast<double>(high) < 100 * spec.start_price * 1e8);
}
