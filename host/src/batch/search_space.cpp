#include "batch/search_space.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace mmh::batch {

std::string number_text(double value) {
  char buf[40];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", value);
    return buf;
  }
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof(buf), "%.*g", digits, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

std::vector<double> value_range(double from, double to, double step) {
  if (!(step > 0)) throw std::invalid_argument("range step must be positive");
  if (from > to) throw std::invalid_argument("range start is above its end");
  const double count = std::floor((to - from) / step + 1e-9) + 1;
  if (count > 1e6) throw std::invalid_argument("range holds more than a million values");
  std::vector<double> out;
  for (int64_t i = 0; i < static_cast<int64_t>(count); ++i) {
    // from + i * step, rounded to 12 significant digits: 0.1 + 2 * 0.05 is 0.2, not 0.20000000001
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.12g", from + static_cast<double>(i) * step);
    out.push_back(std::strtod(buf, nullptr));
  }
  return out;
}

std::vector<ParamSet> grid_sets(const std::map<std::string, std::vector<std::string>>& dims,
                                size_t max_sets) {
  size_t total = 1;
  for (const auto& [name, values] : dims) {
    if (values.empty()) throw std::invalid_argument("grid dimension '" + name + "' has no values");
    if (total > max_sets / values.size())
      throw std::invalid_argument("the grid holds more than " + std::to_string(max_sets) + " sets");
    total *= values.size();
  }
  std::vector<ParamSet> out;
  out.reserve(total);
  std::vector<size_t> at(dims.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    ParamSet set;
    size_t d = 0;
    for (const auto& [name, values] : dims) set[name] = values[at[d++]];
    out.push_back(std::move(set));
    // Odometer: the last dimension turns fastest.
    for (size_t k = dims.size(); k-- > 0;) {
      auto it = std::next(dims.begin(), static_cast<std::ptrdiff_t>(k));
      if (++at[k] < it->second.size()) break;
      at[k] = 0;
    }
  }
  return out;
}

void check_space(const Space& space) {
  if (space.empty()) throw std::invalid_argument("the search space has no dimensions");
  for (const auto& [name, d] : space) {
    if (d.kind == Dimension::choice) {
      if (d.choices.empty()) throw std::invalid_argument("'" + name + "': no choices");
      continue;
    }
    if (!(d.lo <= d.hi)) throw std::invalid_argument("'" + name + "': low end above high end");
    if (d.kind == Dimension::integer && (d.lo != std::floor(d.lo) || d.hi != std::floor(d.hi)))
      throw std::invalid_argument("'" + name + "': integer bounds must be whole numbers");
    if (d.step < 0) throw std::invalid_argument("'" + name + "': step must not be negative");
  }
}

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double Rng::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

namespace {

std::string dimension_value(const Dimension& d, double unit) {
  unit = std::clamp(unit, 0.0, 1.0);
  switch (d.kind) {
    case Dimension::choice: {
      const size_t n = d.choices.size();
      return d.choices[std::min(n - 1, static_cast<size_t>(unit * static_cast<double>(n)))];
    }
    case Dimension::integer: {
      const double span = d.hi - d.lo + 1;
      return number_text(std::min(d.hi, d.lo + std::floor(unit * span)));
    }
    case Dimension::uniform:
    default: {
      double v = d.lo + unit * (d.hi - d.lo);
      if (d.step > 0) {
        v = d.lo + std::round((v - d.lo) / d.step) * d.step;
        v = std::min(v, d.hi);
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.12g", v);
        v = std::strtod(buf, nullptr);
      }
      return number_text(v);
    }
  }
}

}  // namespace

std::vector<ParamSet> random_sets(const Space& space, size_t n, uint64_t seed) {
  check_space(space);
  Rng rng(seed);
  std::vector<ParamSet> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    ParamSet set;
    for (const auto& [name, d] : space) set[name] = dimension_value(d, rng.uniform());
    out.push_back(std::move(set));
  }
  return out;
}

std::vector<double> encode(const Space& space, const ParamSet& set) {
  std::vector<double> out;
  for (const auto& [name, d] : space) {
    auto it = set.find(name);
    if (it == set.end()) throw std::invalid_argument("set has no value for '" + name + "'");
    if (d.kind == Dimension::choice) {
      auto c = std::find(d.choices.begin(), d.choices.end(), it->second);
      const double i = static_cast<double>(c - d.choices.begin());
      out.push_back((i + 0.5) / static_cast<double>(d.choices.size()));
      continue;
    }
    const double v = std::strtod(it->second.c_str(), nullptr);
    const double span = d.kind == Dimension::integer ? d.hi - d.lo + 1 : d.hi - d.lo;
    const double off = d.kind == Dimension::integer ? 0.5 : 0.0;
    out.push_back(span > 0 ? std::clamp((v - d.lo + off) / span, 0.0, 1.0) : 0.0);
  }
  return out;
}

ParamSet decode(const Space& space, const std::vector<double>& unit) {
  ParamSet set;
  size_t i = 0;
  for (const auto& [name, d] : space) set[name] = dimension_value(d, unit.at(i++));
  return set;
}

Objective parse_objective(const std::string& text) {
  Objective o;
  const size_t colon = text.rfind(':');
  o.metric = colon == std::string::npos ? text : text.substr(0, colon);
  const std::string sense = colon == std::string::npos ? "max" : text.substr(colon + 1);
  if (o.metric.empty()) throw std::invalid_argument("objective '" + text + "' names no metric");
  if (sense != "max" && sense != "min")
    throw std::invalid_argument("objective '" + text + "': say :max or :min");
  o.maximize = sense == "max";
  return o;
}

namespace {

// a dominates b: no worse in every objective, better in one.
bool dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<Objective>& objectives) {
  bool better = false;
  for (size_t k = 0; k < objectives.size(); ++k) {
    const double x = objectives[k].maximize ? a[k] : -a[k];
    const double y = objectives[k].maximize ? b[k] : -b[k];
    if (x < y) return false;
    if (x > y) better = true;
  }
  return better;
}

}  // namespace

std::vector<std::vector<size_t>> non_dominated_fronts(
    const std::vector<std::vector<double>>& values, const std::vector<Objective>& objectives,
    const std::vector<bool>& feasible) {
  const size_t n = values.size();
  std::vector<std::vector<size_t>> dominated(n);
  std::vector<size_t> count(n, 0);
  auto beats = [&](size_t a, size_t b) {
    if (feasible[a] != feasible[b]) return static_cast<bool>(feasible[a]);
    return dominates(values[a], values[b], objectives);
  };
  std::vector<std::vector<size_t>> fronts(1);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      if (beats(i, j))
        dominated[i].push_back(j);
      else if (beats(j, i))
        ++count[i];
    }
    if (count[i] == 0) fronts[0].push_back(i);
  }
  while (!fronts.back().empty()) {
    std::vector<size_t> next;
    for (size_t i : fronts.back())
      for (size_t j : dominated[i])
        if (--count[j] == 0) next.push_back(j);
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(next));
  }
  fronts.pop_back();
  return fronts;
}

std::vector<double> crowding_distance(const std::vector<std::vector<double>>& values,
                                      const std::vector<size_t>& front) {
  const size_t n = front.size();
  std::vector<double> d(n, 0.0);
  if (n == 0) return d;
  const size_t m = values[front[0]].size();
  std::vector<size_t> order(n);
  for (size_t k = 0; k < m; ++k) {
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return values[front[a]][k] < values[front[b]][k]; });
    const double lo = values[front[order.front()]][k];
    const double hi = values[front[order.back()]][k];
    d[order.front()] = d[order.back()] = std::numeric_limits<double>::infinity();
    if (hi <= lo) continue;
    for (size_t i = 1; i + 1 < n; ++i)
      d[order[i]] += (values[front[order[i + 1]]][k] - values[front[order[i - 1]]][k]) / (hi - lo);
  }
  return d;
}

std::vector<std::vector<double>> nsga2_offspring(const std::vector<std::vector<double>>& parents,
                                                 const std::vector<size_t>& rank,
                                                 const std::vector<double>& crowding, size_t count,
                                                 Rng& rng) {
  const size_t n = parents.size();
  if (n == 0) return {};
  const size_t dims = parents[0].size();
  auto pick = [&] {
    const size_t a = static_cast<size_t>(rng.next() % n);
    const size_t b = static_cast<size_t>(rng.next() % n);
    if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
    return crowding[a] >= crowding[b] ? a : b;
  };
  constexpr double eta_c = 15, eta_m = 20;
  const double mutation_rate = 1.0 / static_cast<double>(std::max<size_t>(1, dims));
  std::vector<std::vector<double>> out;
  while (out.size() < count) {
    std::vector<double> c1 = parents[pick()], c2 = parents[pick()];
    if (rng.uniform() < 0.9) {  // SBX, per dimension with probability 1/2
      for (size_t k = 0; k < dims; ++k) {
        if (rng.uniform() >= 0.5) continue;
        const double u = rng.uniform();
        const double beta = u <= 0.5 ? std::pow(2 * u, 1 / (eta_c + 1))
                                     : std::pow(1 / (2 * (1 - u)), 1 / (eta_c + 1));
        const double x = c1[k], y = c2[k];
        c1[k] = std::clamp(0.5 * ((1 + beta) * x + (1 - beta) * y), 0.0, 1.0);
        c2[k] = std::clamp(0.5 * ((1 - beta) * x + (1 + beta) * y), 0.0, 1.0);
      }
    }
    for (auto* c : {&c1, &c2}) {
      for (size_t k = 0; k < dims; ++k) {
        if (rng.uniform() >= mutation_rate) continue;
        const double u = rng.uniform();
        const double delta = u < 0.5 ? std::pow(2 * u, 1 / (eta_m + 1)) - 1
                                     : 1 - std::pow(2 * (1 - u), 1 / (eta_m + 1));
        (*c)[k] = std::clamp((*c)[k] + delta, 0.0, 1.0);
      }
      if (out.size() < count) out.push_back(*c);
    }
  }
  return out;
}

std::vector<size_t> nsga2_select(const std::vector<std::vector<double>>& values,
                                 const std::vector<Objective>& objectives,
                                 const std::vector<bool>& feasible, size_t keep) {
  std::vector<size_t> out;
  for (const std::vector<size_t>& front : non_dominated_fronts(values, objectives, feasible)) {
    if (out.size() + front.size() <= keep) {
      out.insert(out.end(), front.begin(), front.end());
      continue;
    }
    const std::vector<double> d = crowding_distance(values, front);
    std::vector<size_t> order(front.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d[a] > d[b]; });
    for (size_t i = 0; out.size() < keep; ++i) out.push_back(front[order[i]]);
    break;
  }
  return out;
}

}  // namespace mmh::batch
