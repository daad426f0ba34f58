-- walk_forward.lua — walk-forward evaluation of strategies/eth_bos_mm.lua: in each window,
-- sweep a small grid on the training span, pick the best set by net PnL among those that
-- traded, then score that set alone on the following (unseen) test span; roll forward and
-- compare the out-of-sample returns with the in-sample ones.
--
--   mmhost batch scripts/walk_forward.lua          # results in batch/walk_forward/
-- docs/batch.md explains every call.

local file = "../shared/data/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv"
if not mmhost.data.exists(file) then file = "data/sample/ETHUSDT_1m_synthetic.csv" end
local data = mmhost.data.load{ file = file }

local sets = mmhost.batch.grid{
  ["grid.step_atr"] = {0.25, 0.5, 0.75},
  ["grid.levels"] = {2, 4},
  ["grid.level_pct"] = {1, 2},
}

-- 30 days to train, 15 to test, rolled by 15 days.
local windows = mmhost.batch.windows{ data = data, train = "30d", test = "15d", step = "15d" }
print(string.format("%d windows, %d sets trained in each", #windows, #sets))

local common = { strategy = "strategies/eth_bos_mm.lua", data = data, htf = "5m" }
local function run(extra)
  local spec = {}
  for k, v in pairs(common) do spec[k] = v end
  for k, v in pairs(extra) do spec[k] = v end
  return mmhost.batch.run(spec)
end

local in_sample, out_of_sample = 0, 0
for i, w in ipairs(windows) do
  local train = run{ sets = sets, start = w.train_start, ["end"] = w.train_end,
                     label = "train " .. i }
  local best = mmhost.batch.best(mmhost.batch.filter(train, { min_fills = 10 }), "net_pnl")
  if best == nil then
    print(string.format("window %d: no training run traded; skipped", i))
  else
    local test = run{ sets = { best.params }, start = w.test_start, ["end"] = w.test_end,
                      label = "test " .. i }
    local t = test[1]
    print(string.format(
        "window %d  train %s..%s  best step %.2f levels %d size %g%%: return %7.3f%%  |  test %s..%s: return %7.3f%% (%s)",
        i, w.train_start:sub(1, 10), w.train_end:sub(1, 10), best.params["grid.step_atr"],
        best.params["grid.levels"], best.params["grid.level_pct"], best.return_pct,
        w.test_start:sub(1, 10), w.test_end:sub(1, 10), t.return_pct or 0, t.status))
    in_sample = in_sample + best.return_pct
    out_of_sample = out_of_sample + (t.return_pct or 0)
  end
end
print(string.format("\nsum of returns: in sample %.3f%%, out of sample %.3f%%", in_sample,
                    out_of_sample))
