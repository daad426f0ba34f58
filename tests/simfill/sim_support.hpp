// Helpers for the simfill tests: an ETHUSDT-like instrument, commands, and the venue's output.
#pragma once

#include "sim_venue.hpp"

#include <cstring>
#include <string>
#include <vector>

namespace mmh::sim::test {

inline constexpr int64_t kE8 = MMH_E8;
inline constexpr int64_t kSec = 1'000'000'000;

inline SimInstrument eth() {
  return SimInstrument{};  // ETH/USDT, tick 0.01, lot 0.00001
}

inline SimVenue venue(double maker = 0.001, double taker = 0.001, LatencyConfig latency = {},
                      int64_t base_e8 = 0, int64_t quote_e8 = 10'000 * kE8) {
  return SimVenue(eth(), FeeModel(FeeRates{maker, taker}), LatencyModel(latency), base_e8,
                  quote_e8);
}

inline mmh_order_command limit(int64_t ts_ns, uint32_t side, int64_t price_ticks, int64_t lots,
                               const char* id, uint32_t tif = MMH_TIF_GTC) {
  mmh_order_command c{};
  c.ts_ns = ts_ns;
  c.action = MMH_ORDER_ACTION_PLACE;
  c.symbol_id = 1;
  c.side = side;
  c.order_type = MMH_ORDER_TYPE_LIMIT;
  c.time_in_force = tif;
  c.price_ticks = price_ticks;
  c.qty_lots = lots;
  std::snprintf(c.client_id, sizeof(c.client_id), "%s", id);
  return c;
}

inline mmh_order_command market(int64_t ts_ns, uint32_t side, int64_t lots, const char* id) {
  mmh_order_command c = limit(ts_ns, side, 0, lots, id);
  c.order_type = MMH_ORDER_TYPE_MARKET;
  c.time_in_force = MMH_TIF_IOC;
  c.market_unit = MMH_MARKET_UNIT_BASE;
  return c;
}

inline mmh_order_command cancel(int64_t ts_ns, const char* id) {
  mmh_order_command c{};
  c.ts_ns = ts_ns;
  c.action = MMH_ORDER_ACTION_CANCEL;
  c.symbol_id = 1;
  std::snprintf(c.client_id, sizeof(c.client_id), "%s", id);
  return c;
}

inline std::vector<mmh_fill> fills(const SimVenue& v) {
  std::vector<mmh_fill> out;
  for (const VenueEvent& e : const_cast<SimVenue&>(v).events())
    if (e.kind == MMH_EVENT_FILL) out.push_back(e.fill);
  return out;
}

inline std::vector<mmh_order_update> updates(const SimVenue& v) {
  std::vector<mmh_order_update> out;
  for (const VenueEvent& e : const_cast<SimVenue&>(v).events())
    if (e.kind == MMH_EVENT_ORDER_UPDATE) out.push_back(e.update);
  return out;
}

inline int64_t fee_e8(const mmh_fill& f) {
  return f.fee.mantissa;  // exponent -8 throughout the venue
}

inline mmh_candle candle(int64_t open_ts_ns, double o, double h, double l, double c, double vol,
                         int64_t interval_ns = 60 * kSec) {
  auto e8 = [](double x) { return static_cast<int64_t>(x * 1e8 + (x >= 0 ? 0.5 : -0.5)); };
  return mmh_candle{open_ts_ns, interval_ns, e8(o), e8(h), e8(l), e8(c), e8(vol), 1, 0};
}

}  // namespace mmh::sim::test
