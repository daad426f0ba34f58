// Parameter sets and the NSGA-II steps: grid order, ranges that keep their end, seeded random
// sets that repeat exactly, encode/decode round trips, non-dominated fronts and crowding
// computed by hand, and NSGA-II selection keeping the best front.
#include "batch/search_space.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace mmh::batch;

TEST_CASE("batch search: ranges keep their end and print short") {
  const auto v = value_range(0.1, 0.5, 0.05);
  REQUIRE(v.size() == 9);
  CHECK(v[2] == 0.2);
  CHECK(v.back() == 0.5);
  CHECK(number_text(v[2]) == "0.2");
  CHECK(number_text(4) == "4");
  CHECK(number_text(0.35) == "0.35");
  CHECK_THROWS_AS(value_range(1, 0, 0.1), std::invalid_argument);
  CHECK_THROWS_AS(value_range(0, 1, 0), std::invalid_argument);
}

TEST_CASE("batch search: a grid is every combination, the last name turning fastest") {
  const auto sets = grid_sets({{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}});
  REQUIRE(sets.size() == 6);
  CHECK(sets[0] == ParamSet{{"a", "1"}, {"b", "x"}});
  CHECK(sets[1] == ParamSet{{"a", "1"}, {"b", "y"}});
  CHECK(sets[3] == ParamSet{{"a", "2"}, {"b", "x"}});
  CHECK_THROWS_WITH_AS(grid_sets({{"a", {}}}), doctest::Contains("'a' has no values"),
                       std::invalid_argument);
  CHECK_THROWS_AS(grid_sets({{"a", {"1", "2"}}, {"b", {"1", "2"}}}, 3), std::invalid_argument);
}

TEST_CASE("batch search: random sets are the same for a seed, inside the space") {
  Space space;
  space["grid.step_atr"] = Dimension{Dimension::uniform, 0.1, 0.5, 0.05, {}};
  space["grid.levels"] = Dimension{Dimension::integer, 2, 6, 0, {}};
  space["mode"] = Dimension{Dimension::choice, 0, 0, 0, {"a", "b"}};
  const auto one = random_sets(space, 50, 7);
  CHECK(one == random_sets(space, 50, 7));
  CHECK(one != random_sets(space, 50, 8));
  bool saw_two = false, saw_six = false;
  for (const ParamSet& s : one) {
    const double step = std::stod(s.at("grid.step_atr"));
    CHECK(step >= 0.1);
    CHECK(step <= 0.5);
    CHECK(std::fabs(std::round(step / 0.05) * 0.05 - step) < 1e-9);  // on the step grid
    const int levels = std::stoi(s.at("grid.levels"));
    CHECK(levels >= 2);
    CHECK(levels <= 6);
    saw_two = saw_two || levels == 2;
    saw_six = saw_six || levels == 6;
    CHECK((s.at("mode") == "a" || s.at("mode") == "b"));
  }
  CHECK(saw_two);
  CHECK(saw_six);
  // Encoding and decoding a set gives it back.
  for (const ParamSet& s : one) CHECK(decode(space, encode(space, s)) == s);
  space["bad"] = Dimension{Dimension::integer, 1.5, 3, 0, {}};
  CHECK_THROWS_WITH_AS(check_space(space), doctest::Contains("'bad'"), std::invalid_argument);
}

TEST_CASE("batch search: objectives, fronts and crowding by hand") {
  CHECK(parse_objective("net_pnl:max").maximize);
  CHECK(!parse_objective("max_drawdown_pct:min").maximize);
  CHECK(parse_objective("fills.total").metric == "fills.total");
  CHECK_THROWS_AS(parse_objective("x:up"), std::invalid_argument);
  // Maximise pnl, minimise drawdown.
  const std::vector<Objective> obj = {{"pnl", true}, {"dd", false}};
  const std::vector<std::vector<double>> v = {
      {10, 5},  // 0: front
      {8, 2},   // 1: front
      {7, 6},   // 2: dominated by 0 and 1
      {12, 9},  // 3: front
      {6, 7},   // 4: dominated by 2
      {20, 1},  // 5: would dominate all, but infeasible
  };
  const auto fronts = non_dominated_fronts(v, obj, {true, true, true, true, true, false});
  REQUIRE(fronts.size() == 4);
  CHECK(fronts[0] == std::vector<size_t>{0, 1, 3});
  CHECK(fronts[1] == std::vector<size_t>{2});
  CHECK(fronts[2] == std::vector<size_t>{4});
  CHECK(fronts[3] == std::vector<size_t>{5});
  const auto d = crowding_distance(v, fronts[0]);
  CHECK(std::isinf(d[1]));  // lowest pnl and lowest dd
  CHECK(std::isinf(d[2]));  // highest of both
  // The middle point: (12 - 8) / (12 - 8) + (9 - 2) / (9 - 2) = 2.
  CHECK(d[0] == doctest::Approx(2.0));
  const auto keep = nsga2_select(v, obj, {true, true, true, true, true, false}, 4);
  CHECK(keep == std::vector<size_t>{0, 1, 3, 2});
}

TEST_CASE("batch search: NSGA-II offspring stay in the unit cube and repeat for a seed") {
  const std::vector<std::vector<double>> parents = {{0.1, 0.9}, {0.5, 0.5}, {0.9, 0.1}, {0.3, 0.3}};
  Rng a(3), b(3);
  const auto x = nsga2_offspring(parents, {0, 0, 1, 1}, {1, 2, 3, 4}, 6, a);
  const auto y = nsga2_offspring(parents, {0, 0, 1, 1}, {1, 2, 3, 4}, 6, b);
  REQUIRE(x.size() == 6);
  CHECK(x == y);
  for (const auto& c : x)
    for (double g : c) {
      CHECK(g >= 0.0);
      CHECK(g <= 1.0);
    }
}
