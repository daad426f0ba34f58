-- sweep_grid.lua — a full grid over the grid and policy parameters of strategies/eth_bos_mm.lua
-- on 90 days of 1m ETHUSDT (structure on 5m bars), ranked by net PnL, with the Pareto front of
-- net PnL against max drawdown among the runs that traded.
--
--   mmhost batch scripts/sweep_grid.lua            # results in batch/sweep_grid/
--   mmhost batch scripts/sweep_grid.lua --jobs 1   # same rows, one worker
-- A second run computes nothing: every result is found in batch/sweep_grid/results.sqlite.
-- docs/batch.md explains every call.

local file = "../shared/data/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv"
if not mmhost.data.exists(file) then
  file = "data/sample/ETHUSDT_1m_synthetic.csv"  -- `mmhost sample-data` writes it
end
local data = mmhost.data.load{ file = file }
print(string.format("data: %s, %d bars of %s, %s .. %s", data.file, data.bars, data.interval,
                    data.first, data.last))

-- 5 x 2 x 3 x 3 = 90 parameter sets: the grid's spacing (in ATR, with its floor in basis
-- points), its depth and its size per level.
local sets = mmhost.batch.grid{
  ["grid.step_atr"] = mmhost.range(0.2, 1.0, 0.2),
  ["grid.step_min_bps"] = {10, 25},
  ["grid.levels"] = {2, 4, 6},
  ["grid.level_pct"] = {1, 2, 3},
}

local results = mmhost.batch.run{
  strategy = "strategies/eth_bos_mm.lua",
  data = data,
  htf = "5m",
  sets = sets,
  label = "grid",
}

print(string.format("\n%d runs; the ten best by net PnL:", #results))
mmhost.batch.print(mmhost.batch.rank(results, "net_pnl"), nil, 10)

local front = mmhost.batch.pareto(results, {"net_pnl:max", "max_drawdown_pct:min"},
                                  {min_fills = 20})
print(string.format("\nPareto front (net PnL vs max drawdown, at least 20 fills): %d runs", #front))
mmhost.batch.print(front, {"params.grid.step_atr", "params.grid.step_min_bps",
                           "params.grid.levels", "params.grid.level_pct", "net_pnl",
                           "max_drawdown_pct", "fills.total"})

mmhost.batch.save_csv(mmhost.batch.rank(results, "net_pnl"), "sweep_grid_ranked.csv")
