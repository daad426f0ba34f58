#!/usr/bin/env bash
# The main job, offline: installs the Debian packages, builds mmhost (release), generates the
# seeded SYNTHETIC sample data if it is missing, and runs the flagship strategy on it.
# Extra arguments go to `mmhost run` (e.g. --replay FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake --preset release -DMMHOST_BUILD_TESTS=OFF -DMMHOST_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target mmhost replay bos_mm

mmhost=build/release/bin/mmhost
if [ ! -f data/sample/ETHUSDT_1m_synthetic.csv ]; then
  "$mmhost" sample-data
fi
"$mmhost" run strategies/eth_bos_mm.lua "$@"
