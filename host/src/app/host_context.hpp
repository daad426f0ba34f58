// Everything a command needs from the host: resolved configuration, logging, host services and
// the plugin registry, assembled in precedence order (CLI > environment > file > defaults).
#pragma once

#include "config/host_config.hpp"
#include "loader/host_services.hpp"
#include "loader/plugin_loader.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mmh {

// Values given on the command line; unset ones fall through to the environment and file.
struct CliOverrides {
  std::string config_file;
  std::vector<std::string> plugin_paths;
  std::optional<std::string> data_dir;
  std::optional<std::string> cache_dir;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
  std::optional<std::string> log_file;
};

class HostContext {
 public:
  // Throws ConfigError for bad configuration.
  explicit HostContext(const CliOverrides& cli);

  const HostConfig& config() const { return config_; }
  const std::string& cache_dir() const { return cache_dir_; }
  HostServices& services() { return *services_; }
  // Discovers plugins on first use.
  PluginRegistry& plugins();
  std::vector<std::string> plugin_search_dirs() const;
  // Where venue files (mainnet.yaml, testnet.yaml, ...) are looked up by name: venues/ beside
  // the config file, ./configs/venues, then <prefix>/share/mmhost/venues.
  std::vector<std::string> venue_search_dirs() const;

 private:
  HostConfig config_;
  std::string cache_dir_;
  std::unique_ptr<HostServices> services_;
  std::unique_ptr<PluginRegistry> registry_;
};

}  // namespace mmh
