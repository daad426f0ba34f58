// One routing table per run: for each event kind, the consumers that take it. Every mode builds
// it the same way from what the run has (a core and the kinds it declares, a venue, a script,
// bars built from a trade tape); the mode itself is not an input. The engine subscribes by it,
// the market feed and the execution forward by it, and `mmhost run --plan` prints it.
#pragma once

#include <mmhost/plugin.h>

#include <array>
#include <cstdint>
#include <ostream>

namespace mmh {

enum Consumer : uint32_t {
  kToCore = 1u << 0,     // on_events of the core
  kToCoreTop = 1u << 1,  // the core, as a ticker: the book's top when it changes
  kToVenue = 1u << 2,    // the venue's market view (a simulated venue fills on it)
  kToLedger = 1u << 3,   // balances, fills, marks at each bar's close
  kToOrders = 1u << 4,   // the order manager's working orders
  kToRisk = 1u << 5,     // the RiskGate: marks, data age and crossed quotes
  kToScript = 1u << 6,   // the strategy script's callbacks (on_bar, on_fill)
  kToBars = 1u << 7,     // the bar builder (a trade tape is the run's bars)
  kToJournal = 1u << 8,  // events.jsonl and its hash
};

struct RouteInputs {
  bool core = false;
  uint64_t core_interest = 0;  // MMH_EVENT_BIT mask the core declared
  bool venue = false;
  // The core trades an allotted part of the venue's wallet (live: capital.allocation): the
  // venue's balance reports are the account's, not the core's.
  bool core_wallet_allotted = false;
  bool script = false;
  bool bars_from_trades = false;
};

class Routes {
 public:
  static Routes plan(const RouteInputs& in);
  bool to(uint32_t kind, uint32_t consumers) const {
    return kind < table_.size() && (table_[kind] & consumers) != 0;
  }
  bool any(uint32_t kind) const { return kind < table_.size() && table_[kind] != 0; }
  uint32_t consumers(uint32_t kind) const { return kind < table_.size() ? table_[kind] : 0; }
  // "candle        core, venue, ledger, ..." per kind that goes anywhere.
  void print(std::ostream& out, const char* indent = "") const;

 private:
  std::array<uint32_t, MMH_EVENT_KIND_COUNT> table_{};
};

}  // namespace mmh
