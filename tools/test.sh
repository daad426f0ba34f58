#!/usr/bin/env bash
# Builds mmhost and runs every test: the release build (warnings are errors) and the
# AddressSanitizer + UndefinedBehaviorSanitizer build. Installs its own Debian packages first.
# Needs ../shared (real market data and Bybit fixtures) beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh

echo "==> clang-format check"
git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format --dry-run -Werror

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
for preset in release asan; do
  echo "==> ${preset}: configure, build, test"
  cmake --preset "$preset" -DMMHOST_BUILD_TESTS=ON
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
