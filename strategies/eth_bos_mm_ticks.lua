-- eth_bos_mm_ticks.lua — the flagship scaled down to seconds, for tick and L2 book windows (the
-- shared data has ~11 minutes of Binance ETHUSDT trades + depth). Bars are built from the trade
-- tape, so run it with a trade file as --cache:
--
--   mmhost backtest strategies/eth_bos_mm_ticks.lua --cache TRADES.csv --fill-model book \
--       --book DEPTH.csv.gz
--
-- Everything but the time scale and the grid's minimum step is the flagship's.

local eth = require("eth")
local p = eth.with_changes(eth.flagship, {
  structure = { atr_period = 10, left_bars = 2, right_bars = 2, min_swing_atr = 0.5 },
  pullback = { max_bars = 60 },
  grid = { step_min_bps = 1 },
  execution = { rebalance_timeout_bars = 30, exit_limit_bars = 5 },
})

return mmhost.strategy{
  name = "eth_bos_mm_ticks",
  core = "bos_mm",
  market = eth.market({ ltf = "1s", htf = "10s" }),
  capital = p.capital,
  structure = p.structure,
  bos = p.bos,
  pullback = p.pullback,
  policy = p.policy,
  grid = p.grid,
  execution = p.execution,
  risk = p.risk,
}
