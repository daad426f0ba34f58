// bos_mm's publication: stage-1 counters and time shares, counted the way the host samples
// equity.csv (each execution bar in the state the core holds once that bar and the structure bar
// closing with it are in, before a fill of the next bar).
#include "publication.hpp"

#include "core_scenario.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>

using namespace mmh::bos;
using mmh::bos::test::bar_at;
using mmh::bos::test::ltf_bar;
using mmh::bos::test::Scenario;

namespace {

constexpr int64_t kHtfNs = 300'000'000'000;

// Drives a Scenario's core and the Publication as the plugin does.
struct Published {
  Scenario s;
  Publication pub;
  std::string samples;  // the state after each execution bar, as the host records it

  void count_events() {
    for (const Event& e : s.core.events()) pub.count(e);
    s.drain();
  }
  void htf(const mmh_candle& b) {
    pub.before_input(s.core, b.open_ts_ns, b.interval_ns, kHtfNs);
    s.core.on_htf_bar(b);
    count_events();
  }
  // An execution bar, and the structure bar it closes (if any), then the host's sample.
  void ltf(const mmh_candle& b, const mmh_candle* closes = nullptr) {
    pub.before_input(s.core, b.open_ts_ns, b.interval_ns, kHtfNs);
    s.core.on_ltf_bar(b);
    count_events();
    pub.after_ltf_bar(b.open_ts_ns + b.interval_ns);
    if (closes != nullptr) htf(*closes);
    samples += std::string(samples.empty() ? "" : " ") + to_string(s.core.state());
  }
  void fill_rebalance_bid() {
    pub.before_input(s.core, 0, 0, kHtfNs);
    const Desired& d = s.core.desired();
    const Instrument& inst = s.core.params().instrument;
    s.core.on_fill(bar_at(9, 0, 0, 0, 0).open_ts_ns + 150'000'000'000, MMH_SIDE_BUY,
                   inst.price_e8(d.orders.bids[0].price_ticks),
                   inst.qty_e8(d.orders.bids[0].qty_lots), 0);
    count_events();
  }
  double metric(const char* name) {
    mmh_core_publication out{};
    pub.publish(s.core, out);
    for (size_t i = 0; i < out.metric_count; ++i)
      if (std::strcmp(out.metrics[i].name, name) == 0) return out.metrics[i].value;
    return -1;
  }
};

}  // namespace

TEST_CASE("publication: time in state per execution bar, as the host samples it") {
  Published p;
  for (const mmh_candle& b : mmh::bos::test::setup_bars()) p.htf(b);  // structure only: no bar
  p.htf(bar_at(8, 105.8, 106.5, 104.5, 105));
  CHECK(p.metric("stage1.time_share_by_state.bos") == -1);  // no execution bar yet

  p.ltf(ltf_bar(9, 0, 105, 105.4, 104.8, 105.2));
  p.ltf(ltf_bar(9, 1, 105.2, 105.9, 105.1, 105.7));  // the pullback confirms: rebalance
  p.fill_rebalance_bid();  // inside the next bar, before its candle: that bar is mm
  p.ltf(ltf_bar(9, 2, 105.7, 105.8, 105.5, 105.6));
  p.ltf(ltf_bar(9, 3, 105.6, 105.7, 105.4, 105.5));
  const mmh_candle htf9 = bar_at(9, 105, 105.9, 104.8, 105.5);
  p.ltf(ltf_bar(9, 4, 105.5, 105.6, 105.3, 105.5), &htf9);
  REQUIRE(p.samples == "bos rebalance mm mm mm");

  // The last bar is still pending (more input may come), and counted in the present state.
  CHECK(p.metric("stage1.time_share_by_state.bos") == doctest::Approx(0.2));
  CHECK(p.metric("stage1.time_share_by_state.rebalance") == doctest::Approx(0.2));
  CHECK(p.metric("stage1.time_in_mm_share") == doctest::Approx(0.6));
  CHECK(p.metric("stage1.time_share_by_state.idle") == -1);  // never in it during a bar
  CHECK(p.metric("stage1.mm_entries") == 1);
  CHECK(p.metric("stage1.bos_confirmed") == 1);
  CHECK(p.metric("stage1.transitions.idle->bos") == 1);
  CHECK(p.metric("stage1.transitions.bos->rebalance") == 1);
  CHECK(p.metric("stage1.transitions.rebalance->mm") == 1);
  CHECK(p.metric("stage1.time_disabled_share") == 0);
}

TEST_CASE("publication: the chart's bar values, bands and markers") {
  Published p;
  mmh_core_publication out{};
  p.pub.publish(p.s.core, out);
  REQUIRE(out.bar_value_count == 2);
  CHECK(std::string(out.bar_values[0]) == "state");  // shades the chart, first equity.csv column
  CHECK(std::string(out.bar_values[1]) == "policy");
  CHECK(out.band_count == 4);  // idle is not shaded
  REQUIRE(out.marker_count == 4);
  CHECK(std::string(out.markers[0].decision_kind) == "bos_confirmed");
  CHECK(std::string(out.markers[0].detail_prefix) == "bullish");
}
