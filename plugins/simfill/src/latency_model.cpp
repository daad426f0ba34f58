#include "latency_model.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace mmh::sim {
namespace {

double number(const std::string& text, const std::string& whole) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v) && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("latency '" + whole +
                              "': expected non-negative milliseconds, e.g. 25, uniform:10:40, "
                              "normal:25:5 or lognormal:20:0.5");
}

}  // namespace

LatencySpec LatencySpec::parse(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ':');) parts.push_back(part);
  LatencySpec spec;
  if (parts.size() == 1) {
    spec.a_ms = number(parts[0], text);
    return spec;
  }
  if (parts.size() != 3) number("", text);  // throws with the usage
  spec.a_ms = number(parts[1], text);
  spec.b_ms = number(parts[2], text);
  if (parts[0] == "uniform") {
    spec.kind = LatencyKind::uniform;
    if (spec.b_ms < spec.a_ms)
      throw std::invalid_argument("latency '" + text + "': uniform:MIN:MAX needs MIN <= MAX");
  } else if (parts[0] == "normal") {
    spec.kind = LatencyKind::normal;
  } else if (parts[0] == "lognormal") {
    spec.kind = LatencyKind::lognormal;
    if (spec.a_ms <= 0)
      throw std::invalid_argument("latency '" + text + "': the lognormal median must be > 0");
  } else {
    throw std::invalid_argument("latency '" + text + "': unknown distribution '" + parts[0] +
                                "' (constant, uniform, normal, lognormal)");
  }
  return spec;
}

std::string LatencySpec::describe() const {
  std::ostringstream out;
  switch (kind) {
    case LatencyKind::constant:
      out << a_ms << " ms";
      break;
    case LatencyKind::uniform:
      out << "uniform " << a_ms << ".." << b_ms << " ms";
      break;
    case LatencyKind::normal:
      out << "normal mean " << a_ms << " sd " << b_ms << " ms (>= 0)";
      break;
    case LatencyKind::lognormal:
      out << "lognormal median " << a_ms << " ms sigma " << b_ms;
      break;
  }
  return out.str();
}

LatencyModel::LatencyModel(const LatencyConfig& config) : config_(config), rng_(config.seed) {
  const LatencySpec* specs[4] = {&config_.entry, &config_.amend, &config_.cancel,
                                 &config_.market_data};
  for (int i = 0; i < 4; ++i)
    if (specs[i]->kind == LatencyKind::constant) constant_ns_[i] = draw(*specs[i]);
}

double LatencyModel::uniform01() {
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

int64_t LatencyModel::draw(const LatencySpec& spec) {
  double ms = spec.a_ms;
  switch (spec.kind) {
    case LatencyKind::constant:
      break;
    case LatencyKind::uniform:
      ms = spec.a_ms + (spec.b_ms - spec.a_ms) * uniform01();
      break;
    case LatencyKind::normal:
    case LatencyKind::lognormal: {
      // Box-Muller; 1 - u keeps log() away from 0.
      const double u1 = 1.0 - uniform01();
      const double u2 = uniform01();
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
      ms = spec.kind == LatencyKind::normal ? std::max(0.0, spec.a_ms + spec.b_ms * z)
                                            : spec.a_ms * std::exp(spec.b_ms * z);
      break;
    }
  }
  return static_cast<int64_t>(std::llround(ms * 1e6));
}

std::string LatencyModel::describe() const {
  return "entry " + config_.entry.describe() + ", amend " + config_.amend.describe() + ", cancel " +
         config_.cancel.describe() + ", market data " + config_.market_data.describe() + ", seed " +
         std::to_string(config_.seed);
}

}  // namespace mmh::sim
