// Parameter sets for batch backtests: a full grid over value lists, seeded random sampling of a
// space (uniform / integer / choice dimensions), and the NSGA-II steps (non-dominated sorting,
// crowding distance, SBX crossover, polynomial mutation) over the same space. Everything is
// deterministic for a seed: the same call gives the same sets on every machine (own PRNG, no
// std::uniform_*_distribution, whose output the standard leaves to the implementation).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mmh::batch {

// A parameter set: core parameter path ("grid.step_atr") -> value as the core reads it ("0.3").
using ParamSet = std::map<std::string, std::string>;

// Shortest text that reads back as the same double ("0.35", "4", "1e-05").
std::string number_text(double value);

// from, from + step, ... up to `to` inclusive (a step's rounding error does not drop `to`).
// Throws std::invalid_argument for step <= 0 or from > to, or more than a million values.
std::vector<double> value_range(double from, double to, double step);

// Every combination of the dimensions' values; the last dimension (by name) varies fastest.
// Throws std::invalid_argument for an empty dimension or more than `max_sets` sets.
std::vector<ParamSet> grid_sets(const std::map<std::string, std::vector<std::string>>& dims,
                                size_t max_sets = 1'000'000);

struct Dimension {
  enum Kind { uniform, integer, choice } kind = uniform;
  double lo = 0, hi = 0;             // uniform, integer (inclusive)
  double step = 0;                   // uniform: snap to lo + k * step when > 0
  std::vector<std::string> choices;  // choice
};
using Space = std::map<std::string, Dimension>;

// Checks a space (lo <= hi, integers whole, choices non-empty); throws std::invalid_argument
// naming the dimension.
void check_space(const Space& space);

// splitmix64: small, fast and the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();  // [0, 1)
 private:
  uint64_t state_;
};

// `n` sets drawn from the space.
std::vector<ParamSet> random_sets(const Space& space, size_t n, uint64_t seed);

// A point of the space as numbers in [0, 1] per dimension (name order), and back.
std::vector<double> encode(const Space& space, const ParamSet& set);
ParamSet decode(const Space& space, const std::vector<double>& unit);

// One objective: a metric and whether more is better.
struct Objective {
  std::string metric;
  bool maximize = true;
};
// "net_pnl:max", "max_drawdown_pct:min" (":max" when no suffix); throws std::invalid_argument.
Objective parse_objective(const std::string& text);

// Fronts of non-dominated points (front 0 first), by index. `values[i][k]` is point i's k-th
// objective; `feasible[i]` false puts the point behind every feasible one.
std::vector<std::vector<size_t>> non_dominated_fronts(
    const std::vector<std::vector<double>>& values, const std::vector<Objective>& objectives,
    const std::vector<bool>& feasible);
// Crowding distance of each member of one front (infinity at the ends of each objective).
std::vector<double> crowding_distance(const std::vector<std::vector<double>>& values,
                                      const std::vector<size_t>& front);

// NSGA-II offspring of a ranked population: binary tournaments by (rank, crowding), SBX
// crossover (eta 15) and polynomial mutation (eta 20, rate 1/dimensions) in the unit cube.
std::vector<std::vector<double>> nsga2_offspring(const std::vector<std::vector<double>>& parents,
                                                 const std::vector<size_t>& rank,
                                                 const std::vector<double>& crowding, size_t count,
                                                 Rng& rng);
// Environmental selection: the indices of the `keep` best points by front, then crowding.
std::vector<size_t> nsga2_select(const std::vector<std::vector<double>>& values,
                                 const std::vector<Objective>& objectives,
                                 const std::vector<bool>& feasible, size_t keep);

}  // namespace mmh::batch
