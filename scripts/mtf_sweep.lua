-- mtf_sweep.lua — the seed's "mm_mtf_sweep" preset as a batch script: structure on 5m bars,
-- execution on 1m bars, a few named parameter sets of strategies/eth_bos_mm.lua over several
-- date ranges, one table per range and the sets ranked by their mean return over all ranges.
--
--   mmhost batch scripts/mtf_sweep.lua             # results in batch/mtf_sweep/
-- docs/batch.md explains every call.

local file = "../shared/data/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv"
if not mmhost.data.exists(file) then file = "data/sample/ETHUSDT_1m_synthetic.csv" end
local data = mmhost.data.load{ file = file }

-- The preset's parameter sets: the flagship defaults, a tighter and a wider grid, a cautious one.
local presets = {
  { name = "default" },
  { name = "tight", ["grid.step_atr"] = 0.2, ["grid.step_min_bps"] = 12, ["grid.levels"] = 6 },
  { name = "wide", ["grid.step_atr"] = 0.6, ["grid.levels"] = 3, ["grid.level_pct"] = 3 },
  { name = "cautious", ["policy.defensive_atr_pct"] = 0.45, ["grid.level_pct"] = 1 },
}
local sets = {}
for i, p in ipairs(presets) do
  local set = {}
  for k, v in pairs(p) do if k ~= "name" then set[k] = v end end
  sets[i] = set
end

-- Three consecutive 30-day ranges (UTC, end exclusive).
local ranges = {
  { "2025-05-20", "2025-06-19" },
  { "2025-06-19", "2025-07-19" },
  { "2025-07-19", "2025-08-18" },
}

local mean_return = {}
for _, range in ipairs(ranges) do
  local results = mmhost.batch.run{
    strategy = "strategies/eth_bos_mm.lua",
    data = data,
    htf = "5m",
    sets = sets,
    start = range[1],
    ["end"] = range[2],
    label = range[1] .. ".." .. range[2],
  }
  print(string.format("\n%s .. %s (HTF 5m / LTF 1m)", range[1], range[2]))
  for i, r in ipairs(results) do
    print(string.format("  %-9s net %10.2f USDT  return %7.3f%%  max dd %6.3f%%  fills %5d  %s",
                        presets[i].name, r.net_pnl or 0, r.return_pct or 0,
                        r.max_drawdown_pct or 0, r.fills and r.fills.total or 0, r.status))
    mean_return[i] = (mean_return[i] or 0) + (r.return_pct or 0) / #ranges
  end
end

local order = {}
for i = 1, #presets do order[i] = i end
table.sort(order, function(a, b) return mean_return[a] > mean_return[b] end)
print("\nmean return over the ranges:")
for rank, i in ipairs(order) do
  print(string.format("  %d. %-9s %7.3f%%", rank, presets[i].name, mean_return[i]))
end
