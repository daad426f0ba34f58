// Several problems at once: the host must report all of them in one message.
#include "raw_manifest.hpp"

extern "C" MMH_EXPORT const mmh_plugin* mmh_plugin_init(const mmh_host_api*) {
  static mmh_venue_vtable venue{};
  venue.size = sizeof(venue);  // declares no create/destroy/submit
  static mmh_plugin m{};
  m.size = sizeof(m);
  m.abi_major = MMH_ABI_MAJOR;
  m.abi_minor = MMH_ABI_MINOR;
  m.name = "Bad-Name";
  m.version = "";
  m.kinds = MMH_KIND_DATA | MMH_KIND_VENUE;  // data declared without a data vtable
  m.venue = &venue;
  return &m;
}
