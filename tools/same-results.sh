#!/usr/bin/env bash
# Whether two builds give the same results: eight reference backtests (the flagship 90-day and
# 2021 files, the defensive variant, fees 0 with a seeded latency, the 5m strategy repricing by
# amend, the tick strategy with book, candle and trade fills) run with each binary, and every run
# file (events.jsonl, fills.csv, equity.csv, summary.json, report.html) compared byte for byte.
# Prints each run's event hash; exits 1 on any difference. What a speed change must leave alone.
#
#   cp -a build/release /tmp/before          # before the change
#   ...change, build...
#   tools/same-results.sh /tmp/before/bin/mmhost build/release/bin/mmhost
#
# A binary finds its plugins beside itself (../lib/mmhost/plugins), so copy the whole build tree.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: tools/same-results.sh BIN_A BIN_B" >&2; exit 2; }
shared=../shared/data
for bin in "$@"; do [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }; done
[ -d "$shared" ] || { echo "missing $shared (../shared beside the repository)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

c=$shared/candles
flagship="strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1"
ticks=$shared/trades/binance_spot_ETHUSDT_trades_2024-08-08T235415_2024-08-09T000505.csv
book=$shared/book/binance_spot_ETHUSDT_depth_2024-08-08T235414_2024-08-09T000504.csv.gz
runs=(
  "flagship|$flagship --cache $c/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv"
  "y2021|$flagship --cache $c/binance_spot_ETHUSDT_1m_2021-04-02_2021-06-29.csv"
  "defensive|strategies/eth_bos_mm_defensive.lua --htf-interval 5 --ltf-interval 1 --cache $c/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv"
  "latency|$flagship --cache $c/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv --fees 0 --latency-ms uniform:10:40 --seed 7"
  "amend5m|strategies/eth_bos_mm_5m.lua --cache $c/bybit_spot_ETHUSDT_5m_2025-01-01_2025-08-09.csv --interval 5 --set execution.reprice=amend"
  "ticks_book|strategies/eth_bos_mm_ticks.lua --cache $ticks --fill-model book --book $book"
  "ticks_candle|strategies/eth_bos_mm_ticks.lua --cache $ticks"
  "ticks_trades|strategies/eth_bos_mm_ticks.lua --cache $ticks --fill-model trades"
)

differ=0
for run in "${runs[@]}"; do
  name=${run%%|*}
  args=${run#*|}
  hashes=()
  for side in a b; do
    bin=$1
    [ "$side" = b ] && bin=$2
    # shellcheck disable=SC2086 # the arguments are words
    if ! "$bin" backtest $args --no-progress --out "$out/$side/$name" > "$out/$side.$name.log" 2>&1; then
      echo "$name: $bin failed:" >&2
      tail -5 "$out/$side.$name.log" >&2
      exit 1
    fi
    hashes+=("$(awk '/^event hash/ {print $3}' "$out/$side.$name.log")")
  done
  if diff -r -q "$out/a/$name" "$out/b/$name" > "$out/diff.$name"; then
    printf '%-13s same   event hash %s\n' "$name" "${hashes[0]}"
  else
    printf '%-13s DIFFER event hash %s vs %s\n' "$name" "${hashes[0]}" "${hashes[1]}"
    sed -e "s#$out/##g" -e 's/^/  /' "$out/diff.$name"
    differ=1
  fi
done
[ "$differ" -eq 0 ] && echo "every run file of the $(( ${#runs[@]} )) runs byte for byte the same"
exit "$differ"
