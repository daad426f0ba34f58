#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang) and runs each for FUZZ_SECONDS (default 10),
# seeded with the Bybit fixtures in ../shared/bybit/fixtures and slices of ../shared/data. A crash fails the script and leaves
# the crashing input in build/fuzz/artifacts/.
#   bash tools/fuzz.sh            # 10 s per target
#   FUZZ_SECONDS=600 bash tools/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-10}"
fixtures="${MMHOST_SHARED_DIR:-../shared}/bybit/fixtures"
data="${MMHOST_SHARED_DIR:-../shared}/data"
build=build/fuzz
CXX=clang++ cmake -S tests/fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$build" -j2
mkdir -p "$build/artifacts"
for target in fuzz_public_message fuzz_rest_response fuzz_private_message fuzz_data_file; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  case "$target" in
    fuzz_public_message)
      cp "$fixtures"/ws_*.json "$corpus"/
      # The wire form too (no whitespace), so the compact orderbook fast path is reached.
      for f in "$fixtures"/ws_orderbook_*.json; do
        tr -d ' \n\t' <"$f" >"$corpus/compact_$(basename "$f")"
      done ;;
    fuzz_rest_response) cp "$fixtures"/rest_*.json "$corpus"/ ;;
    fuzz_data_file)
      # A few dozen rows of each format, plain and gzip.
      head -n 40 "$data"/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv >"$corpus/candles.csv"
      head -n 40 "$data"/trades/binance_spot_ETHUSDT_trades_2024-08-08T235415_2024-08-09T000505.csv \
        >"$corpus/trades.csv"
      zcat "$data"/book/binance_spot_ETHUSDT_depth_2024-08-08T235414_2024-08-09T000504.csv.gz |
        head -n 60 >"$corpus/depth.csv" || true
      for f in candles trades depth; do gzip -c "$corpus/$f.csv" >"$corpus/$f.csv.gz"; done ;;
    fuzz_private_message)
      cp "$fixtures"/ws_private_*.json "$fixtures"/ws_auth_*.json "$fixtures"/ws_pong_private*.json \
        "$fixtures"/rest_order_*.json "$fixtures"/rest_execution_*.json \
        "$fixtures"/rest_wallet_*.json "$corpus"/ ;;
  esac
  echo "==> $target: ${seconds}s"
  status=0
  "$build/$target" -max_total_time="$seconds" -max_len=65536 -timeout=5 \
    -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$corpus" \
    >"$build/$target.log" 2>&1 || status=$?
  grep -E "stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|runtime error" "$build/$target.log" || true
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $target failed (exit $status); log $build/$target.log, input in $build/artifacts/" >&2
    exit 1
  fi
done
