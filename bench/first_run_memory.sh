#!/usr/bin/env bash
# Peak RSS of backtests on long inputs that must never be held whole (issue 23: <= 64 MB for any
# run length): a synthetic year of 1m candles (ten with LONG=1) on its first run, plain and
# gzip, and with a cache directory that cannot be written; a synthetic day of L2 book deltas
# every 100 ms with its trade tape, through the tick strategy's book fills, plain and gzip.
# Usage: bench/first_run_memory.sh   (after a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/bench_env.sh

# One backtest under /usr/bin/time: prints its label, wall time and peak RSS.
measure() {
  local label=$1
  shift
  /usr/bin/time -f '%e %M' -o "$out/time" "$bin" "$@" --summary-only --no-progress \
    --out "$out/run" > "$out/log" 2>&1 || { cat "$out/log" >&2; exit 1; }
  local wall rss
  read -r wall rss < "$out/time"
  printf '%-62s wall %6s s, peak RSS %6.1f MB (target <= 64 MB)\n' "$label" "$wall" \
    "$(awk -v k="$rss" 'BEGIN {print k / 1024}')"
  rm -rf "$out/run"
}

days=365
if [ "${LONG:-0}" = 1 ]; then days=3650; fi
candles="$out/synthetic_${days}d.csv"
"$bin" sample-data --days "$days" --out "$candles" > /dev/null
gzip -c -6 "$candles" > "$candles.gz"
printf 'synthetic %d days of 1m candles: %s CSV, %s gzipped\n' "$days" \
  "$(du -h "$candles" | cut -f1)" "$(du -h "$candles.gz" | cut -f1)"
measure "candles, first run (the cache entry built as read)" \
  --cache-dir "$out/cache1" backtest strategies/eth_bos_mm.lua --cache "$candles"
measure "candles, second run (the entry mapped)" \
  --cache-dir "$out/cache1" backtest strategies/eth_bos_mm.lua --cache "$candles"
measure "candles gzipped, first run (decoded as read)" \
  --cache-dir "$out/cache2" backtest strategies/eth_bos_mm.lua --cache "$candles.gz"
echo x > "$out/not_a_dir"
measure "candles, cache dir not writable (a temporary entry)" \
  --cache-dir "$out/not_a_dir" backtest strategies/eth_bos_mm.lua --cache "$candles"
rm -f "$candles" "$candles.gz"

# A day of book deltas every 100 ms around a random walk (a snapshot of 10 levels a side first;
# each delta moves the touch, removing the old one), a trade every 200 ms at the touch.
awk -v n=864000 -v depth="$out/depth.csv" -v trades="$out/trades.csv" 'BEGIN {
  srand(7); t0 = 1700000000000; mid = 250000; uid = 1000
  print "local_ts_ns,exch_ts_ms,kind,side,price,qty,first_update_id,last_update_id" > depth
  print "ts_ms,price,qty,side" > trades
  loc = sprintf("%d000000", t0 - 50)
  for (k = 1; k <= 10; ++k) printf "%s,0,S,b,%.2f,%d.5,%d,%d\n", loc, (mid - k) / 100, k, uid, uid > depth
  for (k = 1; k <= 10; ++k) printf "%s,0,S,a,%.2f,%d.5,%d,%d\n", loc, (mid + k) / 100, k, uid, uid > depth
  bid = mid - 1; ask = mid + 1
  for (i = 1; i <= n; ++i) {
    ms = t0 + i * 100; r = rand()
    mid += r < 0.25 ? -1 : (r < 0.75 ? 0 : 1)
    f = uid + 1; l = uid + 2; uid = l
    pre = sprintf("%d960000,%d,D,", ms - 1, ms)
    if (mid - 1 != bid) printf "%sb,%.2f,0,%d,%d\n", pre, bid / 100, f, l > depth
    if (mid + 1 != ask) printf "%sa,%.2f,0,%d,%d\n", pre, ask / 100, f, l > depth
    bid = mid - 1; ask = mid + 1
    printf "%sb,%.2f,%d.%02d,%d,%d\n", pre, bid / 100, 1 + int(rand() * 9), int(rand() * 100), f, l > depth
    printf "%sa,%.2f,%d.%02d,%d,%d\n", pre, ask / 100, 1 + int(rand() * 9), int(rand() * 100), f, l > depth
    if (i % 2 == 0) {
      buy = rand() < 0.5
      printf "%d,%.2f,0.0%d,%s\n", ms + 1, (buy ? ask : bid) / 100, 1 + int(rand() * 9), buy ? "buy" : "sell" > trades
    }
  }
}'
gzip -c -1 "$out/depth.csv" > "$out/depth.csv.gz"
printf 'synthetic day of book deltas: %s CSV, %s gzipped; trades %s\n' \
  "$(du -h "$out/depth.csv" | cut -f1)" "$(du -h "$out/depth.csv.gz" | cut -f1)" \
  "$(du -h "$out/trades.csv" | cut -f1)"
for book in depth.csv depth.csv.gz; do
  measure "book stream $book (checked, then read as the run goes)" \
    --cache-dir "$out/cache3" backtest strategies/eth_bos_mm_ticks.lua --cache "$out/trades.csv" \
    --fill-model book --book "$out/$book"
done
