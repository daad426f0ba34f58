// Built against a newer minor than the host's: refused (it may call host functions this host
// lacks).
#include "raw_manifest.hpp"

extern "C" MMH_EXPORT const mmh_plugin* mmh_plugin_init(const mmh_host_api*) {
  static const mmh_data_vtable table = raw::data_vtable();
  static mmh_plugin m{};
  m.size = sizeof(m);
  m.abi_major = MMH_ABI_MAJOR;
  m.abi_minor = MMH_ABI_MINOR + 1;
  m.name = "newer_minor";
  m.version = "1.0.0";
  m.kinds = MMH_KIND_DATA;
  m.data = &table;
  return &m;
}
