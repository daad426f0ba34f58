-- eth_bos_mm.lua — the flagship strategy: structure-driven market making on ETHUSDT spot.
--
-- The bos_mm core enters only after a confirmed bullish break of structure (BOS) and a confirmed
-- pullback, buys its target share of base, market-makes with an adaptive grid, and exits to USDT
-- on a bearish BOS, an invalidated structure, a Disabled policy, the risk stop or a time limit.
-- docs/strategy-model.md defines every parameter below; values shown are the defaults.
--
-- Run it:   mmhost sample-data && mmhost run strategies/eth_bos_mm.lua
-- Or on real data:   mmhost run strategies/eth_bos_mm.lua --replay FILE_1m.csv
-- Every decision as it is made:   mmhost run strategies/eth_bos_mm.lua --events

return mmhost.strategy{
  name = "eth_bos_mm",
  core = "bos_mm",

  market = {
    data = "replay",       -- connector plugin: "replay" offline (bybit_spot for live/paper later)
    symbol = "ETHUSDT",
    ltf = "1m",            -- execution timeframe: the bars the connector delivers
    htf = "5m",            -- structure timeframe: built from ltf bars by the host's resampler
    -- Relative to the host's data_dir (configs/mmhost.yaml). `mmhost sample-data` writes this
    -- seeded SYNTHETIC series; --replay FILE overrides it with real data.
    file = "sample/ETHUSDT_1m_synthetic.csv",
  },

  capital = { quote = 10000, base = 0 },      -- USDT and ETH the run starts with

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
    target_base_share = 0.3, soft_band = 0.10, hard_band = 0.20,
  },
  execution = { rebalance_timeout_bars = 24, mm_max_bars = 2016, exit_limit_bars = 3 },
  risk = { stop_drawdown_pct = 4 },
}
