// Host configuration (configs/mmhost.yaml): where plugins and data live, logging.
// Precedence, highest first: command line > environment (MMHOST_*) > file > defaults.
#pragma once

#include "app/logging.hpp"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace mmh {

struct HostConfig {
  std::vector<std::string> plugin_paths;  // searched first, in order, before the built-in dirs
  std::string data_dir = "data";
  std::string cache_dir;  // empty = $XDG_CACHE_HOME/mmhost or ~/.cache/mmhost
  LogSettings log;
  // Which data connector a run uses where the strategy does not name one: `--paper`, `--live`
  // and `mmhost fetch` (connectors.live), and the tick streams of a backtest and the candles of
  // a batch (connectors.files). The host knows plugins by these names only.
  std::string live_connector = "bybit_spot";
  std::string file_connector = "replay";
  std::string source_file;  // the YAML file these values came from, if any
};

// A configuration error with its location ("file:line:column: key.path: what").
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Applies a YAML file on top of `config`. Unknown keys, wrong types and bad values throw.
void apply_config_file(HostConfig& config, const std::string& path);
// Applies MMHOST_* variables from `env` (name -> value) on top of `config`.
void apply_environment(HostConfig& config, const std::map<std::string, std::string>& env);
// The process environment restricted to MMHOST_* names.
std::map<std::string, std::string> mmhost_environment();

// Resolved cache directory (fills the default when unset).
std::string effective_cache_dir(const HostConfig& config,
                                const std::map<std::string, std::string>& env);

}  // namespace mmh
