// Any bytes as a public WebSocket message: the parser either fills the message or throws
// BybitError, and whatever it accepts is safe to apply to the local book, whose invariants
// (sides sorted best first, no zero sizes, at most `depth` levels) must then hold. The compact
// orderbook fast path must agree with the general simdjson path on every input: same message,
// or both refuse it.
#include "bybit_error.hpp"
#include "order_book.hpp"
#include "public_message.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool same_levels(const std::vector<mmh_book_level>& a, const std::vector<mmh_book_level>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].price_e8 != b[i].price_e8 || a[i].qty_e8 != b[i].qty_e8) return false;
  return true;
}

bool same(const mmh::bybit::PublicMessage& a, const mmh::bybit::PublicMessage& b) {
  return a.kind == b.kind && a.topic == b.topic && a.ts_ms == b.ts_ms && a.cts_ms == b.cts_ms &&
         a.snapshot == b.snapshot && a.update_id == b.update_id && a.seq == b.seq &&
         same_levels(a.bids, b.bids) && same_levels(a.asks, b.asks) &&
         a.trades.size() == b.trades.size() && a.klines.size() == b.klines.size() &&
         a.last_price_e8 == b.last_price_e8 && a.op == b.op && a.success == b.success &&
         a.ret_msg == b.ret_msg;
}

// The same parser with the fast path off.
mmh::bybit::PublicParser& general_parser() {
  static mmh::bybit::PublicParser parser;
  static const bool configured = (parser.set_compact_fast_path(false), true);
  (void)configured;
  return parser;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mmh::bybit::PublicParser parser;
  static mmh::bybit::PublicMessage message;
  static mmh::bybit::PublicMessage general_message;
  static mmh::bybit::OrderBook book(50);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bool refused = false;
  bool general_refused = false;
  try {
    parser.parse(text, message);
  } catch (const mmh::bybit::BybitError&) {
    refused = true;
  }
  try {
    general_parser().parse(text, general_message);
  } catch (const mmh::bybit::BybitError&) {
    general_refused = true;
  }
  if (refused != general_refused) std::abort();
  if (refused) return 0;
  if (!same(message, general_message)) std::abort();
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
