#include "params.hpp"

#include <doctest/doctest.h>

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
