// Any bytes as a private WebSocket message or a private REST list: parsed or BybitError.
#include "bybit_error.hpp"
#include "private_message.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  using namespace mmh::bybit;
  try {
    parse_private_message(bytes);
  } catch (const BybitError&) {
  }
  try {
    std::string cursor;
    parse_order_list(bytes, &cursor);
  } catch (const BybitError&) {
  }
  try {
    parse_execution_list(bytes);
  } catch (const BybitError&) {
  }
  try {
    parse_wallet_balance(bytes);
  } catch (const BybitError&) {
  }
  return 0;
}
