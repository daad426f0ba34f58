#include <mmhost/sdk/suggest.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using mmh::sdk::closest_name;
using mmh::sdk::edit_distance;

TEST_CASE("edit distance counts inserts, deletes and substitutions") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("levels", "levels") == 0);
  CHECK(edit_distance("levelz", "levels") == 1);
  CHECK(edit_distance("simbol", "symbol") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
}

TEST_CASE("closest_name suggests only names that are close") {
  const std::set<std::string> keys = {"data", "file", "htf", "ltf", "symbol"};
  CHECK(closest_name("simbol", keys) == "symbol");
  CHECK(closest_name("htff", keys) == "htf");
  CHECK(closest_name("banana", keys).empty());
  const std::vector<std::string> names = {"grid.levels", "grid.step_atr"};
  CHECK(closest_name("grid.levelz", names) == "grid.levels");
  CHECK(closest_name("grid.steps_atr", names) == "grid.step_atr");
}
