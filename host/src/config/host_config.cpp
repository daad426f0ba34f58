#include "config/host_config.hpp"

#include <mmhost/sdk/regular_file.hpp>

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>
#include <sstream>

extern char** environ;

namespace mmh {
namespace {

std::string where(const std::string& file, const YAML::Mark& mark) {
  // yaml-cpp marks are 0-based; editors count from 1.
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

[[noreturn]] void fail(const std::string& file, const YAML::Node& node, const std::string& key_path,
                       const std::string& what) {
  throw ConfigError(where(file, node.Mark()) + ": " + key_path + ": " + what);
}

std::string scalar(const std::string& file, const YAML::Node& node, const std::string& key_path) {
  if (!node.IsScalar()) fail(file, node, key_path, "expected a string");
  return node.as<std::string>();
}

std::string one_of(const std::string& file, const YAML::Node& node, const std::string& key_path,
                   const std::set<std::string>& allowed) {
  const std::string v = scalar(file, node, key_path);
  if (allowed.count(v) == 0) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(file, node, key_path, "'" + v + "' is not one of " + list);
  }
  return v;
}

void check_keys(const std::string& file, const YAML::Node& map, const std::string& prefix,
                const std::set<std::string>& known) {
  for (const auto& kv : map) {
    if (!kv.first.IsScalar())
      fail(file, kv.first, prefix + "?", "keys must be plain names (a list or mapping was given)");
    const std::string key = kv.first.as<std::string>();
    if (known.count(key) == 0) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      fail(file, kv.first, prefix + key, "unknown key (known: " + list + ")");
    }
  }
}

constexpr uint64_t kMaxConfigBytes = uint64_t{1} << 20;

const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
const std::set<std::string> kFormats = {"text", "json"};

void apply_config_text(HostConfig& config, const std::string& path) {
  std::string text;
  try {
    text = sdk::read_regular_file(path, kMaxConfigBytes);
  } catch (const sdk::FileError& e) {
    throw ConfigError(std::string(e.what()) + " (the configuration file)");
  }
  const YAML::Node root = YAML::Load(text);
  config.source_file = path;
  if (root.IsNull()) return;  // an empty file is a valid, empty configuration
  if (!root.IsMap()) fail(path, root, "(top level)", "expected a mapping of settings");
  check_keys(path, root, "", {"plugin_paths", "data_dir", "cache_dir", "log", "connectors"});
  if (const YAML::Node n = root["plugin_paths"]) {
    if (!n.IsSequence() && !n.IsNull())
      fail(path, n, "plugin_paths", "expected a list of directories");
    config.plugin_paths.clear();
    size_t i = 0;
    for (const auto& item : n)
      config.plugin_paths.push_back(
          scalar(path, item, "plugin_paths[" + std::to_string(i++) + "]"));
  }
  if (const YAML::Node n = root["data_dir"]) config.data_dir = scalar(path, n, "data_dir");
  if (const YAML::Node n = root["cache_dir"])
    config.cache_dir = n.IsNull() ? "" : scalar(path, n, "cache_dir");
  if (const YAML::Node c = root["connectors"]) {
    if (!c.IsMap()) fail(path, c, "connectors", "expected a mapping (live, files)");
    check_keys(path, c, "connectors.", {"live", "files"});
    if (const YAML::Node n = c["live"]) config.live_connector = scalar(path, n, "connectors.live");
    if (const YAML::Node n = c["files"])
      config.file_connector = scalar(path, n, "connectors.files");
  }
  if (const YAML::Node log = root["log"]) {
    if (!log.IsMap()) fail(path, log, "log", "expected a mapping (level, format, file)");
    check_keys(path, log, "log.", {"level", "format", "file"});
    if (const YAML::Node n = log["level"]) config.log.level = one_of(path, n, "log.level", kLevels);
    if (const YAML::Node n = log["format"])
      config.log.format = one_of(path, n, "log.format", kFormats);
    if (const YAML::Node n = log["file"])
      config.log.file = n.IsNull() ? "" : scalar(path, n, "log.file");
  }
}

}  // namespace

void apply_config_file(HostConfig& config, const std::string& path) {
  try {
    apply_config_text(config, path);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(where(path, e.mark) + ": YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    // Anything the checks above did not foresee still names the file and place.
    throw ConfigError(where(path, e.mark) + ": " + e.msg);
  }
}

void apply_environment(HostConfig& config, const std::map<std::string, std::string>& env) {
  auto get = [&](const char* name) -> const std::string* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : &it->second;
  };
  if (const auto* v = get("MMHOST_PLUGIN_PATH")) {
    // Colon-separated like PATH; searched before the file's directories.
    std::vector<std::string> dirs;
    std::stringstream ss(*v);
    for (std::string dir; std::getline(ss, dir, ':');)
      if (!dir.empty()) dirs.push_back(dir);
    dirs.insert(dirs.end(), config.plugin_paths.begin(), config.plugin_paths.end());
    config.plugin_paths = dirs;
  }
  if (const auto* v = get("MMHOST_DATA_DIR")) config.data_dir = *v;
  if (const auto* v = get("MMHOST_CACHE_DIR")) config.cache_dir = *v;
  if (const auto* v = get("MMHOST_LOG_LEVEL")) {
    if (kLevels.count(*v) == 0)
      throw ConfigError("MMHOST_LOG_LEVEL: '" + *v +
                        "' is not one of trace, debug, info, warn, error, off");
    config.log.level = *v;
  }
  if (const auto* v = get("MMHOST_LOG_FORMAT")) {
    if (kFormats.count(*v) == 0)
      throw ConfigError("MMHOST_LOG_FORMAT: '" + *v + "' is not one of text, json");
    config.log.format = *v;
  }
  if (const auto* v = get("MMHOST_LOG_FILE")) config.log.file = *v;
}

std::map<std::string, std::string> mmhost_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = entry.substr(0, eq);
    if (name.rfind("MMHOST_", 0) == 0 || name == "XDG_CACHE_HOME" || name == "HOME")
      env[name] = entry.substr(eq + 1);
  }
  return env;
}

std::string effective_cache_dir(const HostConfig& config,
                                const std::map<std::string, std::string>& env) {
  if (!config.cache_dir.empty()) return config.cache_dir;
  if (auto it = env.find("XDG_CACHE_HOME"); it != env.end() && !it->second.empty())
    return it->second + "/mmhost";
  if (auto it = env.find("HOME"); it != env.end() && !it->second.empty())
    return it->second + "/.cache/mmhost";
  return ".mmhost-cache";
}

}  // namespace mmh
