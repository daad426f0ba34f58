// Any bytes as a public WebSocket message: the parser either fills the message or throws
// BybitError, and whatever it accepts is safe to apply to the local book, whose invariants
// (sides sorted best first, no zero sizes, at most `depth` levels) must then hold.
#include "bybit_error.hpp"
#include "order_book.hpp"
#include "public_message.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mmh::bybit::PublicParser parser;
  static mmh::bybit::PublicMessage message;
  static mmh::bybit::OrderBook book(50);
  try {
    parser.parse(std::string_view(reinterpret_cast<const char*>(data), size), message);
  } catch (const mmh::bybit::BybitError&) {
    return 0;
  }
  if (message.kind != mmh::bybit::PublicKind::orderbook) return 0;
  book.apply(message);
  const auto& bids = book.bids();
  const auto& asks = book.asks();
  if (bids.size() > 50 || asks.size() > 50) std::abort();
  for (size_t i = 0; i < bids.size(); ++i)
    if (bids[i].qty_e8 <= 0 || (i > 0 && bids[i - 1].price_e8 <= bids[i].price_e8)) std::abort();
  for (size_t i = 0; i < asks.size(); ++i)
    if (asks[i].qty_e8 <= 0 || (i > 0 && asks[i - 1].price_e8 >= asks[i].price_e8)) std::abort();
  return 0;
}
