#include "params.hpp"

#include "transition_edits.hpp"
#include "validate.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/suggest.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace mmh::bos {
namespace {

// Each entry: catalog info plus where the value lives.
struct Entry {
  ParamInfo info;
  void* (*field)(CoreSetup&);
};

// The C++ type each ParamType is stored as; MMH_PARAM checks every entry against it at compile
// time, so a tag can never disagree with its field.
template <ParamType>
struct Storage;
template <>
struct Storage<ParamType::integer> {
  using type = int;
};
template <>
struct Storage<ParamType::integer64> {
  using type = int64_t;
};
template <>
struct Storage<ParamType::number> {
  using type = double;
};
template <>
struct Storage<ParamType::decimal_e8> {
  using type = int64_t;
};
template <>
struct Storage<ParamType::zone_mode> {
  using type = ZoneMode;
};
template <>
struct Storage<ParamType::confirm_rule> {
  using type = ConfirmRule;
};

#define MMH_PARAM(name, kind, unit, meaning, expr)                                                 \
  Entry {                                                                                          \
    ParamInfo{name, ParamType::kind, unit, meaning}, [](CoreSetup& s) -> void* {                   \
      static_assert(                                                                               \
          std::is_same_v<std::remove_reference_t<decltype(expr)>, Storage<ParamType::kind>::type>, \
          "parameter type tag does not match its field");                                          \
      return &(expr);                                                                              \
    }                                                                                              \
  }

const Entry kEntries[] = {
    MMH_PARAM("structure.atr_period", integer, "HTF bars", "Wilder ATR period",
              s.params.atr_period),
    MMH_PARAM("structure.left_bars", integer, "bars", "bars left of a pivot that must be beyond it",
              s.params.structure.left_bars),
    MMH_PARAM("structure.right_bars", integer, "bars",
              "bars right of a pivot; also its confirmation delay", s.params.structure.right_bars),
    MMH_PARAM("structure.min_swing_atr", number, "ATR",
              "minimum distance from the last opposite pivot", s.params.structure.min_swing_atr),
    MMH_PARAM("bos.confirm_atr", number, "ATR", "a confirming close is this far beyond the level",
              s.params.bos.confirm_atr),
    MMH_PARAM("bos.confirm_closes", integer, "closes", "consecutive confirming closes needed",
              s.params.bos.confirm_closes),
    MMH_PARAM("bos.fail_bars", integer, "HTF bars", "a potential break fails after this many bars",
              s.params.bos.fail_bars),
    MMH_PARAM("pullback.zone", zone_mode, "level|retracement|either|both", "which zone counts",
              s.params.pullback.zone),
    MMH_PARAM("pullback.level_above_atr", number, "ATR", "level zone top above the broken level",
              s.params.pullback.level_above_atr),
    MMH_PARAM("pullback.level_below_atr", number, "ATR", "level zone bottom below the broken level",
              s.params.pullback.level_below_atr),
    MMH_PARAM("pullback.retrace_min", number, "fraction", "retracement band start (of the leg)",
              s.params.pullback.retrace_min),
    MMH_PARAM("pullback.retrace_max", number, "fraction", "retracement band end (of the leg)",
              s.params.pullback.retrace_max),
    MMH_PARAM("pullback.confirm", confirm_rule,
              "ltf_bullish_close|ltf_close_above_prev_high|htf_bullish_close", "confirmation rule",
              s.params.pullback.confirm),
    MMH_PARAM("pullback.max_bars", integer, "HTF bars", "time to start and confirm a pullback",
              s.params.pullback.max_bars),
    MMH_PARAM("policy.disabled_atr_pct", number, "%", "ATR/close at which trading is disabled",
              s.params.policy.disabled_atr_pct),
    MMH_PARAM("policy.defensive_atr_pct", number, "%",
              "ATR/close at which the grid turns defensive", s.params.policy.defensive_atr_pct),
    MMH_PARAM("policy.vol_window", integer, "HTF bars", "window of the realized volatility",
              s.params.policy.vol_window),
    MMH_PARAM("policy.disabled_volatility_pct", number, "%", "realized volatility: disabled",
              s.params.policy.disabled_volatility_pct),
    MMH_PARAM("policy.defensive_volatility_pct", number, "%", "realized volatility: defensive",
              s.params.policy.defensive_volatility_pct),
    MMH_PARAM("policy.disabled_spread_bps", number, "bp", "spread: disabled",
              s.params.policy.disabled_spread_bps),
    MMH_PARAM("policy.defensive_spread_bps", number, "bp", "spread: defensive",
              s.params.policy.defensive_spread_bps),
    MMH_PARAM("policy.drawdown_window_bars", integer, "HTF bars", "equity peak lookback",
              s.params.policy.drawdown_window_bars),
    MMH_PARAM("policy.disabled_drawdown_pct", number, "%", "drawdown: disabled",
              s.params.policy.disabled_drawdown_pct),
    MMH_PARAM("policy.defensive_drawdown_pct", number, "%", "drawdown: defensive",
              s.params.policy.defensive_drawdown_pct),
    MMH_PARAM("policy.defensive_inventory_share", number, "fraction",
              "base share of equity that turns the grid defensive",
              s.params.policy.defensive_inventory_share),
    MMH_PARAM("policy.defensive_bos_age_bars", integer64, "HTF bars",
              "bars since the last bullish BOS that turn the grid defensive",
              s.params.policy.defensive_bos_age_bars),
    MMH_PARAM("policy.recovery_bars", integer, "HTF bars", "calm bars before a milder level",
              s.params.policy.recovery_bars),
    MMH_PARAM("grid.levels", integer, "levels", "levels per side (Normal)", s.params.grid.levels),
    MMH_PARAM("grid.step_min_ticks", integer, "ticks", "minimum step",
              s.params.grid.step_min_ticks),
    MMH_PARAM("grid.step_min_bps", number, "bp", "minimum step in basis points of the centre",
              s.params.grid.step_min_bps),
    MMH_PARAM("grid.step_atr", number, "ATR", "adaptive step", s.params.grid.step_atr),
    MMH_PARAM("grid.level_pct", number, "% of equity", "quote per level before scaling",
              s.params.grid.level_pct),
    MMH_PARAM("grid.vol_ref_atr_pct", number, "%", "ATR% at which size scaling starts",
              s.params.grid.vol_ref_atr_pct),
    MMH_PARAM("grid.min_size_scale", number, "fraction", "floor of the volatility size scale",
              s.params.grid.min_size_scale),
    MMH_PARAM("grid.target_base_share", number, "fraction", "base value / equity to steer to",
              s.params.grid.target_base_share),
    MMH_PARAM("grid.soft_band", number, "fraction", "deviation where the adding side shrinks",
              s.params.grid.soft_band),
    MMH_PARAM("grid.hard_band", number, "fraction", "deviation where the adding side is off",
              s.params.grid.hard_band),
    MMH_PARAM("grid.skew_atr", number, "ATR", "centre shift at the hard band",
              s.params.grid.skew_atr),
    MMH_PARAM("grid.defensive_levels", integer, "levels", "levels per side (Defensive)",
              s.params.grid.defensive_levels),
    MMH_PARAM("grid.defensive_step_mult", number, "x", "step multiplier (Defensive)",
              s.params.grid.defensive_step_mult),
    MMH_PARAM("grid.defensive_size_mult", number, "x", "size multiplier (Defensive)",
              s.params.grid.defensive_size_mult),
    MMH_PARAM("grid.defensive_band_mult", number, "x", "band multiplier (Defensive)",
              s.params.grid.defensive_band_mult),
    MMH_PARAM("execution.rebalance_offset_ticks", integer, "ticks",
              "Rebalance bids this far under the reference", s.params.exec.rebalance_offset_ticks),
    MMH_PARAM("execution.rebalance_timeout_bars", integer64, "HTF bars", "Rebalance gives up after",
              s.params.exec.rebalance_timeout_bars),
    MMH_PARAM("execution.target_tolerance", number, "fraction",
              "target reached at share >= target * (1 - tolerance)",
              s.params.exec.target_tolerance),
    MMH_PARAM("execution.mm_max_bars", integer64, "HTF bars", "maximum MM duration",
              s.params.exec.mm_max_bars),
    MMH_PARAM("execution.exit_limit_bars", integer64, "HTF bars",
              "Exit sells at a limit this long, then marketable", s.params.exec.exit_limit_bars),
    MMH_PARAM("risk.stop_drawdown_pct", number, "%", "setup drawdown that forces Exit",
              s.params.exec.risk_stop_drawdown_pct),
    MMH_PARAM("capital.allocation", decimal_e8, "quote units", "quote the run starts with",
              s.wallet.quote_e8),
    MMH_PARAM("capital.base", decimal_e8, "base units", "base the run starts with",
              s.wallet.base_e8),
};
#undef MMH_PARAM

const std::span<const ParamInfo> kCatalog = [] {
  static ParamInfo infos[std::size(kEntries)];
  for (size_t i = 0; i < std::size(kEntries); ++i) infos[i] = kEntries[i].info;
  return std::span<const ParamInfo>(infos);
}();

const Entry& find(std::string_view name) {
  for (const Entry& e : kEntries)
    if (name == e.info.name) return e;
  std::vector<std::string_view> names;
  for (const Entry& e : kEntries) names.push_back(e.info.name);
  const std::string guess = sdk::closest_name(name, names);
  // Otherwise list the names of the same group.
  std::string group(name.substr(0, name.find('.') + 1));
  std::string known;
  for (const Entry& e : kEntries)
    if (!group.empty() && std::string_view(e.info.name).substr(0, group.size()) == group)
      known += (known.empty() ? "" : ", ") + std::string(e.info.name);
  throw std::invalid_argument("unknown bos_mm parameter '" + std::string(name) + "'" +
                              (!guess.empty()  ? " (did you mean '" + guess + "'?)"
                               : known.empty() ? ""
                                               : " (" + group + "* has: " + known + ")"));
}

[[noreturn]] void bad(std::string_view name, std::string_view value, const char* expected) {
  throw std::invalid_argument("parameter " + std::string(name) + ": expected " + expected +
                              ", got '" + std::string(value) + "'");
}

template <class Int>
Int parse_integer(std::string_view name, std::string_view value) {
  Int out{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc{} || end != value.data() + value.size()) bad(name, value, "an integer");
  return out;
}

double parse_number(std::string_view name, std::string_view value) {
  const std::string text(value);
  char* end = nullptr;
  const double out = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) bad(name, value, "a number");
  return out;
}

}  // namespace

std::span<const ParamInfo> param_catalog() {
  return kCatalog;
}

void set_param(CoreSetup& setup, std::string_view name, std::string_view value) {
  if (name == "transitions") {
    // Edits apply to the built-in table, so setting the same text twice gives the same table.
    TransitionTable table = TransitionTable::defaults();
    apply_transition_edits(table, value);
    setup.params.transitions = std::move(table);
    return;
  }
  const Entry& e = find(name);
  void* field = e.field(setup);
  switch (e.info.type) {
    case ParamType::integer:
      *static_cast<int*>(field) = parse_integer<int>(name, value);
      return;
    case ParamType::integer64:
      *static_cast<int64_t*>(field) = parse_integer<int64_t>(name, value);
      return;
    case ParamType::decimal_e8: {
      int64_t e8 = 0;
      if (sdk::parse_e8(value, e8) != sdk::ParseDecimal::ok || e8 < 0)
        bad(name, value, "a non-negative decimal with at most 8 decimals");
      *static_cast<int64_t*>(field) = e8;
      return;
    }
    case ParamType::number:
      *static_cast<double*>(field) = parse_number(name, value);
      return;
    case ParamType::zone_mode:
      for (ZoneMode m : {ZoneMode::level, ZoneMode::retracement, ZoneMode::either, ZoneMode::both})
        if (value == to_string(m)) {
          *static_cast<ZoneMode*>(field) = m;
          return;
        }
      bad(name, value, "level, retracement, either or both");
    case ParamType::confirm_rule:
      for (ConfirmRule r : {ConfirmRule::ltf_bullish_close, ConfirmRule::ltf_close_above_prev_high,
                            ConfirmRule::htf_bullish_close})
        if (value == to_string(r)) {
          *static_cast<ConfirmRule*>(field) = r;
          return;
        }
      bad(name, value, "ltf_bullish_close, ltf_close_above_prev_high or htf_bullish_close");
  }
}

std::string get_param(const CoreSetup& setup, std::string_view name) {
  if (name == "transitions") {
    std::string out;
    for (const Edge& edge : setup.params.transitions.edges())
      out += (out.empty() ? "" : "; ") + describe_edge(edge);
    return out;
  }
  const Entry& e = find(name);
  const void* field = e.field(const_cast<CoreSetup&>(setup));  // only read
  switch (e.info.type) {
    case ParamType::integer:
      return std::to_string(*static_cast<const int*>(field));
    case ParamType::integer64:
      return std::to_string(*static_cast<const int64_t*>(field));
    case ParamType::decimal_e8:
      return sdk::format_e8(*static_cast<const int64_t*>(field));
    case ParamType::number: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.10g", *static_cast<const double*>(field));
      return buf;
    }
    case ParamType::zone_mode:
      return to_string(*static_cast<const ZoneMode*>(field));
    case ParamType::confirm_rule:
      return to_string(*static_cast<const ConfirmRule*>(field));
  }
  return {};
}

std::span<const mmh_core_param> param_descriptions() {
  static const std::vector<mmh_core_param> described = [] {
    const CoreSetup defaults;
    RangeRecorder recorder;
    try {
      defaults.params.validate();
    } catch (const std::invalid_argument&) {
      // A default outside its own range would be a bug; the ranges seen so far still stand.
    }
    static std::deque<std::string> texts;  // the defaults' text, alive as long as the entries
    std::vector<mmh_core_param> out;
    for (const ParamInfo& p : param_catalog()) {
      mmh_core_param d{};
      d.size = sizeof(d);
      d.name = p.name;
      switch (p.type) {
        case ParamType::integer:
        case ParamType::integer64:
          d.type = "integer";
          break;
        case ParamType::number:
          d.type = "number";
          break;
        case ParamType::decimal_e8:
          d.type = "decimal";
          break;
        case ParamType::zone_mode:
        case ParamType::confirm_rule:
          d.type = "choice";
          break;
      }
      d.unit = p.unit;
      d.meaning = p.meaning;
      d.default_value = texts.emplace_back(get_param(defaults, p.name)).c_str();
      const auto range = recorder.ranges.find(p.name);
      d.min = range == recorder.ranges.end() ? std::numeric_limits<double>::quiet_NaN()
                                             : range->second.first;
      d.max = range == recorder.ranges.end() ? std::numeric_limits<double>::quiet_NaN()
                                             : range->second.second;
      out.push_back(d);
    }
    return out;
  }();
  return described;
}

}  // namespace mmh::bos
