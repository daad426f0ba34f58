#include "config/host_config.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

using namespace mmh;
using mmh::test::TempDir;
using mmh::test::write_file;

namespace {
std::string config_error(const std::string& yaml) {
  TempDir dir;
  const std::string path = write_file(dir.file("mmhost.yaml"), yaml);
  HostConfig config;
  try {
    apply_config_file(config, path);
  } catch (const ConfigError& e) {
    // Strip the temp dir so expectations stay readable.
    std::string message = e.what();
    return message.substr(message.find("mmhost.yaml"));
  }
  FAIL("expected a configuration error for:\n" << yaml);
  return {};
}
}  // namespace

TEST_CASE("a full configuration file is applied") {
  TempDir dir;
  const std::string path =
      write_file(dir.file("mmhost.yaml"),
                 "plugin_paths: [/opt/a, /opt/b]\n"
                 "data_dir: /srv/data\n"
                 "cache_dir: /srv/cache\n"
                 "log:\n  level: debug\n  format: json\n  file: /tmp/mmhost.log\n");
  HostConfig config;
  apply_config_file(config, path);
  CHECK(config.plugin_paths == std::vector<std::string>{"/opt/a", "/opt/b"});
  CHECK(config.data_dir == "/srv/data");
  CHECK(config.cache_dir == "/srv/cache");
  CHECK(config.log.level == "debug");
  CHECK(config.log.format == "json");
  CHECK(config.log.file == "/tmp/mmhost.log");
}

TEST_CASE("the shipped configs/mmhost.yaml is valid") {
  HostConfig config;
  apply_config_file(config, mmh::test::source_dir() + "/configs/mmhost.yaml");
  CHECK(config.data_dir == "data");
}

TEST_CASE("errors name file:line:column and the key path") {
  CHECK(config_error("log:\n  level: loud\n") ==
        "mmhost.yaml:2:10: log.level: 'loud' is not one of debug, error, info, off, trace, warn");
  CHECK(config_error("data_dir: x\nplugin_path: [a]\n") ==
        "mmhost.yaml:2:1: plugin_path: unknown key (known: cache_dir, connectors, data_dir, log, "
        "plugin_paths)");
  CHECK(config_error("log:\n  colour: red\n") ==
        "mmhost.yaml:2:3: log.colour: unknown key (known: file, format, level)");
  CHECK(config_error("plugin_paths: /opt/a\n") ==
        "mmhost.yaml:1:15: plugin_paths: expected a list of directories");
  CHECK(config_error("data_dir: [a, b]\n") == "mmhost.yaml:1:11: data_dir: expected a string");
  CHECK(config_error("log: {level: info\n").find("mmhost.yaml:2:1: YAML syntax error:") == 0);
  // Keys that are lists or mappings name the file, place and key path, never yaml-cpp's words.
  CHECK(config_error("? [a, b]\n: 1\n") ==
        "mmhost.yaml:1:3: ?: keys must be plain names (a list or mapping was given)");
  CHECK(config_error("log:\n  ? {x: 1}\n  : 2\n") ==
        "mmhost.yaml:2:5: log.?: keys must be plain names (a list or mapping was given)");
}

TEST_CASE("a configuration path that is not a regular file is refused, naming it") {
  mmh::test::TempDir dir;
  HostConfig config;
  CHECK_THROWS_WITH_AS(
      apply_config_file(config, dir.path().string()),
      (dir.path().string() + ": a directory, not a regular file (the configuration file)").c_str(),
      ConfigError);
  REQUIRE(::mkfifo(dir.file("fifo.yaml").c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(
      apply_config_file(config, dir.file("fifo.yaml")),
      (dir.file("fifo.yaml") + ": a FIFO, not a regular file (the configuration file)").c_str(),
      ConfigError);
}

TEST_CASE("precedence: environment over file, missing file is an error") {
  HostConfig config;
  config.data_dir = "from-file";
  config.plugin_paths = {"/file/plugins"};
  apply_environment(config, {{"MMHOST_DATA_DIR", "from-env"},
                             {"MMHOST_PLUGIN_PATH", "/env/a:/env/b"},
                             {"MMHOST_LOG_LEVEL", "warn"},
                             {"MMHOST_LOG_FORMAT", "json"}});
  CHECK(config.data_dir == "from-env");
  CHECK(config.plugin_paths == std::vector<std::string>{"/env/a", "/env/b", "/file/plugins"});
  CHECK(config.log.level == "warn");
  CHECK(config.log.format == "json");
  CHECK_THROWS_AS(apply_environment(config, {{"MMHOST_LOG_LEVEL", "chatty"}}), ConfigError);
  CHECK_THROWS_WITH_AS(
      apply_config_file(config, "/nonexistent/mmhost.yaml"),
      "/nonexistent/mmhost.yaml: No such file or directory (the configuration file)", ConfigError);
}

TEST_CASE("the cache dir defaults to XDG, then HOME") {
  HostConfig config;
  CHECK(effective_cache_dir(config, {{"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}}) == "/x/mmhost");
  CHECK(effective_cache_dir(config, {{"HOME", "/h"}}) == "/h/.cache/mmhost");
  config.cache_dir = "/explicit";
  CHECK(effective_cache_dir(config, {{"HOME", "/h"}}) == "/explicit");
}
