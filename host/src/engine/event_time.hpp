// When an event becomes known to the engine. A candle is known at its close
// (open + interval), never at its open: using it earlier would be look-ahead.
#pragma once

#include <mmhost/plugin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mmh {

inline int64_t event_time_ns(uint32_t kind, const void* record) {
  switch (kind) {
    case MMH_EVENT_CANDLE: {
      const auto* c = static_cast<const mmh_candle*>(record);
      return c->open_ts_ns + c->interval_ns;
    }
    case MMH_EVENT_TRADE:
      return static_cast<const mmh_trade*>(record)->ts_ns;
    case MMH_EVENT_BOOK_SNAPSHOT:
    case MMH_EVENT_BOOK_DELTA:
      return static_cast<const mmh_book_update*>(record)->ts_ns;
    case MMH_EVENT_TICKER:
      return static_cast<const mmh_ticker*>(record)->ts_ns;
    case MMH_EVENT_INSTRUMENT:
      return static_cast<const mmh_instrument*>(record)->ts_ns;
    case MMH_EVENT_ORDER_COMMAND:
      return static_cast<const mmh_order_command*>(record)->ts_ns;
    case MMH_EVENT_ORDER_UPDATE:
      return static_cast<const mmh_order_update*>(record)->ts_ns;
    case MMH_EVENT_FILL:
      return static_cast<const mmh_fill*>(record)->ts_ns;
    case MMH_EVENT_BALANCE:
      return static_cast<const mmh_balance*>(record)->ts_ns;
    default:
      return 0;
  }
}

// Every record type begins with its timestamp field (checked at compile time), which is what the
// engine's merge relies on to stay kind-agnostic — except candles, known at close.
static_assert(offsetof(mmh_trade, ts_ns) == 0 && offsetof(mmh_ticker, ts_ns) == 0 &&
              offsetof(mmh_book_update, ts_ns) == 0 && offsetof(mmh_fill, ts_ns) == 0);

inline const char* event_kind_name(uint32_t kind) {
  static constexpr const char* kNames[MMH_EVENT_KIND_COUNT] = {
      "invalid",    "candle",        "trade",        "book_snapshot", "book_delta", "ticker",
      "instrument", "order_command", "order_update", "fill",          "balance",    "decision"};
  return kind < MMH_EVENT_KIND_COUNT ? kNames[kind] : "unknown";
}

// Minimum record size for each kind, used to validate batches coming from plugins.
inline size_t known_record_size(uint32_t kind) {
  switch (kind) {
    case MMH_EVENT_CANDLE:
      return sizeof(mmh_candle);
    case MMH_EVENT_TRADE:
      return sizeof(mmh_trade);
    case MMH_EVENT_BOOK_SNAPSHOT:
    case MMH_EVENT_BOOK_DELTA:
      return sizeof(mmh_book_update);
    case MMH_EVENT_TICKER:
      return sizeof(mmh_ticker);
    case MMH_EVENT_INSTRUMENT:
      return sizeof(mmh_instrument);
    case MMH_EVENT_ORDER_COMMAND:
      return sizeof(mmh_order_command);
    case MMH_EVENT_ORDER_UPDATE:
      return sizeof(mmh_order_update);
    case MMH_EVENT_FILL:
      return sizeof(mmh_fill);
    case MMH_EVENT_BALANCE:
      return sizeof(mmh_balance);
    case MMH_EVENT_DECISION:
      return sizeof(mmh_decision);
    default:
      return 0;
  }
}

}  // namespace mmh
