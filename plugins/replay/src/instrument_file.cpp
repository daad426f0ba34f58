#include "instrument_file.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/regular_file.hpp>

#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace mmh::replay {
namespace {

constexpr const char* kFields[] = {"symbol", "tick_size", "lot_size", "min_order_qty",
                                   "min_order_value"};

// The sidecar's fields as text; every value must be a string (decimals are text, as exchanges
// send them, so no digit is lost to a double).
std::map<std::string, std::string> read_sidecar(const std::string& path) {
  const std::string bytes = sdk::read_regular_file(path, 64 * 1024);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(bytes).get(root) != simdjson::SUCCESS ||
      root.get_object().get(object) != simdjson::SUCCESS)
    throw std::invalid_argument(path + ": not a JSON object");
  std::map<std::string, std::string> out;
  for (auto [key, value] : object) {
    const std::string name(key);
    bool known = false;
    for (const char* f : kFields) known = known || name == f;
    if (!known)
      throw std::invalid_argument(path + ": unknown field '" + name.substr(0, 40) +
                                  "' (symbol, tick_size, lot_size, min_order_qty, "
                                  "min_order_value)");
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS)
      throw std::invalid_argument(path + ": " + name + " must be a string (\"0.01\")");
    out[name] = std::string(text);
  }
  return out;
}

mmh_decimal step(const std::map<std::string, std::string>& f, const char* name, bool required,
                 const std::string& where) {
  const auto it = f.find(name);
  if (it == f.end()) {
    if (required) throw std::invalid_argument(where + ": " + name + " is required");
    return mmh_decimal{};
  }
  mmh_decimal d{};
  try {
    d = sdk::decimal_from_text(it->second);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(where + ": " + name + " " + e.what());
  }
  int64_t e8 = 0;
  if (required && (d.mantissa <= 0 || !sdk::decimal_to_e8(d, e8) || e8 <= 0))
    throw std::invalid_argument(where + ": " + name + " '" + it->second +
                                "' must be a positive step of at most 8 decimals");
  return d;
}

}  // namespace

std::string instrument_file_for(const std::string& data_file) {
  return data_file + ".instrument.json";
}

std::optional<mmh_instrument> load_instrument(const std::map<std::string, std::string>& fields,
                                              const std::string& data_file,
                                              const std::string& symbol) {
  std::map<std::string, std::string> chosen = fields;
  std::string where = "market.instrument";
  const std::string sidecar = instrument_file_for(data_file);
  if (chosen.empty() && !data_file.empty() && std::filesystem::exists(sidecar)) {
    chosen = read_sidecar(sidecar);
    where = sidecar;
    if (chosen.count("symbol") != 0 && !symbol.empty() && chosen["symbol"] != symbol)
      throw std::invalid_argument(sidecar + ": is for " + chosen["symbol"].substr(0, 32) +
                                  ", the run trades " + symbol);
  }
  if (chosen.empty()) return std::nullopt;
  mmh_instrument ins{};
  std::snprintf(ins.symbol, sizeof(ins.symbol), "%s", symbol.c_str());
  ins.tick_size = step(chosen, "tick_size", true, where);
  ins.lot_size = step(chosen, "lot_size", true, where);
  ins.min_order_qty = step(chosen, "min_order_qty", false, where);
  ins.min_order_value = step(chosen, "min_order_value", false, where);
  return ins;
}

}  // namespace mmh::replay
