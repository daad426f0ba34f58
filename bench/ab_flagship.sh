#!/usr/bin/env bash
# Two builds of mmhost timed against each other on the flagship 90-day backtest, summary only:
# runs alternate A, B, A, B, ... so a machine that speeds up or slows down weighs on both alike.
# Prints each side's best and median in-process time (the `elapsed` line) and the median of the
# per-pair ratios A/B: below 1, A is faster. Extra arguments go to every run. FILES=1 writes all
# five run files (each run into the same directory) instead of the summary only.
#
#   cp -a build/release /tmp/before; ...change, build...
#   bench/ab_flagship.sh /tmp/before/bin/mmhost build/release/bin/mmhost 15
#   bench/ab_flagship.sh A B 9 --set execution.reprice=amend
#   FILES=1 bench/ab_flagship.sh A B 9
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bench/ab_flagship.sh BIN_A BIN_B [pairs (9)] [backtest args...]" >&2; exit 2; }
a=$1
b=$2
pairs=${3:-9}
shift $(( $# >= 3 ? 3 : 2 ))
MMHOST_BIN=$a . bench/bench_env.sh
[ -x "$b" ] || { echo "not an executable: $b" >&2; exit 2; }

files=()
[ "${FILES:-0}" = 1 ] || files=(--summary-only)
elapsed_ms() {
  "$1" backtest strategies/eth_bos_mm.lua --cache "$data" --htf-interval 5 --ltf-interval 1 \
    "${files[@]}" --no-progress --out "$out/run" "${@:2}" | awk '/^elapsed/ {print $2}'
}
for ((i = 0; i < pairs; ++i)); do
  printf '%s %s\n' "$(elapsed_ms "$a" "$@")" "$(elapsed_ms "$b" "$@")"
done > "$out/pairs"
awk -v a="$a" -v b="$b" '
  function median(v, n,   i, j, t) {
    for (i = 2; i <= n; ++i) for (j = i; j > 1 && v[j - 1] > v[j]; --j) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { x[NR] = $1; y[NR] = $2; r[NR] = $1 / $2 }
  END {
    mx = median(x, NR); my = median(y, NR)  # sorts each side: its best is then its first
    printf "A %s: best %.1f ms, median %.1f ms\n", a, x[1], mx
    printf "B %s: best %.1f ms, median %.1f ms\n", b, y[1], my
    printf "A/B: median of %d pair ratios %.3f, best against best %.3f\n", NR, median(r, NR), x[1] / y[1]
  }' "$out/pairs"
