-- eth_bos_mm_defensive.lua — the flagship made cautious: it wants a more decisive break, holds
-- less ETH, quotes fewer and wider levels and leaves sooner. Same market, same core.
--
--   mmhost run strategies/eth_bos_mm_defensive.lua --replay FILE_1m.csv

local eth = require("eth")

local p = eth.with_changes(eth.flagship, {
  bos = { confirm_atr = 1.0, confirm_closes = 2 },      -- two closes a full ATR beyond
  pullback = { zone = "both" },                         -- retest must hit both zones
  policy = { defensive_atr_pct = 0.4, disabled_atr_pct = 0.9, defensive_drawdown_pct = 2,
             disabled_drawdown_pct = 5 },
  capital = { target_base_share = 0.2 },
  grid = { levels = 2, step_atr = 0.6, level_pct = 1.0,
           soft_band = 0.05, hard_band = 0.10 },
  execution = { rebalance_timeout_bars = 12, mm_max_bars = 576 },  -- 1h, 2 days
  risk = { stop_drawdown_pct = 2 },
})

return mmhost.strategy{
  name = "eth_bos_mm_defensive",
  core = "bos_mm",
  market = eth.market(),
  capital = p.capital,
  structure = p.structure, bos = p.bos, pullback = p.pullback, policy = p.policy,
  grid = p.grid, execution = p.execution, risk = p.risk,
}
