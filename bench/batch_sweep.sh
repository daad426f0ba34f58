#!/usr/bin/env bash
# `mmhost batch` benchmark (issue 7): N parameter sets (default 1000) of the flagship on the
# 90-day Binance ETHUSDT 1m file (HTF 5m / LTF 1m), run with --jobs 1 and --jobs 2 into fresh
# output directories. Prints each wall time, runs/s and the 1 -> 2 job scaling; the two result
# files must be identical (else it fails). Usage: bench/batch_sweep.sh [sets]  (after a build)
set -euo pipefail
cd "$(dirname "$0")/.."
sets="${1:-1000}"
. bench/bench_env.sh
# A seeded random search: `sets` distinct draws over four grid parameters.
cat > "$out/bench.lua" <<LUA
local data = mmhost.data.load{ file = "$data" }
local sets = mmhost.batch.random{ n = $sets, seed = 1, space = {
  ["grid.step_atr"] = mmhost.batch.uniform(0.1, 1.5),
  ["grid.step_min_bps"] = mmhost.batch.integer(5, 40),
  ["grid.levels"] = mmhost.batch.integer(1, 8),
  ["grid.level_pct"] = mmhost.batch.uniform(0.5, 4),
} }
local r = mmhost.batch.run{ strategy = "strategies/eth_bos_mm.lua", data = data, htf = "5m", sets = sets }
print(#r .. " runs")
LUA
declare -A wall
for jobs in 1 2; do
  start=$(date +%s.%N)
  "$bin" batch "$out/bench.lua" --jobs "$jobs" --out "$out/j$jobs" --no-progress > "$out/log$jobs"
  end=$(date +%s.%N)
  wall[$jobs]=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
  printf -- '--jobs %d: %s sets in %s s wall (%.1f runs/s); %s\n' "$jobs" "$sets" "${wall[$jobs]}" \
    "$(awk -v n="$sets" -v w="${wall[$jobs]}" 'BEGIN {print n / w}')" "$(grep '^batch' "$out/log$jobs")"
done
cmp -s "$out/j1/results.csv" "$out/j2/results.csv" || { echo "results differ between --jobs 1 and 2" >&2; exit 1; }
printf 'scaling 1 -> 2 jobs: %.2fx (target >= 1.8x); %s sets with 2 jobs: %s s (target <= 10 s for 1000)\n' \
  "$(awk -v a="${wall[1]}" -v b="${wall[2]}" 'BEGIN {print a / b}')" "$sets" "${wall[2]}"
