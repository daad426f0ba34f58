#include "app/start_capital.hpp"

#include <mmhost/sdk/fixed_point.hpp>

namespace mmh {
namespace {

amount_e18 floor_e8(amount_e18 v) {
  return v - v % kE18PerE8;
}  // v >= 0

}  // namespace

const char* capital_source_name(CapitalSource s) {
  switch (s) {
    case CapitalSource::strategy:
      return "strategy";
    case CapitalSource::paper_wallet:
      return "paper wallet";
    case CapitalSource::venue_wallet:
      return "venue wallet";
  }
  return "?";
}

StartCapital strategy_capital(CapitalSource source, amount_e18 base_e18, amount_e18 quote_e18) {
  StartCapital c;
  c.source = source;
  c.wallet_base_e18 = c.base_e18 = base_e18;
  c.wallet_quote_e18 = c.quote_e18 = quote_e18;
  c.allocation_e18 = quote_e18;
  return c;
}

StartCapital capped_wallet(amount_e18 wallet_base_e18, amount_e18 wallet_quote_e18,
                           amount_e18 allocation_e18, int64_t price_e8) {
  StartCapital c;
  c.source = CapitalSource::venue_wallet;
  c.wallet_base_e18 = wallet_base_e18;
  c.wallet_quote_e18 = wallet_quote_e18;
  c.allocation_e18 = allocation_e18;
  c.price_e8 = price_e8;
  const amount_e18 base_value = wallet_base_e18 > 0 ? value_e18(price_e8, wallet_base_e18) : 0;
  const amount_e18 worth = base_value + wallet_quote_e18;
  c.capped = worth > allocation_e18;
  c.base_e18 =
      floor_e8(c.capped ? mul_div_floor(wallet_base_e18, allocation_e18, worth) : wallet_base_e18);
  c.quote_e18 = floor_e8(c.capped ? mul_div_floor(wallet_quote_e18, allocation_e18, worth)
                                  : wallet_quote_e18);
  return c;
}

std::string describe(const StartCapital& c, const std::string& base_asset,
                     const std::string& quote_asset) {
  auto pair = [&](amount_e18 base, amount_e18 quote) {
    return format_e18(base) + " " + base_asset + " + " + format_e18(quote) + " " + quote_asset;
  };
  switch (c.source) {
    case CapitalSource::strategy:
      return "strategy (capital.base, capital.allocation): " + pair(c.base_e18, c.quote_e18);
    case CapitalSource::paper_wallet:
      return "paper wallet from the strategy (capital.base, capital.allocation): " +
             pair(c.base_e18, c.quote_e18);
    case CapitalSource::venue_wallet:
      break;
  }
  std::string line = "venue wallet " + pair(c.wallet_base_e18, c.wallet_quote_e18);
  if (c.price_e8 > 0)
    line += " (worth " + format_e18(value_e18(c.price_e8, c.wallet_base_e18) + c.wallet_quote_e18) +
            " " + quote_asset + " at " + sdk::format_e8(c.price_e8) + ")";
  line += c.capped ? "; capital.allocation " + format_e18(c.allocation_e18) + " " + quote_asset +
                         " caps the core at " + pair(c.base_e18, c.quote_e18)
                   : "; the core trades all of it (within capital.allocation " +
                         format_e18(c.allocation_e18) + " " + quote_asset + ")";
  return line;
}

}  // namespace mmh
