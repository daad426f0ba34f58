// Every tunable of the bos_mm core by name ("grid.levels"), with its unit and a one-line meaning,
// so a strategy script (or a plugin config) can set any of them as text. Ranges are checked by
// CoreParams::validate(), the one place that knows them.
#pragma once

#include "core.hpp"

#include <mmhost/plugin.h>

#include <span>
#include <string>
#include <string_view>

namespace mmh::bos {

enum class ParamType {
  integer,       // int
  integer64,     // int64_t (bar counts that may be large)
  number,        // double
  decimal_e8,    // exact decimal stored in 1e-8 units (balances)
  zone_mode,     // ZoneMode by name
  confirm_rule,  // ConfirmRule by name
};

struct ParamInfo {
  const char* name;
  ParamType type;
  const char* unit;
  const char* meaning;
};

// The initial balances a run starts from ("capital.allocation", "capital.base").
struct CoreSetup {
  CoreParams params;
  Wallet wallet{0, 10'000 * MMH_E8};
};

std::span<const ParamInfo> param_catalog();

// The catalog as the ABI describes it (mmh_core_param): types, units, meanings, defaults, and
// the ranges CoreParams::validate() checks (read from the checks themselves). Built once.
std::span<const mmh_core_param> param_descriptions();

// Parses `value` into the named field. Throws std::invalid_argument naming the parameter: an
// unknown name (with the closest known names), or a value of the wrong type.
void set_param(CoreSetup& setup, std::string_view name, std::string_view value);

// The current value as text (defaults when `setup` is default-constructed).
std::string get_param(const CoreSetup& setup, std::string_view name);

}  // namespace mmh::bos
