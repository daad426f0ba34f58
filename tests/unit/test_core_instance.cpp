// CoreInstance against the in-tree bos_mm plugin: the snapshot's `wanted` hint.
#include "loader/core_instance.hpp"
#include "loader/host_services.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>

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
