#!/usr/bin/env bash
# A profile-guided build of mmhost and its plugins for sweeps and long backtests (ADR 0038):
#   1. builds the `pgo-train` preset (instrumented; build/pgo-train),
#   2. runs it on representative backtests, which write profiles to build/pgo-profile,
#   3. builds the `pgo` preset with them and link-time optimisation (build/pgo/bin/mmhost,
#      ADR 0039).
# Results are the same as the release build's, byte for byte; only speed differs. Training runs
# on ../shared/data when it is there, else on the seeded synthetic sample (mmhost sample-data).
# Run it again after changing the code: stale profiles only cost speed, never correctness.
# Usage: tools/pgo.sh      then e.g.  MMHOST_BIN=build/pgo/bin/mmhost bench/batch_sweep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_NOHASHDIR=true
profiles="$PWD/build/pgo-profile"

echo "==> pgo-train: instrumented build"
cmake --preset pgo-train -DMMHOST_REQUIRE_SHARED_DATA=OFF "-DMMHOST_PGO_DIR=$profiles" >/dev/null
cmake --build --preset pgo-train --target mmhost_runtime

echo "==> training runs (profiles in $profiles)"
rm -rf "$profiles"
train=build/pgo-train/bin/mmhost
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
backtest() {
  echo "    mmhost backtest $*"
  "$train" backtest "$@" --no-progress --out "$scratch/run" >/dev/null
}
shared=../shared/data
if [ -d "$shared/candles" ]; then
  eth90="$shared/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv"
  backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --cache "$eth90" --summary-only
  backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --cache "$eth90"
  backtest strategies/eth_bos_mm_defensive.lua --htf-interval 5 --ltf-interval 1 --cache "$eth90" \
    --summary-only
  backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --summary-only \
    --cache "$shared/candles/binance_spot_ETHUSDT_1m_2021-04-02_2021-06-29.csv"
  backtest strategies/eth_bos_mm_ticks.lua --summary-only --fill-model book \
    --cache "$shared/trades/binance_spot_ETHUSDT_trades_2024-08-08T235415_2024-08-09T000505.csv" \
    --book "$shared/book/binance_spot_ETHUSDT_depth_2024-08-08T235414_2024-08-09T000504.csv.gz"
else
  sample=data/sample/ETHUSDT_1m_synthetic.csv
  [ -f "$sample" ] || "$train" sample-data
  backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --cache "$sample" --summary-only
  backtest strategies/eth_bos_mm.lua --htf-interval 5 --ltf-interval 1 --cache "$sample"
fi

echo "==> pgo: optimised build"
cmake --preset pgo -DMMHOST_REQUIRE_SHARED_DATA=OFF "-DMMHOST_PGO_DIR=$profiles" >/dev/null
# From clean: the profiles are not inputs ninja knows, and fresh ones must reach every object.
cmake --build --preset pgo --target mmhost_runtime --clean-first
echo "built build/pgo/bin/mmhost (profile-guided); bench scripts take it as MMHOST_BIN=build/pgo/bin/mmhost"
