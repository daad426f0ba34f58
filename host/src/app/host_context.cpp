#include "app/host_context.hpp"

#include <filesystem>

namespace mmh {

HostContext::HostContext(const CliOverrides& cli) {
  const auto env = mmhost_environment();
  std::string file = cli.config_file;
  if (file.empty()) {
    if (auto it = env.find("MMHOST_CONFIG"); it != env.end()) file = it->second;
  }
  if (file.empty() && std::filesystem::exists("configs/mmhost.yaml")) file = "configs/mmhost.yaml";
  if (!file.empty()) apply_config_file(config_, file);
  apply_environment(config_, env);
  if (!cli.plugin_paths.empty()) {
    std::vector<std::string> dirs = cli.plugin_paths;
    dirs.insert(dirs.end(), config_.plugin_paths.begin(), config_.plugin_paths.end());
    config_.plugin_paths = dirs;
  }
  if (cli.data_dir) config_.data_dir = *cli.data_dir;
  if (cli.cache_dir) config_.cache_dir = *cli.cache_dir;
  if (cli.log_level) config_.log.level = *cli.log_level;
  if (cli.log_format) config_.log.format = *cli.log_format;
  if (cli.log_file) config_.log.file = *cli.log_file;
  try {
    setup_logging(config_.log);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  cache_dir_ = effective_cache_dir(config_, env);
  services_ = std::make_unique<HostServices>();
  services_->set_config("cache_dir", cache_dir_);
  services_->set_config("data_dir", config_.data_dir);
}

std::vector<std::string> HostContext::plugin_search_dirs() const {
  std::vector<std::string> dirs = config_.plugin_paths;
  for (const auto& d : default_plugin_dirs()) dirs.push_back(d);
  return dirs;
}

std::vector<std::string> HostContext::venue_search_dirs() const {
  namespace fs = std::filesystem;
  std::vector<std::string> dirs;
  if (!config_.source_file.empty())
    dirs.push_back((fs::path(config_.source_file).parent_path() / "venues").string());
  if (dirs.empty() || fs::path(dirs.front()).lexically_normal() != fs::path("configs/venues"))
    dirs.push_back("configs/venues");
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    dirs.push_back((exe.parent_path().parent_path() / "share" / "mmhost" / "venues")
                       .lexically_normal()
                       .string());
  return dirs;
}

PluginRegistry& HostContext::plugins() {
  if (!registry_) {
    registry_ = std::make_unique<PluginRegistry>(*services_);
    registry_->discover(plugin_search_dirs());
  }
  return *registry_;
}

}  // namespace mmh
