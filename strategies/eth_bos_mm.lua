-- eth_bos_mm.lua — the flagship strategy: structure-driven market making on ETHUSDT spot.
--
-- Today this file selects the market: which data connector feeds the engine, which symbol, and
-- the two timeframes the core works on. The decision parameters (structure, BOS, pullback, policy,
-- grid, risk) join this table as the bos_mm core and the Lua layer land; see docs/strategy-api.md.
--
-- Run it:   mmhost sample-data && mmhost run strategies/eth_bos_mm.lua
-- Or on real data:   mmhost run strategies/eth_bos_mm.lua --replay FILE.csv

return mmhost.strategy{
  name = "eth_bos_mm",

  market = {
    data = "replay",       -- connector plugin: "replay" offline (bybit_spot for live/paper later)
    symbol = "ETHUSDT",
    ltf = "1m",            -- execution timeframe: the bars the connector delivers
    htf = "5m",            -- structure timeframe: built from ltf bars by the host's resampler
    -- Relative to the host's data_dir (configs/mmhost.yaml). `mmhost sample-data` writes this
    -- seeded SYNTHETIC series; --replay FILE overrides it with real data.
    file = "sample/ETHUSDT_1m_synthetic.csv",
  },
}
