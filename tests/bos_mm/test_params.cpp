#include "params.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

using namespace mmh::bos;

TEST_CASE("every catalogued parameter reads back what was set, by name") {
  const CoreSetup defaults;
  std::set<std::string> names;
  for (const ParamInfo& p : param_catalog()) {
    CAPTURE(p.name);
    CHECK(names.insert(p.name).second);  // unique
    CHECK(std::string(p.unit).size() > 0);
    CHECK(std::string(p.meaning).size() > 0);
    // The default as text sets the same default again.
    CoreSetup s;
    set_param(s, p.name, get_param(defaults, p.name));
    CHECK(get_param(s, p.name) == get_param(defaults, p.name));
  }
  CHECK(names.size() >= 45);
}

TEST_CASE("set_param parses each type and reaches the field") {
  CoreSetup s;
  set_param(s, "grid.levels", "6");
  set_param(s, "grid.step_atr", "0.5");
  set_param(s, "execution.mm_max_bars", "10000000");
  set_param(s, "pullback.zone", "retracement");
  set_param(s, "pullback.confirm", "htf_bullish_close");
  set_param(s, "capital.allocation", "2500.12345678");
  CHECK(s.params.grid.levels == 6);
  CHECK(s.params.grid.step_atr == 0.5);
  CHECK(s.params.exec.mm_max_bars == 10'000'000);
  CHECK(s.params.pullback.zone == ZoneMode::retracement);
  CHECK(s.params.pullback.confirm == ConfirmRule::htf_bullish_close);
  CHECK(s.wallet.quote_e8 == 250'012'345'678);
}

TEST_CASE("bad names and values are refused with the parameter named") {
  CoreSetup s;
  CHECK_THROWS_WITH_AS(set_param(s, "grid.levelz", "3"),
                       "unknown bos_mm parameter 'grid.levelz' (did you mean 'grid.levels'?)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(set_param(s, "grid.banana", "3"),
                       doctest::Contains("unknown bos_mm parameter 'grid.banana' (grid.* has: "
                                         "grid.levels,"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(set_param(s, "grid.levels", "3.5"),
                       "parameter grid.levels: expected an integer, got '3.5'",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(set_param(s, "grid.step_atr", "wide"),
                       "parameter grid.step_atr: expected a number, got 'wide'",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(set_param(s, "pullback.zone", "near"),
                       doctest::Contains("expected level, retracement, either or both"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(set_param(s, "capital.allocation", "-5"), doctest::Contains("non-negative"),
                       std::invalid_argument);
}

TEST_CASE("params: the ABI description gives each parameter's type, default and checked range") {
  const auto described = mmh::bos::param_descriptions();
  REQUIRE(described.size() == mmh::bos::param_catalog().size());
  const mmh_core_param* levels = nullptr;
  const mmh_core_param* zone = nullptr;
  for (const mmh_core_param& p : described) {
    if (std::string(p.name) == "grid.levels") levels = &p;
    if (std::string(p.name) == "pullback.zone") zone = &p;
  }
  REQUIRE(levels != nullptr);
  CHECK(std::string(levels->type) == "integer");
  CHECK(std::string(levels->default_value) ==
        mmh::bos::get_param(mmh::bos::CoreSetup{}, "grid.levels"));
  // The range is the one validate() enforces: its ends pass, one beyond fails.
  CHECK(levels->min == 1);
  mmh::bos::CoreSetup setup;
  mmh::bos::set_param(setup, "grid.levels", std::to_string(static_cast<int>(levels->max)));
  CHECK_NOTHROW(setup.params.validate());
  mmh::bos::set_param(setup, "grid.levels", std::to_string(static_cast<int>(levels->max) + 1));
  CHECK_THROWS_AS(setup.params.validate(), std::invalid_argument);
  REQUIRE(zone != nullptr);
  CHECK(std::string(zone->type) == "choice");
  CHECK(std::string(zone->unit).find('|') != std::string::npos);
  // Most parameters have a range the core checks.
  size_t ranged = 0;
  for (const mmh_core_param& p : described) ranged += std::isnan(p.min) ? 0U : 1U;
  CHECK(ranged * 10 >= described.size() * 7);
}
