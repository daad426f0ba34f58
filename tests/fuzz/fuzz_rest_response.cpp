// Any bytes as a REST response body, through every REST parser: each returns or throws
// BybitError; nothing else may happen.
#include "bybit_error.hpp"
#include "rest_response.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  using namespace mmh::bybit;
  try {
    parse_envelope(body);
  } catch (const BybitError&) {
  }
  try {
    parse_kline_list(body);
  } catch (const BybitError&) {
  }
  try {
    parse_server_time_ms(body);
  } catch (const BybitError&) {
  }
  try {
    parse_instruments(body);
  } catch (const BybitError&) {
  }
  return 0;
}
