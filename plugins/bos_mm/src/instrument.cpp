#include "instrument.hpp"

#include <stdexcept>
#include <string>

namespace mmh::bos {

void Instrument::validate() const {
  auto positive = [](const char* name, int64_t v) {
    if (v <= 0)
      throw std::invalid_argument(std::string("instrument.") + name + " must be positive, got " +
                                  std::to_string(v));
  };
  positive("tick_e8", tick_e8);
  positive("lot_e8", lot_e8);
  if (min_qty_e8 < 0) throw std::invalid_argument("instrument.min_qty_e8 must not be negative");
  if (min_value_e8 < 0) throw std::invalid_argument("instrument.min_value_e8 must not be negative");
}

}  // namespace mmh::bos
