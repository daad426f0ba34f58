// What the core trades with at the start of a run. A backtest starts from the strategy's
// `capital.allocation` (quote) and `capital.base`; a paper run's simulated wallet is made of the
// same numbers. A live run starts from the exchange's wallet, and `capital.allocation` caps what
// the core may use of it: when the wallet is worth more than the allocation at the reference
// price, both assets are scaled down by the same factor (the wallet's mix is kept, so a wallet
// of ETH is still sold from). The ledger keeps the whole wallet, to agree with the exchange.
#pragma once

#include "ledger/amount.hpp"

#include <cstdint>
#include <string>

namespace mmh {

enum class CapitalSource { strategy, paper_wallet, venue_wallet };

struct StartCapital {
  CapitalSource source = CapitalSource::strategy;
  amount_e18 wallet_base_e18 = 0;   // what the venue holds
  amount_e18 wallet_quote_e18 = 0;  //
  amount_e18 allocation_e18 = 0;    // capital.allocation (the cap, live)
  int64_t price_e8 = 0;             // the wallet's valuation price (live; 0 when not needed)
  amount_e18 base_e18 = 0;          // what the core trades, at 1e-8
  amount_e18 quote_e18 = 0;         //
  bool capped = false;              // the wallet was worth more than the allocation
};

// The strategy's numbers, for a backtest or a paper run (both the wallet and the core's).
StartCapital strategy_capital(CapitalSource source, amount_e18 base_e18, amount_e18 quote_e18);

// The exchange's wallet capped by the allocation, valued at `price_e8` (> 0 unless the wallet
// holds no base). The core's amounts are rounded down to 1e-8.
StartCapital capped_wallet(amount_e18 wallet_base_e18, amount_e18 wallet_quote_e18,
                           amount_e18 allocation_e18, int64_t price_e8);

// One line for the run's report, e.g. "venue wallet 1.2 ETH + 5000 USDT (worth 8180 USDT at
// 2650); capital.allocation 1000 USDT caps the core at 0.14669926 ETH + 611.24694376 USDT".
std::string describe(const StartCapital& c, const std::string& base_asset,
                     const std::string& quote_asset);

const char* capital_source_name(CapitalSource s);

}  // namespace mmh
