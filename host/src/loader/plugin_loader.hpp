// Discovers and loads plugins: dlopen(RTLD_NOW | RTLD_LOCAL), one entry symbol, full manifest
// validation with every problem reported at once. A plugin that fails never takes the host down.
#pragma once

#include <mmhost/plugin.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mmh {

class HostServices;

// A validated plugin. Vtables are host-side copies of the prefix the plugin provided; fields the
// plugin's (older) build did not have are zero.
struct LoadedPlugin {
  std::string path;
  std::string name;
  std::string version;
  std::string description;
  uint32_t kinds = 0;
  uint16_t abi_major = 0;
  uint16_t abi_minor = 0;
  mmh_data_vtable data{};
  mmh_venue_vtable venue{};
  mmh_core_vtable core{};
  std::shared_ptr<void> handle;  // dlclose on last release
};

struct PluginFailure {
  std::string path;
  std::vector<std::string> problems;
  std::string summary() const;  // "path: problem; problem"
};

std::string kinds_to_string(uint32_t kinds);

class PluginRegistry {
 public:
  explicit PluginRegistry(HostServices& services);

  // Loads one file. On failure returns nullopt and records a PluginFailure.
  std::optional<LoadedPlugin> load_file(const std::string& path);
  // Loads every *.so in each directory (earlier directories win on duplicate names; a later
  // duplicate is a failure naming both files).
  void discover(const std::vector<std::string>& directories);

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  const std::vector<PluginFailure>& failures() const { return failures_; }
  // The plugin with that name offering `kind`, or nullptr.
  const LoadedPlugin* find(const std::string& name, uint32_t kind) const;

 private:
  HostServices& services_;
  std::vector<LoadedPlugin> plugins_;
  std::vector<PluginFailure> failures_;
};

// The built-in search directories: <exe>/../lib/mmhost/plugins (build tree and install tree).
std::vector<std::string> default_plugin_dirs();

}  // namespace mmh
