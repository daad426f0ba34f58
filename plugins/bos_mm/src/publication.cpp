#include "publication.hpp"

#include <iterator>

namespace mmh::bos {
namespace {

constexpr int64_t kDayNs = 86'400'000'000'000;

int64_t utc_day(int64_t ts_ns) {
  return ts_ns >= 0 ? ts_ns / kDayNs : (ts_ns - kDayNs + 1) / kDayNs;
}

// The chart: a shade per state (idle unshaded) and the structure's decisions as markers.
constexpr mmh_core_band kBands[] = {{"bos", 0x2962FF1Au, 0},
                                    {"rebalance", 0xFF980024u, 0},
                                    {"mm", 0x26A69A29u, 0},
                                    {"exit", 0xEF535024u, 0}};
constexpr mmh_core_marker kMarkers[] = {
    {"bos_confirmed", "bullish", "BOS", MMH_MARKER_ARROW_UP, MMH_MARKER_BELOW, 0x2962FFFFu, 0},
    {"bos_confirmed", "bearish", "BOS", MMH_MARKER_ARROW_DOWN, MMH_MARKER_ABOVE, 0x2962FFFFu, 0},
    {"bos_failed", nullptr, "BOS failed", MMH_MARKER_CIRCLE, MMH_MARKER_ABOVE, 0x9E9E9EFFu, 0},
    {"pullback_confirmed", nullptr, "pullback", MMH_MARKER_SQUARE, MMH_MARKER_BELOW, 0xFF9800FFu,
     0}};
constexpr const char* kBarValues[] = {"state", "policy"};

}  // namespace

void Publication::before_input(const Core& core, int64_t open_ts_ns, int64_t interval_ns,
                               int64_t htf_ns) {
  if (!pending_) return;
  // The structure bar that closes with the execution bar belongs to it.
  if (interval_ns == htf_ns && open_ts_ns + interval_ns == pending_close_ns_) return;
  settle(core.state(), core.policy());
}

void Publication::after_ltf_bar(int64_t close_ts_ns) {
  pending_ = true;
  pending_close_ns_ = close_ts_ns;
  const int64_t day = utc_day(close_ts_ns - 1);  // a bar closing at midnight ends its day
  if (day != last_day_) {
    last_day_ = day;
    ++days_;
  }
}

void Publication::settle(State state, PolicyLevel policy) {
  pending_ = false;
  ++bars_;
  ++bars_in_state_[static_cast<size_t>(state)];
  ++bars_in_policy_[static_cast<size_t>(policy)];
}

void Publication::count(const Event& e) {
  ++events_[static_cast<size_t>(e.kind)];
  if (e.kind == EventKind::transition) {
    ++transitions_[std::string(to_string(e.from)) + "->" + to_string(e.to)];
    if (e.to == State::mm) ++mm_entries_;
  } else if (e.kind == EventKind::policy_changed && e.policy_to == PolicyLevel::defensive) {
    ++defensive_entries_;
  }
}

void Publication::publish(const Core& core, mmh_core_publication& out) {
  // The bar in progress counts in the present state, without settling it (more input may come).
  std::array<uint64_t, kStateCount + 1> in_state = bars_in_state_;
  std::array<uint64_t, 4> in_policy = bars_in_policy_;
  uint64_t bars = bars_;
  if (pending_) {
    ++bars;
    ++in_state[static_cast<size_t>(core.state())];
    ++in_policy[static_cast<size_t>(core.policy())];
  }
  const double bar_count = static_cast<double>(bars == 0 ? 1 : bars);
  const double days = static_cast<double>(days_ == 0 ? 1 : days_);
  names_.clear();
  std::vector<std::pair<uint32_t, double>> values;
  auto put = [&](std::string name, uint32_t type, double value) {
    names_.push_back(std::move(name));
    values.emplace_back(type, value);
  };
  auto counter = [&](const char* name, uint64_t n) {
    put(std::string("stage1.") + name, MMH_METRIC_COUNTER, static_cast<double>(n));
  };
  auto share = [&](std::string name, uint64_t n) {
    put("stage1." + std::move(name), MMH_METRIC_GAUGE, static_cast<double>(n) / bar_count);
  };
  counter("bos_potential", events_[static_cast<size_t>(EventKind::bos_potential)]);
  counter("bos_confirmed", events_[static_cast<size_t>(EventKind::bos_confirmed)]);
  counter("bos_failed", events_[static_cast<size_t>(EventKind::bos_failed)]);
  counter("mm_entries", mm_entries_);
  share("time_in_mm_share", in_state[static_cast<size_t>(State::mm)]);
  share("time_disabled_share", in_policy[static_cast<size_t>(PolicyLevel::disabled)]);
  share("time_defensive_share", in_policy[static_cast<size_t>(PolicyLevel::defensive)]);
  counter("defensive_entries", defensive_entries_);
  put("stage1.defensive_entries_per_day", MMH_METRIC_GAUGE,
      static_cast<double>(defensive_entries_) / days);
  // By name, as the states sort (the summary's order); only states the run was in.
  std::map<std::string, uint64_t> by_state;
  for (int s = 1; s <= kStateCount; ++s)
    if (in_state[static_cast<size_t>(s)] > 0)
      by_state[to_string(static_cast<State>(s))] = in_state[static_cast<size_t>(s)];
  for (const auto& [state, n] : by_state) share("time_share_by_state." + state, n);
  for (const auto& [edge, n] : transitions_)
    put("stage1.transitions." + edge, MMH_METRIC_COUNTER, static_cast<double>(n));

  metrics_.clear();
  for (size_t i = 0; i < names_.size(); ++i)
    metrics_.push_back(mmh_core_metric{names_[i].c_str(), values[i].first, 0, values[i].second});
  out.metric_count = metrics_.size();
  out.metrics = metrics_.data();
  out.bar_value_count = std::size(kBarValues);
  out.bar_values = kBarValues;
  out.band_count = std::size(kBands);
  out.bands = kBands;
  out.marker_count = std::size(kMarkers);
  out.markers = kMarkers;
}

}  // namespace mmh::bos
