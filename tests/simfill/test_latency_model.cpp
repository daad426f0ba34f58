#include "latency_model.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

using mmh::sim::LatencyConfig;
using mmh::sim::LatencyKind;
using mmh::sim::LatencyModel;
using mmh::sim::LatencySpec;

TEST_CASE("latency: specs parse, and bad ones say what is expected") {
  CHECK(LatencySpec::parse("25").kind == LatencyKind::constant);
  CHECK(LatencySpec::parse("25").a_ms == 25);
  const LatencySpec u = LatencySpec::parse("uniform:10:40");
  CHECK(u.kind == LatencyKind::uniform);
  CHECK(u.b_ms == 40);
  CHECK(LatencySpec::parse("lognormal:20:0.5").kind == LatencyKind::lognormal);
  CHECK_THROWS_WITH_AS(LatencySpec::parse("fast"), doctest::Contains("uniform:10:40"),
                       std::invalid_argument);
  CHECK_THROWS_AS(LatencySpec::parse("uniform:40:10"), std::invalid_argument);
  CHECK_THROWS_AS(LatencySpec::parse("gamma:1:2"), std::invalid_argument);
  CHECK_THROWS_AS(LatencySpec::parse("-5"), std::invalid_argument);
}

TEST_CASE("latency: constant delays, and drawn ones repeat with the seed and stay in range") {
  LatencyConfig config;
  config.entry = LatencySpec::parse("25");
  config.cancel = LatencySpec::parse("uniform:10:40");
  config.market_data = LatencySpec::parse("normal:5:50");
  config.seed = 7;
  LatencyModel a(config);
  LatencyModel b(config);
  CHECK(a.entry_ns() == 25'000'000);
  std::vector<int64_t> first;
  for (int i = 0; i < 1000; ++i) {
    const int64_t c = a.cancel_ns();
    CHECK(c >= 10'000'000);
    CHECK(c < 40'000'000);
    CHECK(c == b.cancel_ns());
    const int64_t md = a.market_data_ns();
    CHECK(md >= 0);  // truncated at zero even with a wide sd
    CHECK(md == b.market_data_ns());
    first.push_back(c);
  }
  config.seed = 8;
  LatencyModel other(config);
  other.entry_ns();
  int same = 0;
  for (int i = 0; i < 1000; ++i) same += other.cancel_ns() == first[static_cast<size_t>(i)];
  CHECK(same < 10);
}

TEST_CASE("latency: a constant delay is the same every time and draws nothing from the seed") {
  LatencyConfig config;
  config.entry = LatencySpec::parse("2.5");
  config.amend = LatencySpec::parse("0.0000004");  // 0.4 ns: rounds to 0
  config.cancel = LatencySpec::parse("uniform:10:40");
  config.seed = 11;
  LatencyModel asked(config);
  LatencyModel alone(config);
  for (int i = 0; i < 200; ++i) {
    CHECK(asked.entry_ns() == 2'500'000);
    CHECK(asked.amend_ns() == 0);
    CHECK(asked.market_data_ns() == 0);             // the default: constant 0 ms
    CHECK(asked.cancel_ns() == alone.cancel_ns());  // the constants took no draw between
  }
}
