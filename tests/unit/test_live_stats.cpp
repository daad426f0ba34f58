// Latency histograms and the bounded reject reasons of a live run's statistics.
#include "app/live_stats.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mmh;

TEST_CASE("latency histogram: cumulative buckets, sum, count and an upper-bound quantile") {
  LatencyHistogram h;
  CHECK(h.quantile(0.5) == 0);
  for (double s : {0.0004, 0.002, 0.002, 0.02, 3.0, 60.0}) h.add(s);
  CHECK(h.count() == 6);
  CHECK(h.sum() == doctest::Approx(63.0244));
  CHECK(h.at_or_below(0) == 1);   // <= 0.5 ms
  CHECK(h.at_or_below(2) == 3);   // <= 2.5 ms
  CHECK(h.at_or_below(5) == 4);   // <= 25 ms
  CHECK(h.at_or_below(12) == 5);  // <= 5 s; the 60 s one is above every bound
  CHECK(h.quantile(0.5) == 0.0025);
  CHECK(h.quantile(0.99) == 10.0);  // beyond the last bound: at least it
}

TEST_CASE("latency histogram: in-process bounds from a microsecond, quantiles in them") {
  LatencyHistogram h(LatencyHistogram::kInProcess);
  for (double s : {0.0000008, 0.000003, 0.000004, 0.00002, 0.0003}) h.add(s);
  CHECK(h.bounds().front() == 1e-6);
  CHECK(h.at_or_below(0) == 1);  // <= 1 us
  CHECK(h.at_or_below(2) == 3);  // <= 5 us
  CHECK(h.quantile(0.5) == 5e-6);
  CHECK(h.quantile(0.99) == 5e-4);
}

TEST_CASE("reject reasons: counted by the venue's words, at most 24 of them, then other") {
  LiveStats s;
  s.rejected("post-only order would cross the book");
  s.rejected("post-only order would cross the book");
  s.rejected("");
  CHECK(s.rejects_by_reason["post-only order would cross the book"] == 2);
  CHECK(s.rejects_by_reason["unknown"] == 1);
  for (int i = 0; i < 40; ++i) s.rejected("reason " + std::to_string(i));
  CHECK(s.rejects_by_reason.size() == LiveStats::kMaxReasons + 1);
  CHECK(s.rejects_by_reason["other"] == 40 - (LiveStats::kMaxReasons - 2));
}
