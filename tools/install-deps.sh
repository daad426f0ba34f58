#!/usr/bin/env bash
# Installs every Debian 12 package mmhost needs to build, test and run.
# Idempotent: skips apt entirely when everything is already present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libssl-dev zlib1g-dev
  libluajit-5.1-dev luajit liblua5.4-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev
  libcli11-dev libsimdjson-dev libsqlite3-dev nlohmann-json3-dev libxxhash-dev
  libpq-dev libhiredis-dev  # mmhost serve/worker's scale-out store (PostgreSQL + Redis)
  postgresql redis-server   # started by the serve tests in temporary directories
  sqlite3  # the batch tests read results.sqlite while a sweep runs
  doctest-dev libbenchmark-dev
  clang-format
  clang libclang-rt-dev  # libFuzzer for tools/fuzz.sh
  chromium  # renders report.html in its test, and the web UI in its browser test
  nodejs  # runs playwright-core, which drives that browser test
  prometheus  # promtool checks the /metrics exposition in its test
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
