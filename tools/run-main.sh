#!/usr/bin/env bash
# The main job, offline: installs the Debian packages, builds mmhost and every plugin it ships
# (target mmhost_runtime, release preset), generates the seeded SYNTHETIC sample data if it is
# missing, and runs the flagship strategy on it. Extra arguments go to `mmhost run` (e.g.
# --replay FILE).
#
# It configures the same release preset as tools/test.sh and `make bench` and sets none of their
# options (tests and benchmarks stay as configured), so running one never breaks the other; it
# only builds less. The test data in ../shared is not needed here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Objects do not depend on the build directory's path: the lua54 build reuses the release one's.
export CCACHE_NOHASHDIR=true
cmake --preset release -DMMHOST_REQUIRE_SHARED_DATA=OFF >/dev/null
cmake --build --preset release --target mmhost_runtime

mmhost=build/release/bin/mmhost
if [ ! -f data/sample/ETHUSDT_1m_synthetic.csv ]; then
  "$mmhost" sample-data
fi
"$mmhost" run strategies/eth_bos_mm.lua "$@"
