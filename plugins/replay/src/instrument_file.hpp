// A replayed symbol's trading rules: the strategy's market.instrument (as settings
// `instrument.tick_size`, `instrument.lot_size`, `instrument.min_order_qty`,
// `instrument.min_order_value`, decimal strings) or a sidecar file beside the data,
// `<data file>.instrument.json`:
//   {"symbol": "BTCUSDT", "tick_size": "0.01", "lot_size": "0.000001",
//    "min_order_qty": "0.000048", "min_order_value": "1"}
// The settings, when given, are the instrument (the file is not read); tick_size and lot_size
// are required either way.
#pragma once

#include <mmhost/plugin.h>

#include <map>
#include <optional>
#include <string>

namespace mmh::replay {

// The sidecar's path for a data file.
std::string instrument_file_for(const std::string& data_file);

// The instrument from `fields` (tick_size, lot_size, min_order_qty, min_order_value; decimal
// strings), or else from the sidecar of `data_file` if it exists; nullopt when neither says.
// Throws std::invalid_argument naming the field or file that is wrong (not a decimal, a zero
// step, a missing tick or lot, a sidecar for another symbol).
std::optional<mmh_instrument> load_instrument(const std::map<std::string, std::string>& fields,
                                              const std::string& data_file,
                                              const std::string& symbol);

}  // namespace mmh::replay
