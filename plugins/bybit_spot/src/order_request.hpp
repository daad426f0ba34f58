// Order commands of the host (integers: ticks and lots of the instrument) as Bybit V5 spot REST
// bodies (PROTOCOL.md §5): exact decimal strings, compact JSON in a fixed key order (the bytes
// that are signed are the bytes that are sent), orderLinkId checked against Bybit's rule
// (<= 36 of [0-9A-Za-z_-]). Market orders always say their marketUnit: a spot market Buy would
// otherwise be read in quote coin.
#pragma once

#include <mmhost/plugin.h>

#include <string>
#include <string_view>
#include <vector>

namespace mmh::bybit {

struct OrderInstrument {
  std::string symbol;
  mmh_decimal tick_size{};  // price = price_ticks x tick_size
  mmh_decimal lot_size{};   // base qty = qty_lots x lot_size
};

// v x 10^exponent as the shortest exact decimal text ("2499.3", "0.5", "12").
std::string decimal_string(int64_t mantissa, int32_t exponent);

// True when `id` is a valid orderLinkId.
bool valid_order_link_id(std::string_view id);

// /v5/order/create body. Throws std::invalid_argument for a bad command or id.
std::string create_body(const OrderInstrument& instrument, const mmh_order_command& command);
// /v5/order/amend: new price and qty of the order with this orderLinkId.
std::string amend_body(const OrderInstrument& instrument, const mmh_order_command& command);
// /v5/order/cancel by orderLinkId.
std::string cancel_body(const OrderInstrument& instrument, std::string_view order_link_id);
// /v5/order/cancel-all for the symbol.
std::string cancel_all_body(const OrderInstrument& instrument);
// /v5/order/create-batch: at most 10 creates (spot's limit).
std::string create_batch_body(const OrderInstrument& instrument,
                              const std::vector<mmh_order_command>& commands);

}  // namespace mmh::bybit
