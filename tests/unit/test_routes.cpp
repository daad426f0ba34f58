// The routing table: one table from event kind to consumers, built the same way in every mode
// from what the run has.
#include "app/routes.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace mmh;

namespace {

constexpr uint64_t kBosMmInterest =
    MMH_EVENT_BIT(MMH_EVENT_CANDLE) | MMH_EVENT_BIT(MMH_EVENT_TICKER) |
    MMH_EVENT_BIT(MMH_EVENT_FILL) | MMH_EVENT_BIT(MMH_EVENT_BALANCE) |
    MMH_EVENT_BIT(MMH_EVENT_INSTRUMENT);

}  // namespace

TEST_CASE("routes: a core with a simulated venue hears what it declared, the venue every tick") {
  const Routes r = Routes::plan({.core = true,
                                 .core_interest = kBosMmInterest,
                                 .venue = true,
                                 .core_wallet_allotted = false,
                                 .script = true,
                                 .bars_from_trades = false});
  CHECK(r.to(MMH_EVENT_CANDLE, kToCore));
  CHECK(r.to(MMH_EVENT_CANDLE, kToVenue));
  CHECK(r.to(MMH_EVENT_TICKER, kToCore));
  CHECK(r.to(MMH_EVENT_TICKER, kToRisk));
  // It wants tickers, not books: a book reaches it as its top.
  CHECK_FALSE(r.to(MMH_EVENT_BOOK_DELTA, kToCore));
  CHECK(r.to(MMH_EVENT_BOOK_DELTA, kToCoreTop));
  CHECK(r.to(MMH_EVENT_BOOK_DELTA, kToVenue));
  CHECK_FALSE(r.to(MMH_EVENT_TRADE, kToCore));
  CHECK(r.to(MMH_EVENT_TRADE, kToVenue));
  CHECK(r.to(MMH_EVENT_FILL, kToCore | kToLedger | kToScript));
  CHECK(r.to(MMH_EVENT_BALANCE, kToCore));
  CHECK(r.to(MMH_EVENT_INSTRUMENT, kToCore));
  CHECK(r.to(MMH_EVENT_ORDER_UPDATE, kToOrders));
  CHECK_FALSE(r.to(MMH_EVENT_ORDER_UPDATE, kToCore));
}

TEST_CASE("routes: an allotted wallet keeps the account's balances from the core") {
  const Routes r = Routes::plan({.core = true,
                                 .core_interest = kBosMmInterest,
                                 .venue = true,
                                 .core_wallet_allotted = true,
                                 .script = true,
                                 .bars_from_trades = false});
  CHECK_FALSE(r.to(MMH_EVENT_BALANCE, kToCore));
  CHECK(r.to(MMH_EVENT_BALANCE, kToLedger));
  CHECK(r.to(MMH_EVENT_FILL, kToCore));
}

TEST_CASE("routes: without a venue, ticks go only where someone takes them") {
  const Routes none = Routes::plan({.core = true,
                                    .core_interest = MMH_EVENT_BIT(MMH_EVENT_CANDLE),
                                    .venue = false,
                                    .core_wallet_allotted = false,
                                    .script = false,
                                    .bars_from_trades = false});
  CHECK(none.to(MMH_EVENT_CANDLE, kToCore));
  for (int kind : {MMH_EVENT_TRADE, MMH_EVENT_BOOK_DELTA, MMH_EVENT_TICKER, MMH_EVENT_FILL})
    CHECK_FALSE(none.any(static_cast<uint32_t>(kind)));
  const Routes tape = Routes::plan({.core = false,
                                    .core_interest = 0,
                                    .venue = false,
                                    .core_wallet_allotted = false,
                                    .script = false,
                                    .bars_from_trades = true});
  CHECK(tape.consumers(MMH_EVENT_TRADE) == kToBars);
  CHECK_FALSE(tape.any(MMH_EVENT_DECISION));

  std::ostringstream text;
  tape.print(text);
  CHECK(text.str() == "trade          bars\n");
}
