// CoreInstance against the in-tree bos_mm plugin (the snapshot's `wanted` hint, balances,
// publication) and against in-process SDK cores (the decisions a core says it holds, the desired
// set it numbers).
#include "loader/core_instance.hpp"
#include "loader/host_services.hpp"
#include "test_support.hpp"

#include <mmhost/sdk/plugin.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace mmh;

TEST_CASE("core snapshot: every value by default, the first `wanted` when the host asks") {
  HostServices services;
  PluginRegistry registry(services);
  registry.discover({mmh::test::host_plugin_dir()});
  const LoadedPlugin* bos_mm = registry.find("bos_mm", MMH_KIND_CORE);
  REQUIRE(bos_mm != nullptr);
  CoreInstance core(*bos_mm, {});

  mmh_core_snapshot all{};
  REQUIRE(core.snapshot(all));
  REQUIRE(all.count > 20);
  CHECK(std::strcmp(all.values[0].name, "state") == 0);
  CHECK(std::strcmp(all.values[1].name, "policy") == 0);
  CHECK(std::string(all.values[0].text) == "idle");

  mmh_core_snapshot two{};
  REQUIRE(core.snapshot(two, 2));
  CHECK(two.count == 2);
  CHECK(std::string(two.values[0].text) == "idle");

  // A count the core does not stop at: it may return more, never fewer.
  mmh_core_snapshot five{};
  REQUIRE(core.snapshot(five, 5));
  CHECK(five.count >= 5);
  mmh_core_snapshot again{};
  REQUIRE(core.snapshot(again));
  CHECK(again.count == all.count);
}

namespace {

double value_of(CoreInstance& core, const char* name) {
  mmh_core_snapshot snap{};
  REQUIRE(core.snapshot(snap));
  for (size_t i = 0; i < snap.count; ++i)
    if (std::strcmp(snap.values[i].name, name) == 0) return snap.values[i].number;
  FAIL("no value " << name);
  return 0;
}

mmh_balance balance(const char* asset, int64_t free_e8, int64_t locked_e8) {
  mmh_balance b{};
  b.ts_ns = 1'700'000'000'000'000'000;
  std::snprintf(b.asset, sizeof(b.asset), "%s", asset);
  b.free = mmh_decimal{free_e8, -8, 0};
  b.locked = mmh_decimal{locked_e8, -8, 0};
  return b;
}

}  // namespace

TEST_CASE("core balances: a venue's report is the core's wallet, free plus locked, per asset") {
  HostServices services;
  PluginRegistry registry(services);
  registry.discover({mmh::test::host_plugin_dir()});
  const LoadedPlugin* bos_mm = registry.find("bos_mm", MMH_KIND_CORE);
  REQUIRE(bos_mm != nullptr);
  CoreInstance core(*bos_mm, {{"symbol", "ETHUSDT"}, {"param.capital.allocation", "1000"}});
  REQUIRE(core.wants(MMH_EVENT_BALANCE));
  CHECK(value_of(core, "balances.quote") == doctest::Approx(1000));

  // Both assets in one batch: one wallet change.
  const mmh_balance both[2] = {balance("ETH", 50'000'000, 25'000'000),
                               balance("USDT", 90'000'000'000, 10'000'000'000)};
  core.on_events(mmh_batch{sizeof(mmh_batch), MMH_EVENT_BALANCE, sizeof(mmh_balance), 0, 2, both});
  CHECK(value_of(core, "balances.base") == doctest::Approx(0.75));
  CHECK(value_of(core, "balances.quote") == doctest::Approx(1000));

  // One asset: the other keeps the core's view; other assets are not the core's.
  const mmh_balance quote_only[2] = {balance("USDT", 40'000'000'000, 0),
                                     balance("BTC", 100'000'000, 0)};
  core.on_events(
      mmh_batch{sizeof(mmh_batch), MMH_EVENT_BALANCE, sizeof(mmh_balance), 0, 2, quote_only});
  CHECK(value_of(core, "balances.base") == doctest::Approx(0.75));
  CHECK(value_of(core, "balances.quote") == doctest::Approx(400));
}

TEST_CASE("core publication: good names are taken, bad ones left out and named") {
  HostServices services;
  PluginRegistry registry(services);
  registry.discover({mmh::test::test_plugin_dir()});
  const LoadedPlugin* plugin = registry.find("publishing", MMH_KIND_CORE);
  REQUIRE(plugin != nullptr);
  CoreInstance core(*plugin, {});
  mmh_candle bars[3] = {};
  core.on_events(mmh_batch{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, 3, bars});

  const CorePublication pub = core.publication();
  REQUIRE(pub.metrics.size() == 3);
  CHECK(pub.metrics[0].name == "ok.count");
  CHECK(pub.metrics[0].counter);
  CHECK(pub.metrics[0].value == 3);
  CHECK(pub.metrics[1].name == "ok.share");
  CHECK_FALSE(pub.metrics[1].counter);
  CHECK(pub.metrics[2].name == "fills.total");  // a host key: the summary moves it under "core"
  REQUIRE(pub.bar_values.size() == 1);
  CHECK(pub.bar_values[0] == "state");
  REQUIRE(pub.bands.size() == 1);
  CHECK(pub.bands[0].rgba == 0x11223344u);
  REQUIRE(pub.markers.size() == 1);
  CHECK(pub.markers[0].detail_prefix == "up");
  // Four metrics (a quote, an empty part, NaN, an unknown type), a column with a comma, a marker
  // with an unknown shape and one whose kind is markup.
  CHECK(pub.left_out.size() == 7);
}

namespace {

// Decides at each candle whose close is odd; counts the takes. With kSays it tells the host how
// many decisions it holds (ABI 1.5), without it it is a core from before.
template <bool kSays>
class Deciding {
 public:
  Deciding(const mmh::sdk::Config&, void*) {}
  void on_events(const mmh_batch& b) {
    const auto* c = static_cast<const mmh_candle*>(b.records);
    for (size_t i = 0; i < b.count; ++i)
      if (c[i].close_e8 % 2 != 0) queued_.push_back(c[i].open_ts_ns);
  }
  uint64_t decisions_queued() const requires kSays { return queued_.size(); }
  void take_decisions(mmh_batch& out) {
    ++takes;
    taken_.clear();
    for (const int64_t ts_ns : queued_) {
      mmh_decision d{};
      d.ts_ns = ts_ns;
      std::snprintf(d.kind, sizeof(d.kind), "odd");
      taken_.push_back(d);
    }
    queued_.clear();
    out.kind = MMH_EVENT_DECISION;
    out.record_size = sizeof(mmh_decision);
    out.count = taken_.size();
    out.records = taken_.data();
  }
  static inline int takes = 0;

 private:
  std::vector<int64_t> queued_;
  std::vector<mmh_decision> taken_;
};

template <class Core>
LoadedPlugin in_process_core() {
  LoadedPlugin p;
  p.name = "deciding";
  p.kinds = MMH_KIND_CORE;
  p.core = *mmh::sdk::core_vtable<Core>();
  return p;
}

// A candle at time `i` whose prices are all `i`, fed as the host feeds a bar.
void feed_candle(CoreInstance& core, int64_t i) {
  mmh_candle c{};
  c.open_ts_ns = i;
  c.interval_ns = 60;
  c.open_e8 = c.high_e8 = c.low_e8 = c.close_e8 = i;
  core.on_events(mmh_batch{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, 1, &c});
}

// Six candles (closes 1..6) through the core, the decisions taken after each as the host does.
std::vector<int64_t> decided(const LoadedPlugin& plugin) {
  CoreInstance core(plugin, {});
  std::vector<int64_t> got;
  for (int64_t i = 1; i <= 6; ++i) {
    feed_candle(core, i);
    core.take_decisions([&](const mmh_decision& d) {
      CHECK(std::string(d.kind) == "odd");
      got.push_back(d.ts_ns);
    });
  }
  return got;
}

}  // namespace

TEST_CASE("core decisions: taken only when the core says it holds some (ABI 1.5), all of them") {
  const std::vector<int64_t> odd = {1, 3, 5};

  Deciding<true>::takes = 0;
  const LoadedPlugin says = in_process_core<Deciding<true>>();
  REQUIRE((says.core.decisions_queued != nullptr));
  CHECK(decided(says) == odd);
  CHECK(Deciding<true>::takes == 3);  // not after the even closes

  // A core without the call (the SDK leaves it NULL) is asked after every input, as before 1.5.
  Deciding<false>::takes = 0;
  const LoadedPlugin before = in_process_core<Deciding<false>>();
  CHECK((before.core.decisions_queued == nullptr));
  CHECK(decided(before) == odd);
  CHECK(Deciding<false>::takes == 6);

  // A table whose size ends before the call (a 1.4 plugin) is asked every time too.
  Deciding<true>::takes = 0;
  LoadedPlugin older = says;
  older.core.size = static_cast<uint32_t>(offsetof(mmh_core_vtable, decisions_queued));
  CHECK(decided(older) == odd);
  CHECK(Deciding<true>::takes == 6);
}

namespace {

// Wants one buy at the last close divisible by 3. kNumbers 1: numbers its sets (ABI 1.6);
// 2: answers 0, "cannot say"; 0: a core from before. Counts the host's desired_state calls.
template <int kNumbers>
class Quoting {
 public:
  Quoting(const mmh::sdk::Config&, void*) {}
  void on_events(const mmh_batch& b) {
    const auto* c = static_cast<const mmh_candle*>(b.records);
    for (size_t i = 0; i < b.count; ++i)
      if (c[i].close_e8 % 3 == 0) {
        order_.price_ticks = c[i].close_e8;
        ++changes_;
      }
  }
  void desired_state(mmh_desired_state& out) {
    ++asked;
    out.count = order_.price_ticks > 0 ? 1 : 0;
    out.orders = &order_;
  }
  uint64_t desired_version() const requires(kNumbers > 0) {
    return kNumbers == 1 ? changes_ + 1 : 0;
  }
  static inline int asked = 0;

 private:
  mmh_desired_order order_{MMH_SIDE_BUY, MMH_ORDER_TYPE_LIMIT, 0, 1};
  uint64_t changes_ = 0;
};

// Six candles (closes 1..6); after each, the price of the one order the host takes the core to
// want (0: none), as the execution asks at every bar.
std::vector<int64_t> wanted_prices(const LoadedPlugin& plugin) {
  CoreInstance core(plugin, {});
  std::vector<int64_t> got;
  for (int64_t i = 1; i <= 6; ++i) {
    feed_candle(core, i);
    const std::vector<mmh_desired_order>& wanted = core.wanted_orders();
    REQUIRE(wanted.size() <= 1);
    got.push_back(wanted.empty() ? 0 : wanted[0].price_ticks);
  }
  return got;
}

}  // namespace

TEST_CASE("core desired set: asked again only when the core's number for it moved (ABI 1.6)") {
  const std::vector<int64_t> prices = {0, 0, 3, 3, 3, 6};

  Quoting<1>::asked = 0;
  const LoadedPlugin numbers = in_process_core<Quoting<1>>();
  REQUIRE((numbers.core.desired_version != nullptr));
  CHECK(wanted_prices(numbers) == prices);
  CHECK(Quoting<1>::asked == 3);  // the first bar, and the two changes

  // "Cannot say" (0), a core without the call and a 1.5 table are asked at every bar.
  Quoting<2>::asked = 0;
  CHECK(wanted_prices(in_process_core<Quoting<2>>()) == prices);
  CHECK(Quoting<2>::asked == 6);
  Quoting<0>::asked = 0;
  const LoadedPlugin before = in_process_core<Quoting<0>>();
  CHECK((before.core.desired_version == nullptr));
  CHECK(wanted_prices(before) == prices);
  CHECK(Quoting<0>::asked == 6);
  Quoting<1>::asked = 0;
  LoadedPlugin older = numbers;
  older.core.size = static_cast<uint32_t>(offsetof(mmh_core_vtable, desired_version));
  CHECK(wanted_prices(older) == prices);
  CHECK(Quoting<1>::asked == 6);
}
