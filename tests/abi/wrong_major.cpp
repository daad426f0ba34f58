// Claims the next ABI major: the host must refuse it, naming the file and both versions.
#include "raw_manifest.hpp"

extern "C" MMH_EXPORT const mmh_plugin* mmh_plugin_init(const mmh_host_api*) {
  static const mmh_data_vtable table = raw::data_vtable();
  static mmh_plugin m{};
  m.size = sizeof(m);
  m.abi_major = MMH_ABI_MAJOR + 1;
  m.abi_minor = 0;
  m.name = "wrong_major";
  m.version = "9.0.0";
  m.kinds = MMH_KIND_DATA;
  m.data = &table;
  return &m;
}
