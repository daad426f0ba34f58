// Shared pieces for test plugins that build their manifest by hand (no SDK), so a test can set
// exactly the fields a broken or future plugin would.
#pragma once

#include <mmhost/plugin.h>

namespace raw {

inline mmh_status create(const mmh_config*, void*, void** out, mmh_error*) {
  static int instance = 0;
  *out = &instance;
  return MMH_OK;
}
inline void destroy(void*) {}
inline mmh_status read_batch(void*, mmh_batch* out, mmh_error*) {
  out->count = 0;
  return MMH_OK;
}

inline mmh_data_vtable data_vtable() {
  mmh_data_vtable t{};
  t.size = sizeof(t);
  t.create = &create;
  t.destroy = &destroy;
  t.read_batch = &read_batch;
  return t;
}

}  // namespace raw
