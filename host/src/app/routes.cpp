#include "app/routes.hpp"

#include "engine/event_time.hpp"

#include <string>

namespace mmh {

Routes Routes::plan(const RouteInputs& in) {
  Routes r;
  auto add = [&r](uint32_t kind, uint32_t consumers) { r.table_[kind] |= consumers; };
  const bool exec = in.venue;
  auto core_wants = [&in](uint32_t kind) {
    return in.core && (in.core_interest & MMH_EVENT_BIT(kind)) != 0;
  };
  for (uint32_t kind = 1; kind < MMH_EVENT_KIND_COUNT; ++kind)
    if (core_wants(kind)) add(kind, kToCore);
  // Bars are a core's clock (structure bars are resampled from them): every core gets them.
  if (in.core) add(MMH_EVENT_CANDLE, kToCore);
  // Balances are the core's only when its wallet is the venue's whole account.
  if (in.core_wallet_allotted) r.table_[MMH_EVENT_BALANCE] &= ~static_cast<uint32_t>(kToCore);
  // Bars: the core's input (the feeder resamples them), the venue fills along them, the ledger
  // and the gate mark at their close, the script hears them.
  if (exec) add(MMH_EVENT_CANDLE, kToVenue | kToLedger | kToRisk | kToJournal);
  if (in.script) add(MMH_EVENT_CANDLE, kToScript);
  // Ticks: the venue's market view; books and tickers also date the data for the gate.
  if (exec) {
    add(MMH_EVENT_TRADE, kToVenue);
    for (int kind : {MMH_EVENT_BOOK_SNAPSHOT, MMH_EVENT_BOOK_DELTA, MMH_EVENT_TICKER})
      add(static_cast<uint32_t>(kind), kToVenue | kToRisk);
  }
  if (in.bars_from_trades) add(MMH_EVENT_TRADE, kToBars);
  if (core_wants(MMH_EVENT_TICKER))
    for (int kind : {MMH_EVENT_BOOK_SNAPSHOT, MMH_EVENT_BOOK_DELTA})
      add(static_cast<uint32_t>(kind), kToCoreTop);
  // What the venue reports.
  if (exec) {
    add(MMH_EVENT_ORDER_UPDATE, kToOrders | kToJournal);
    add(MMH_EVENT_FILL, kToLedger | kToJournal);
    if (in.script) add(MMH_EVENT_FILL, kToScript);
    add(MMH_EVENT_BALANCE, kToLedger);
    add(MMH_EVENT_ORDER_COMMAND, kToJournal);
  }
  if (in.core) add(MMH_EVENT_DECISION, kToJournal);
  return r;
}

void Routes::print(std::ostream& out, const char* indent) const {
  static constexpr std::pair<uint32_t, const char*> kNames[] = {
      {kToCore, "core"},      {kToCoreTop, "core (top as ticker)"},
      {kToVenue, "venue"},    {kToLedger, "ledger"},
      {kToOrders, "orders"},  {kToRisk, "risk"},
      {kToScript, "script"},  {kToBars, "bars"},
      {kToJournal, "journal"}};
  for (uint32_t kind = 1; kind < MMH_EVENT_KIND_COUNT; ++kind) {
    if (table_[kind] == 0) continue;
    std::string line = std::string(indent) + event_kind_name(kind);
    line.resize(std::string(indent).size() + 15, ' ');
    bool first = true;
    for (const auto& [bit, name] : kNames)
      if ((table_[kind] & bit) != 0) {
        line += (first ? "" : ", ") + std::string(name);
        first = false;
      }
    out << line << "\n";
  }
}

}  // namespace mmh
