#include "loader/plugin_loader.hpp"

#include "loader/data_instance.hpp"
#include "loader/host_services.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace mmh;

namespace {

std::string plugin_path(const std::string& name) {
  return mmh::test::test_plugin_dir() + "/" + name + ".so";
}

// Loads one test plugin expecting failure; returns the joined problems.
std::string rejection(const std::string& name) {
  HostServices services;
  PluginRegistry registry(services);
  const auto loaded = registry.load_file(plugin_path(name));
  CHECK_FALSE(loaded.has_value());
  REQUIRE(registry.failures().size() == 1);
  CHECK(registry.failures()[0].path == plugin_path(name));
  return registry.failures()[0].summary();
}

}  // namespace

TEST_CASE("a well-formed SDK plugin loads with its manifest") {
  HostServices services;
  PluginRegistry registry(services);
  const auto plugin = registry.load_file(plugin_path("good_plugin"));
  REQUIRE(plugin.has_value());
  CHECK(plugin->name == "good");
  CHECK(plugin->version == "1.2.3");
  CHECK(plugin->kinds == MMH_KIND_DATA);
  CHECK(plugin->abi_major == MMH_ABI_MAJOR);
  CHECK(plugin->abi_minor == MMH_ABI_MINOR);
  CHECK((plugin->data.create != nullptr));
  CHECK((plugin->data.read_batch != nullptr));
  CHECK((plugin->data.start == nullptr));  // the class has no start(): the SDK leaves it NULL
  CHECK(registry.failures().empty());
}

TEST_CASE("a different ABI major is refused naming the file and both versions") {
  CHECK(rejection("wrong_major") ==
        plugin_path("wrong_major") +
            ": built for plugin ABI 2.0 but this host speaks ABI 1.6 "
            "(the major version must match; rebuild the plugin against this mmhost)");
}

TEST_CASE("a newer minor is refused") {
  CHECK(rejection("newer_minor") ==
        plugin_path("newer_minor") +
            ": built for plugin ABI 1.7, newer than this host's 1.6 "
            "(upgrade mmhost or rebuild the plugin against this version)");
}

TEST_CASE("a library without the entry symbol is refused") {
  CHECK(rejection("no_entry") ==
        plugin_path("no_entry") + ": does not export mmh_plugin_init (not an mmhost plugin?)");
}

TEST_CASE("a throwing init is stopped at the boundary and its message reported") {
  CHECK(rejection("throwing_init") == plugin_path("throwing_init") +
                                          ": mmh_plugin_init returned no manifest: plugin init "
                                          "failed: exchange credentials file unreadable");
}

TEST_CASE("every problem of a broken manifest is reported at once") {
  const std::string report = rejection("many_problems");
  CHECK(report.find("name 'Bad-Name' must be 1-64 characters of [a-z0-9_]") != std::string::npos);
  CHECK(report.find("version is empty") != std::string::npos);
  CHECK(report.find("declares kind data but has no data vtable") != std::string::npos);
  CHECK(report.find("venue vtable: required callback 'create' is NULL") != std::string::npos);
  CHECK(report.find("venue vtable: required callback 'submit' is NULL") != std::string::npos);
}

TEST_CASE(
    "a plugin from a future build with bigger structs loads, the host reads the prefix it knows") {
  HostServices services;
  PluginRegistry registry(services);
  const auto plugin = registry.load_file(plugin_path("bigger_struct"));
  REQUIRE_MESSAGE(plugin.has_value(),
                  (registry.failures().empty() ? "" : registry.failures()[0].summary()));
  CHECK(plugin->name == "bigger_struct");
  CHECK(plugin->data.size == sizeof(mmh_data_vtable));  // clamped to what the host knows
  DataInstance instance(*plugin, {});
  mmh_batch batch{};
  CHECK_FALSE(instance.read_batch(batch));
}

TEST_CASE("a missing file fails to load without taking the host down") {
  HostServices services;
  PluginRegistry registry(services);
  CHECK_FALSE(registry.load_file("/nonexistent/plugin.so").has_value());
  REQUIRE(registry.failures().size() == 1);
  CHECK(registry.failures()[0].problems[0].rfind("cannot load: ", 0) == 0);
}

TEST_CASE("discover loads the good ones, rejects the rest, and refuses duplicate names") {
  HostServices services;
  PluginRegistry registry(services);
  registry.discover(
      {mmh::test::test_plugin_dir(), mmh::test::test_plugin_dup_dir(), "/nonexistent/dir"});
  std::vector<std::string> names;
  for (const auto& p : registry.plugins()) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"bigger_struct", "good", "publishing"});
  CHECK(registry.find("good", MMH_KIND_DATA) != nullptr);
  CHECK(registry.find("good", MMH_KIND_VENUE) == nullptr);
  CHECK(registry.failures().size() ==
        6);  // wrong_major newer_minor no_entry throwing_init many_problems good_again
  bool duplicate_reported = false;
  for (const auto& f : registry.failures())
    if (f.summary().find("duplicate plugin name 'good' (already loaded from " +
                         plugin_path("good_plugin") + ")") != std::string::npos)
      duplicate_reported = true;
  CHECK(duplicate_reported);
}

TEST_CASE("the in-tree replay plugin loads from the build's plugin dir") {
  HostServices services;
  PluginRegistry registry(services);
  registry.discover({mmh::test::host_plugin_dir()});
  const LoadedPlugin* replay = registry.find("replay", MMH_KIND_DATA);
  REQUIRE(replay != nullptr);
  CHECK(replay->abi_major == MMH_ABI_MAJOR);
  CHECK((replay->data.describe != nullptr));
}
