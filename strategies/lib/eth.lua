-- lib/eth.lua — what the ETHUSDT strategies share: the market they trade and a helper to
-- derive one strategy's parameter groups from another's. Load it with require('eth').

local M = {}

-- The market table: replayed ETHUSDT 1m bars (5m structure) unless `overrides` says otherwise.
function M.market(overrides)
  local market = {
    data = "replay",    -- connector plugin: "replay" offline (bybit_spot for live/paper later)
    symbol = "ETHUSDT",
    ltf = "1m",         -- execution timeframe: the bars the connector delivers
    htf = "5m",         -- structure timeframe: built from ltf bars by the host's resampler
    -- Relative to the host's data_dir. `mmhost sample-data` writes this seeded SYNTHETIC
    -- series; --replay FILE overrides it with real data.
    file = "sample/ETHUSDT_1m_synthetic.csv",
    -- Bybit spot ETHUSDT's trading rules (/v5/market/instruments-info: priceFilter.tickSize,
    -- lotSizeFilter.basePrecision, minOrderQty, minOrderAmt), as decimal strings.
    instrument = { tick_size = "0.01", lot_size = "0.00001", min_order_qty = "0.00062",
                   min_order_value = "1" },
  }
  for key, value in pairs(overrides or {}) do market[key] = value end
  return market
end

-- A copy of `groups` (e.g. { grid = {...}, risk = {...} }) with `changes` applied per group:
-- with_changes(base, { grid = { levels = 2 } }) keeps every other grid field of base.
function M.with_changes(groups, changes)
  local out = {}
  for group, fields in pairs(groups) do
    out[group] = {}
    for key, value in pairs(fields) do out[group][key] = value end
  end
  for group, fields in pairs(changes) do
    out[group] = out[group] or {}
    for key, value in pairs(fields) do out[group][key] = value end
  end
  return out
end

-- The flagship's decision parameters (the bos_mm defaults, spelled out).
M.flagship = {
  capital = { quote_asset = "USDT", allocation = 10000, base = 0, target_base_share = 0.3 },
  structure = { atr_period = 14, left_bars = 5, right_bars = 5, min_swing_atr = 1.0 },
  bos = { confirm_atr = 0.5, confirm_closes = 1, fail_bars = 3 },
  pullback = {
    zone = "either",                          -- level | retracement | either | both
    level_above_atr = 0.5, level_below_atr = 1.0,
    retrace_min = 0.382, retrace_max = 0.786,
    confirm = "ltf_close_above_prev_high",    -- or ltf_bullish_close, htf_bullish_close
    max_bars = 36,
  },
  policy = {
    defensive_atr_pct = 0.6, disabled_atr_pct = 1.2,
    defensive_volatility_pct = 0.45, disabled_volatility_pct = 1.0,
    defensive_drawdown_pct = 3, disabled_drawdown_pct = 8,
    recovery_bars = 6,
  },
  grid = {
    levels = 4, step_atr = 0.35, step_min_bps = 25, level_pct = 2.0,
    soft_band = 0.10, hard_band = 0.20,   -- around capital.target_base_share
  },
  execution = { rebalance_timeout_bars = 24, mm_max_bars = 2016, exit_limit_bars = 3 },
  risk = { stop_drawdown_pct = 4 },
}

return M
