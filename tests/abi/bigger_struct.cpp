// A plugin from a future 1.x build whose manifest and vtable grew at the end. It declares the
// host's minor (a plugin of a newer minor is refused by rule), but its structs are larger than the
// host knows: the host must read only the prefix it knows and load it.
#include "raw_manifest.hpp"

namespace {

struct FutureDataVtable {
  mmh_data_vtable known;
  void* future_callback_a;
  void* future_callback_b;
};

struct FutureManifest {
  mmh_plugin known;
  const char* future_homepage;
  uint64_t future_flags;
};

}  // namespace

extern "C" MMH_EXPORT const mmh_plugin* mmh_plugin_init(const mmh_host_api*) {
  static FutureDataVtable table{};
  table.known = raw::data_vtable();
  table.known.size = sizeof(FutureDataVtable);
  table.future_callback_a = &table;
  table.future_callback_b = &table;
  static FutureManifest m{};
  m.known.size = sizeof(FutureManifest);
  m.known.abi_major = MMH_ABI_MAJOR;
  m.known.abi_minor = MMH_ABI_MINOR;
  m.known.name = "bigger_struct";
  m.known.version = "1.9.0";
  m.known.kinds = MMH_KIND_DATA;
  m.known.data = &table.known;
  m.future_homepage = "https://example.invalid";
  m.future_flags = 0xffffffffffffffffULL;
  return &m.known;
}
