#include "order_request.hpp"

#include <climits>
#include <cstring>
#include <stdexcept>

namespace mmh::bybit {

namespace {

const char* side_text(uint32_t side) {
  if (side == MMH_SIDE_BUY) return "Buy";
  if (side == MMH_SIDE_SELL) return "Sell";
  throw std::invalid_argument("order side must be buy or sell");
}

const char* tif_text(uint32_t tif) {
  switch (tif) {
    case MMH_TIF_GTC:
      return "GTC";
    case MMH_TIF_POST_ONLY:
      return "PostOnly";
    case MMH_TIF_IOC:
      return "IOC";
    case MMH_TIF_FOK:
      return "FOK";
    default:
      throw std::invalid_argument("unknown time in force " + std::to_string(tif));
  }
}

std::string scaled(int64_t units, const mmh_decimal& step, const char* what) {
  if (units <= 0) throw std::invalid_argument(std::string(what) + " must be positive");
  if (step.mantissa <= 0) throw std::invalid_argument(std::string(what) + ": no step size");
  if (units > INT64_MAX / step.mantissa)
    throw std::invalid_argument(std::string(what) + " out of range");
  return decimal_string(units * step.mantissa, step.exponent);
}

std::string link_id(const mmh_order_command& c) {
  const std::string id(c.client_id, strnlen(c.client_id, sizeof(c.client_id)));
  if (!valid_order_link_id(id))
    throw std::invalid_argument("orderLinkId '" + id +
                                "' must be 1..36 characters of [0-9A-Za-z_-]");
  return id;
}

// The per-order fields of a create, without the category (shared by create and batch).
void order_fields(std::string& out, const OrderInstrument& ins, const mmh_order_command& c) {
  out += "\"symbol\":\"" + ins.symbol + "\",\"side\":\"" + side_text(c.side) + "\"";
  if (c.order_type == MMH_ORDER_TYPE_LIMIT) {
    out += ",\"orderType\":\"Limit\",\"qty\":\"" + scaled(c.qty_lots, ins.lot_size, "qty") +
           "\",\"price\":\"" + scaled(c.price_ticks, ins.tick_size, "price") +
           "\",\"timeInForce\":\"" + tif_text(c.time_in_force) + "\"";
  } else if (c.order_type == MMH_ORDER_TYPE_MARKET) {
    if (c.market_unit == MMH_MARKET_UNIT_QUOTE)  // quote amount in units of 1e-8
      out += ",\"orderType\":\"Market\",\"qty\":\"" + decimal_string(c.qty_lots, -8) +
             "\",\"marketUnit\":\"quoteCoin\"";
    else
      out += ",\"orderType\":\"Market\",\"qty\":\"" + scaled(c.qty_lots, ins.lot_size, "qty") +
             "\",\"marketUnit\":\"baseCoin\"";
  } else {
    throw std::invalid_argument("order type must be limit or market");
  }
  out += ",\"orderLinkId\":\"" + link_id(c) + "\"";
}

}  // namespace

std::string decimal_string(int64_t mantissa, int32_t exponent) {
  const bool negative = mantissa < 0;
  std::string digits = std::to_string(negative ? -mantissa : mantissa);
  if (exponent >= 0) {
    if (mantissa != 0) digits.append(static_cast<size_t>(exponent), '0');
    return (negative ? "-" : "") + digits;
  }
  const size_t decimals = static_cast<size_t>(-exponent);
  if (digits.size() <= decimals) digits.insert(0, decimals - digits.size() + 1, '0');
  std::string whole = digits.substr(0, digits.size() - decimals);
  std::string frac = digits.substr(digits.size() - decimals);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return (negative ? "-" : "") + whole + (frac.empty() ? "" : "." + frac);
}

bool valid_order_link_id(std::string_view id) {
  if (id.empty() || id.size() > 36) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
          c == '-'))
      return false;
  return true;
}

std::string create_body(const OrderInstrument& ins, const mmh_order_command& c) {
  std::string out = "{\"category\":\"spot\",";
  order_fields(out, ins, c);
  return out + "}";
}

std::string amend_body(const OrderInstrument& ins, const mmh_order_command& c) {
  std::string out = "{\"category\":\"spot\",\"symbol\":\"" + ins.symbol + "\",\"orderLinkId\":\"" +
                    link_id(c) + "\"";
  if (c.qty_lots > 0) out += ",\"qty\":\"" + scaled(c.qty_lots, ins.lot_size, "qty") + "\"";
  if (c.price_ticks > 0)
    out += ",\"price\":\"" + scaled(c.price_ticks, ins.tick_size, "price") + "\"";
  return out + "}";
}

std::string cancel_body(const OrderInstrument& ins, std::string_view order_link_id) {
  if (!valid_order_link_id(order_link_id))
    throw std::invalid_argument("orderLinkId '" + std::string(order_link_id) + "' is not valid");
  return "{\"category\":\"spot\",\"symbol\":\"" + ins.symbol + "\",\"orderLinkId\":\"" +
         std::string(order_link_id) + "\"}";
}

std::string cancel_all_body(const OrderInstrument& ins) {
  return "{\"category\":\"spot\",\"symbol\":\"" + ins.symbol + "\"}";
}

std::string create_batch_body(const OrderInstrument& ins,
                              const std::vector<mmh_order_command>& commands) {
  if (commands.empty() || commands.size() > 10)
    throw std::invalid_argument("a spot batch holds 1..10 orders, got " +
                                std::to_string(commands.size()));
  std::string out = "{\"category\":\"spot\",\"request\":[";
  for (size_t i = 0; i < commands.size(); ++i) {
    out += i ? ",{" : "{";
    order_fields(out, ins, commands[i]);
    out += "}";
  }
  return out + "]}";
}

}  // namespace mmh::bybit
