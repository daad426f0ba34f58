-- eth_bos_mm_5m.lua — the flagship setup on 5-minute bars only: structure and execution share
-- one timeframe, for 5m histories such as Bybit's kline export.
--
--   mmhost run strategies/eth_bos_mm_5m.lua \
--     --replay ../shared/data/candles/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv

return mmhost.strategy{
  name = "eth_bos_mm_5m",
  core = "bos_mm",
  market = {
    data = "replay", symbol = "ETHUSDT", ltf = "5m", htf = "5m",
    -- Bybit spot ETHUSDT's trading rules (/v5/market/instruments-info), as decimal strings.
    instrument = { tick_size = "0.01", lot_size = "0.00001", min_order_qty = "0.00062",
                   min_order_value = "1" },
  },
  capital = { allocation = 10000 },
}
