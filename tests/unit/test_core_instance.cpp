// CoreInstance against the in-tree bos_mm plugin: the snapshot's `wanted` hint.
#include "loader/core_instance.hpp"
#include "loader/host_services.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

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
