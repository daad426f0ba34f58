-- eth_bos_mm.lua — the flagship strategy: structure-driven market making on ETHUSDT spot.
--
-- The bos_mm core enters only after a confirmed bullish break of structure (BOS) and a confirmed
-- pullback, buys its target share of base, market-makes with an adaptive grid, and exits to USDT
-- on a bearish BOS, an invalidated structure, a Disabled policy, the risk stop or a time limit.
-- docs/strategy-model.md defines every parameter; the values here are the defaults.
--
-- Run it:   mmhost sample-data && mmhost run strategies/eth_bos_mm.lua
-- Or on real data:   mmhost run strategies/eth_bos_mm.lua --replay FILE_1m.csv
-- Every decision as it is made:   mmhost run strategies/eth_bos_mm.lua --events

local eth = require("eth")          -- strategies/lib/eth.lua: market and shared parameters
local p = eth.flagship

return mmhost.strategy{
  name = "eth_bos_mm",
  core = "bos_mm",
  market = eth.market(),

  -- 10,000 USDT to trade with and no ETH; the grid steers to hold 30% of equity in ETH.
  capital = p.capital,

  -- Swings: 5 bars each side, at least 1 ATR apart; ATR(14) on the 5m bars.
  structure = p.structure,
  -- A break counts when a close is 0.5 ATR beyond the swing; a wick that fails within 3 bars
  -- is a failed break.
  bos = p.bos,
  -- Buy the retest: the broken level (-1/+0.5 ATR) or a 38–79% retracement of the impulse,
  -- confirmed when a 1m bar closes above the previous one's high.
  pullback = p.pullback,
  -- Defensive at ATR 0.6% / volatility 0.45% / drawdown 3%; Disabled at 1.2% / 1% / 8%.
  policy = p.policy,
  -- 4 levels a side, 0.35 ATR apart (never under 25 bp, above two maker fees), 2% of equity
  -- each; around the 30% ETH target, shrink the adding side past ±10%, stop it past ±20%.
  grid = p.grid,
  -- Give Rebalance 2 hours, MM at most 7 days, Exit 15 minutes at a limit before market.
  execution = p.execution,
  -- Leave when the setup has lost 4% of equity.
  risk = p.risk,
}
