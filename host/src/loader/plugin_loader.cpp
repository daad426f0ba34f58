#include "loader/plugin_loader.hpp"

#include "loader/host_services.hpp"

#include <dlfcn.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>

#ifndef MMHOST_PLUGIN_RELDIR
#define MMHOST_PLUGIN_RELDIR "lib/mmhost/plugins"
#endif

namespace mmh {
namespace {

namespace fs = std::filesystem;

// Smallest sizes a 1.0 plugin may declare: up to and including the last field of ABI 1.0.
// Written as offsetof(last 1.0 field) so appending fields in 1.x keeps these values.
constexpr size_t kManifestFrozenPrefix = offsetof(mmh_plugin, abi_minor) + sizeof(uint16_t);
constexpr size_t kManifestMin_1_0 = offsetof(mmh_plugin, core) + sizeof(void*);
constexpr size_t kDataVtableMin_1_0 = offsetof(mmh_data_vtable, describe) + sizeof(void*);
constexpr size_t kVenueVtableMin_1_0 = offsetof(mmh_venue_vtable, on_market) + sizeof(void*);
constexpr size_t kCoreVtableMin_1_0 = offsetof(mmh_core_vtable, on_events) + sizeof(void*);

std::string version_text(unsigned major, unsigned minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// Copies the prefix of a size-first struct that both sides know; the rest stays zero.
template <class T>
bool copy_prefix(const T* src, T& dst, size_t min_size, const char* what,
                 std::vector<std::string>& problems) {
  const uint32_t src_size = src->size;
  if (src_size < min_size) {
    problems.push_back(std::string(what) + " size " + std::to_string(src_size) +
                       " is smaller than ABI 1.0's " + std::to_string(min_size));
    return false;
  }
  dst = T{};
  std::memcpy(&dst, src, std::min<size_t>(src_size, sizeof(T)));
  dst.size = static_cast<uint32_t>(std::min<size_t>(src_size, sizeof(T)));
  return true;
}

bool valid_name(const char* name) {
  if (name == nullptr || *name == '\0' || std::strlen(name) > 64) return false;
  for (const char* p = name; *p != '\0'; ++p)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
  return true;
}

}  // namespace

std::string PluginFailure::summary() const {
  std::string s = path + ": ";
  for (size_t i = 0; i < problems.size(); ++i) s += (i ? "; " : "") + problems[i];
  return s;
}

std::string kinds_to_string(uint32_t kinds) {
  std::string s;
  if (kinds & MMH_KIND_DATA) s += "data";
  if (kinds & MMH_KIND_VENUE) s += std::string(s.empty() ? "" : ",") + "venue";
  if (kinds & MMH_KIND_CORE) s += std::string(s.empty() ? "" : ",") + "core";
  return s;
}

PluginRegistry::PluginRegistry(HostServices& services) : services_(services) {}

std::optional<LoadedPlugin> PluginRegistry::load_file(const std::string& path) {
  PluginFailure failure{path, {}};
  auto reject = [&]() -> std::optional<LoadedPlugin> {
    spdlog::warn("plugin rejected: {}", failure.summary());
    failures_.push_back(std::move(failure));
    return std::nullopt;
  };

  dlerror();
  void* raw = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (raw == nullptr) {
    const char* why = dlerror();
    failure.problems.push_back(std::string("cannot load: ") + (why ? why : "unknown dlopen error"));
    return reject();
  }
  std::shared_ptr<void> handle(raw, [](void* h) { ::dlclose(h); });
  void* symbol = ::dlsym(raw, MMH_PLUGIN_ENTRY_SYMBOL);
  if (symbol == nullptr) {
    failure.problems.push_back("does not export " MMH_PLUGIN_ENTRY_SYMBOL
                               " (not an mmhost plugin?)");
    return reject();
  }
  mmh_plugin_init_fn init = nullptr;
  static_assert(sizeof(init) == sizeof(symbol));
  std::memcpy(&init, &symbol, sizeof(init));  // dlsym returns data pointers; POSIX allows this

  services_.begin_capture();
  const mmh_plugin* manifest = nullptr;
  try {
    manifest = init(services_.api());
  } catch (...) {
    // Exceptions must not cross the ABI; catching keeps the host alive when one does.
    failure.problems.push_back(MMH_PLUGIN_ENTRY_SYMBOL " threw an exception across the ABI");
  }
  const std::vector<std::string> captured = services_.end_capture();
  if (manifest == nullptr) {
    std::string why = MMH_PLUGIN_ENTRY_SYMBOL " returned no manifest";
    for (const auto& line : captured) why += ": " + line;
    if (failure.problems.empty()) failure.problems.push_back(why);
    return reject();
  }

  // The first three fields are frozen across every major version.
  if (manifest->size < kManifestFrozenPrefix) {
    failure.problems.push_back("manifest size " + std::to_string(manifest->size) +
                               " is too small to hold a version");
    return reject();
  }
  const unsigned major = manifest->abi_major;
  const unsigned minor = manifest->abi_minor;
  const std::string host_version = version_text(MMH_ABI_MAJOR, MMH_ABI_MINOR);
  if (major != MMH_ABI_MAJOR) {
    failure.problems.push_back(
        "built for plugin ABI " + version_text(major, minor) + " but this host speaks ABI " +
        host_version + " (the major version must match; rebuild the plugin against this mmhost)");
    return reject();  // nothing past the frozen prefix can be trusted
  }
  if (minor > MMH_ABI_MINOR) {
    failure.problems.push_back("built for plugin ABI " + version_text(major, minor) +
                               ", newer than this host's " + host_version +
                               " (upgrade mmhost or rebuild the plugin against this version)");
  }

  LoadedPlugin plugin;
  plugin.path = path;
  plugin.abi_major = static_cast<uint16_t>(major);
  plugin.abi_minor = static_cast<uint16_t>(minor);
  mmh_plugin m{};
  if (!copy_prefix(manifest, m, kManifestMin_1_0, "manifest", failure.problems)) return reject();

  if (!valid_name(m.name)) {
    failure.problems.push_back(std::string("name '") + (m.name ? m.name : "(null)") +
                               "' must be 1-64 characters of [a-z0-9_]");
  } else {
    plugin.name = m.name;
  }
  if (m.version == nullptr || *m.version == '\0') {
    failure.problems.push_back("version is empty");
  } else {
    plugin.version = m.version;
  }
  plugin.description = m.description ? m.description : "";
  if (m.kinds == 0) failure.problems.push_back("declares no kind (data, venue or core)");
  if ((m.kinds & ~MMH_KIND_ALL) != 0)
    failure.problems.push_back("declares unknown kind bits " +
                               std::to_string(m.kinds & ~MMH_KIND_ALL));
  plugin.kinds = m.kinds & MMH_KIND_ALL;

  auto check_table = [&](uint32_t kind, const char* label, const void* table, auto& dst,
                         size_t min_size, auto&& required) {
    const bool declared = (m.kinds & kind) != 0;
    if (declared && table == nullptr) {
      failure.problems.push_back(std::string("declares kind ") + label + " but has no " + label +
                                 " vtable");
    } else if (!declared && table != nullptr) {
      failure.problems.push_back(std::string("has a ") + label +
                                 " vtable but does not declare kind " + label);
    } else if (declared) {
      using Table = std::remove_reference_t<decltype(dst)>;
      if (copy_prefix(static_cast<const Table*>(table), dst, min_size,
                      (std::string(label) + " vtable").c_str(), failure.problems))
        required(dst);
    }
  };
  auto need = [&](bool present, const char* label, const char* field) {
    if (!present)
      failure.problems.push_back(std::string(label) + " vtable: required callback '" + field +
                                 "' is NULL");
  };
  check_table(MMH_KIND_DATA, "data", m.data, plugin.data, kDataVtableMin_1_0,
              [&](const mmh_data_vtable& t) {
                need(t.create != nullptr, "data", "create");
                need(t.destroy != nullptr, "data", "destroy");
                need(t.read_batch != nullptr || t.start != nullptr, "data", "read_batch or start");
              });
  check_table(MMH_KIND_VENUE, "venue", m.venue, plugin.venue, kVenueVtableMin_1_0,
              [&](const mmh_venue_vtable& t) {
                need(t.create != nullptr, "venue", "create");
                need(t.destroy != nullptr, "venue", "destroy");
                need(t.submit != nullptr, "venue", "submit");
              });
  check_table(MMH_KIND_CORE, "core", m.core, plugin.core, kCoreVtableMin_1_0,
              [&](const mmh_core_vtable& t) {
                need(t.create != nullptr, "core", "create");
                need(t.destroy != nullptr, "core", "destroy");
                need(t.on_events != nullptr, "core", "on_events");
              });

  if (!plugin.name.empty()) {
    for (const LoadedPlugin& other : plugins_)
      if (other.name == plugin.name)
        failure.problems.push_back("duplicate plugin name '" + plugin.name +
                                   "' (already loaded from " + other.path + ")");
  }
  if (!failure.problems.empty()) return reject();
  plugin.handle = std::move(handle);
  plugins_.push_back(plugin);
  spdlog::debug("loaded plugin {} {} ({}) from {}", plugin.name, plugin.version,
                kinds_to_string(plugin.kinds), path);
  return plugin;
}

void PluginRegistry::discover(const std::vector<std::string>& directories) {
  for (const std::string& dir : directories) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      spdlog::debug("plugin directory {} does not exist; skipped", dir);
      continue;
    }
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".so")
        files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());  // deterministic order, so duplicate resolution is too
    for (const std::string& file : files) load_file(file);
  }
}

const LoadedPlugin* PluginRegistry::find(const std::string& name, uint32_t kind) const {
  for (const LoadedPlugin& p : plugins_)
    if (p.name == name && (p.kinds & kind) != 0) return &p;
  return nullptr;
}

std::vector<std::string> default_plugin_dirs() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return {(exe.parent_path().parent_path() / MMHOST_PLUGIN_RELDIR).lexically_normal().string()};
}

}  // namespace mmh
