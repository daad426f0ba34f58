// Its initialisation throws; the SDK must stop the exception at the boundary and the host must
// report the message and carry on.
#include <mmhost/sdk/plugin.hpp>

#include <stdexcept>

namespace {
mmh::sdk::Part broken_part() {
  throw std::runtime_error("exchange credentials file unreadable");
}
}  // namespace

MMH_SDK_PLUGIN("throwing_init", "1.0.0", "Test plugin whose init throws", broken_part)
