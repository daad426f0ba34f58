# Sourced by the bench scripts: the release binary (or MMHOST_BIN, e.g. the profile-guided
# build/pgo/bin/mmhost of tools/pgo.sh), the 90-day flagship candle file, both checked, and a
# scratch directory `out` removed on exit.
bin=${MMHOST_BIN:-build/release/bin/mmhost}
data=../shared/data/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv
[ -x "$bin" ] || { echo "build first: cmake --build --preset release" >&2; exit 2; }
[ -f "$data" ] || { echo "missing $data (../shared beside the repository)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
