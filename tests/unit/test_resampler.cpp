#include "engine/resampler.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

using mmh::Resampler;

namespace {

constexpr int64_t kMinute = 60'000'000'000;

mmh_candle bar(int64_t minute, int64_t open, int64_t high, int64_t low, int64_t close,
               int64_t volume) {
  mmh_candle c{};
  c.open_ts_ns = minute * kMinute;
  c.interval_ns = kMinute;
  c.open_e8 = open;
  c.high_e8 = high;
  c.low_e8 = low;
  c.close_e8 = close;
  c.volume_e8 = volume;
  c.symbol_id = 1;
  return c;
}

}  // namespace

TEST_CASE("1m -> 5m: open of the first, close of the last, exact extremes and volume sum") {
  std::vector<mmh_candle> out;
  Resampler r(5 * kMinute, [&](const mmh_candle& c) { out.push_back(c); });
  r.add(bar(0, 10, 12, 9, 11, 3));
  r.add(bar(1, 11, 15, 10, 14, 5));
  r.add(bar(2, 14, 14, 7, 8, 7));
  r.add(bar(3, 8, 9, 8, 9, 11));
  CHECK(out.empty());  // not complete yet
  r.add(bar(4, 9, 10, 8, 10, 13));
  REQUIRE(out.size() == 1);  // emitted as soon as its last minute arrives
  const mmh_candle& c = out[0];
  CHECK(c.open_ts_ns == 0);
  CHECK(c.interval_ns == 5 * kMinute);
  CHECK(c.open_e8 == 10);
  CHECK(c.high_e8 == 15);
  CHECK(c.low_e8 == 7);
  CHECK(c.close_e8 == 10);
  CHECK(c.volume_e8 == 3 + 5 + 7 + 11 + 13);
  CHECK(c.flags == 0);
  CHECK(c.symbol_id == 1);
}

TEST_CASE("buckets align to the epoch, and a gap makes the bar partial") {
  std::vector<mmh_candle> out;
  Resampler r(5 * kMinute, [&](const mmh_candle& c) { out.push_back(c); });
  r.add(bar(3, 1, 1, 1, 1, 1));  // bucket [0,5): only minutes 3 and 4
  r.add(bar(4, 1, 1, 1, 1, 1));
  REQUIRE(out.size() == 1);
  CHECK(out[0].open_ts_ns == 0);
  CHECK((out[0].flags & MMH_CANDLE_PARTIAL) != 0);
  r.add(bar(5, 2, 2, 2, 2, 1));  // bucket [5,10) then a jump to [15,20)
  r.add(bar(16, 3, 3, 3, 3, 1));
  REQUIRE(out.size() == 2);
  CHECK(out[1].open_ts_ns == 5 * kMinute);
  CHECK((out[1].flags & MMH_CANDLE_PARTIAL) != 0);
  r.flush();
  REQUIRE(out.size() == 3);
  CHECK(out[2].open_ts_ns == 15 * kMinute);
  CHECK((out[2].flags & MMH_CANDLE_PARTIAL) != 0);
  CHECK(r.emitted() == 3);
  CHECK(r.emitted_partial() == 3);
}

TEST_CASE("1m -> 1d buckets start at 00:00 UTC") {
  std::vector<mmh_candle> out;
  Resampler r(1440 * kMinute, [&](const mmh_candle& c) { out.push_back(c); });
  const int64_t day = 20000;  // whole days since the epoch
  for (int64_t m = 0; m < 1440; ++m) r.add(bar(day * 1440 + m, 5, 6, 4, 5, 1));
  REQUIRE(out.size() == 1);
  CHECK(out[0].open_ts_ns == day * 1440 * kMinute);
  CHECK(out[0].volume_e8 == 1440);
  CHECK(out[0].flags == 0);
}

TEST_CASE("a source interval that does not divide the target is refused") {
  Resampler r(5 * kMinute, [](const mmh_candle&) {});
  mmh_candle c = bar(0, 1, 1, 1, 1, 1);
  c.interval_ns = 3 * kMinute;
  CHECK_THROWS_AS(r.add(c), std::invalid_argument);
}

TEST_CASE("an interval of zero or below is refused, also after good bars") {
  Resampler r(5 * kMinute, [](const mmh_candle&) {});
  r.add(bar(0, 1, 1, 1, 1, 1));
  for (const int64_t interval : {int64_t{0}, -kMinute, 3 * kMinute}) {
    mmh_candle c = bar(1, 1, 1, 1, 1, 1);
    c.interval_ns = interval;
    CHECK_THROWS_AS(r.add(c), std::invalid_argument);
  }
}

TEST_CASE("random bars, gaps and times before 1970 bucket as the floor of time by target") {
  // The bucket of each bar is floor(open / target) * target, whatever came before (the resampler
  // skips that arithmetic inside an open bucket). Bars go forward by 1 to 40 minutes from
  // before the epoch to after it; emitted bars must match a plain re-count.
  const int64_t target = 15 * kMinute;
  std::vector<mmh_candle> out;
  Resampler r(target, [&](const mmh_candle& c) { out.push_back(c); });
  std::vector<mmh_candle> in;
  uint64_t x = 12345;
  int64_t minute = -500;
  for (int i = 0; i < 3000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    minute += (x >> 60) % 3 == 0 ? 1 + static_cast<int64_t>((x >> 33) % 40) : 1;
    in.push_back(bar(minute, 100, 100 + i % 7, 90 - i % 5, 95, 1));
    r.add(in.back());
  }
  r.flush();
  std::vector<mmh_candle> want;
  for (const mmh_candle& c : in) {
    const int64_t q = c.open_ts_ns / target - (c.open_ts_ns % target < 0 ? 1 : 0);
    const int64_t start = q * target;
    if (want.empty() || want.back().open_ts_ns != start) {
      want.push_back(c);
      want.back().open_ts_ns = start;
      want.back().volume_e8 = 0;
    }
    mmh_candle& w = want.back();
    w.high_e8 = std::max(w.high_e8, c.high_e8);
    w.low_e8 = std::min(w.low_e8, c.low_e8);
    w.close_e8 = c.close_e8;
    w.volume_e8 += c.volume_e8;
  }
  REQUIRE(out.size() == want.size());
  for (size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].open_ts_ns == want[i].open_ts_ns);
    CHECK(out[i].high_e8 == want[i].high_e8);
    CHECK(out[i].low_e8 == want[i].low_e8);
    CHECK(out[i].close_e8 == want[i].close_e8);
    CHECK(out[i].volume_e8 == want[i].volume_e8);
  }
  CHECK(out.front().open_ts_ns < 0);
  CHECK(out.back().open_ts_ns > 0);
}
