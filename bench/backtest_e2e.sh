#!/usr/bin/env bash
# End-to-end `mmhost backtest` benchmark (issue 5): the flagship, HTF 5m / LTF 1m, on the 90-day
# Binance ETHUSDT 1m file (130,708 candles), all five run files written. Prints the run's own
# in-process figure (candles/s over the replay), whole-process wall time and peak RSS, best of
# N runs (default 5). Usage: bench/backtest_e2e.sh [runs]   (after a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
. bench/bench_env.sh
best_ms="" best_wall="" best_rss=""
for i in $(seq "$runs"); do
  /usr/bin/time -f '%e %M' -o "$out/time" "$bin" backtest strategies/eth_bos_mm.lua \
    --htf-interval 5 --ltf-interval 1 --cache "$data" --out "$out/run$i" --no-progress > "$out/log"
  ms=$(awk '/^elapsed/ {print $2}' "$out/log")
  read -r wall rss < "$out/time"
  hash=$(awk '/^event hash/ {print $3}' "$out/log")
  printf 'run %d: in-process %s ms, wall %s s, peak RSS %.1f MB, event hash %s\n' \
    "$i" "$ms" "$wall" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "$hash"
  less() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(b == "" || a < b)}'; }
  if less "$ms" "$best_ms"; then best_ms=$ms; fi
  if less "$wall" "$best_wall"; then best_wall=$wall; fi
  if less "$rss" "$best_rss"; then best_rss=$rss; fi
done
candles=130708
printf 'best: %s ms in-process = %.0f candles/s (target 20M/s); wall %s s; peak RSS %.1f MB (target <= 64 MB)\n' \
  "$best_ms" "$(awk -v n="$candles" -v ms="$best_ms" 'BEGIN {print n / (ms / 1000)}')" \
  "$best_wall" "$(awk -v k="$best_rss" 'BEGIN {print k / 1024}')"
