#!/usr/bin/env bash
# Builds mmhost and runs every test: the release build (warnings are errors) and the
# AddressSanitizer + UndefinedBehaviorSanitizer build; the release suite again without the Bybit
# plugin (all but the tests labelled bybit); then the Lua tests again against PUC
# Lua 5.4 (the `lua54` preset), and briefly fuzzes the Bybit and data file parsers (tools/fuzz.sh). Installs
# its own Debian packages first.
# Needs ../shared (real market data and Bybit fixtures) beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh

echo "==> clang-format check"
git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format --dry-run -Werror

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Objects do not depend on the build directory's path: the lua54 build reuses the release one's.
export CCACHE_NOHASHDIR=true
# Under the sanitizers the asan test preset leaves out six tests that repeat long computations
# (two serve tests with a 90-backtest batch each, an interrupted 90-day sweep, the shipped batch
# scripts, ten years of sample data, three 7-month 5m runs): minutes each there, and the code
# they drive runs under ASan in shorter tests too. They run in the release pass; all of them
# under ASan: `ctest --preset asan-full`.
for preset in release asan; do
  echo "==> ${preset}: configure, build, test"
  cmake --preset "$preset" -DMMHOST_BUILD_TESTS=ON -DMMHOST_REQUIRE_SHARED_DATA=ON
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done

# The host knows no plugin by name: without the Bybit connector every test passes but those that
# drive it (doctest suite "bybit": fetch, paper and live against the fake exchange) and the
# install test (it installs every plugin the build made); the serve tests, which only repeat the
# backtests' plugins through HTTP, are left out of this second pass to keep it short.
echo "==> release without bybit_spot.so"
plugin_dir=build/release/lib/mmhost/plugins
mv "$plugin_dir/bybit_spot.so" "$plugin_dir/bybit_spot.so.away"
trap 'mv "$plugin_dir/bybit_spot.so.away" "$plugin_dir/bybit_spot.so"' EXIT
ctest --preset release -E '^(mmhost fetch:|mmhost run --live|mmhost run --paper|mmhost halt/resume: a live|out_of_tree_plugin|mmhost serve|mmhost worker)'
mv "$plugin_dir/bybit_spot.so.away" "$plugin_dir/bybit_spot.so"
trap - EXIT

# The same scripts and Lua tests with PUC Lua 5.4: only what they need is built.
echo "==> lua54: build and run the Lua tests"
cmake --preset lua54 -DMMHOST_BUILD_TESTS=ON
cmake --build --preset lua54 --target mmhost_lua_tests
build/lua54/bin/mmhost_lua_tests

# The parsers of untrusted bytes under libFuzzer (clang), briefly: FUZZ_SECONDS per target
# (default 10; `FUZZ_SECONDS=600 bash tools/fuzz.sh` for a longer session).
echo "==> fuzz: Bybit WebSocket and REST parsers, market data files"
bash tools/fuzz.sh
