#!/usr/bin/env bash
# Instruction counts of the flagship (90-day file, HTF 5m / LTF 1m) under valgrind's callgrind:
# what a speed change is judged by on a machine whose speed moves from one minute to the next
# (docs/benchmarks.md). For each binary given (default: the release build) it prints
#   summary   the whole process, --summary-only
#   files     all five run files: the run thread and the file-writing thread
#   idle      the session of a run held in Idle (--set bos.confirm_atr=10): the per-bar floor
#   batch     with BATCH=1: a batch worker's run, the mean over 10 seeded parameter sets
# and, for two binaries, B's count over A's. Needs valgrind (apt-get install valgrind); two
# binaries with the batch take ~2.5 minutes.
#   bench/instructions.sh
#   cp -a build/release /tmp/before; ...change, build...
#   bench/instructions.sh /tmp/before/bin/mmhost build/release/bin/mmhost
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind > /dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 2; }
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(build/release/bin/mmhost)
[ ${#bins[@]} -le 2 ] || { echo "usage: bench/instructions.sh [BIN_A [BIN_B]]" >&2; exit 2; }
MMHOST_BIN=${bins[0]} . bench/bench_env.sh
for b in "${bins[@]}"; do [ -x "$b" ] || { echo "not an executable: $b" >&2; exit 2; }; done

# The total of a callgrind output file (its "summary:" line).
total() { awk '/^summary:/ {print $2}' "$1"; }
# The inclusive count of the first function whose name contains $2 (callgrind_annotate).
inclusive() {
  callgrind_annotate --inclusive=yes "$1" 2> /dev/null |
    awk -v f="$2" '!found && index($0, f) {gsub(",", "", $1); print $1; found = 1}'
}
vg() {  # output name, valgrind options..., --, command...
  local name=$1
  shift
  local opts=()
  while [ "$1" != -- ]; do
    opts+=("$1")
    shift
  done
  shift
  valgrind --tool=callgrind "${opts[@]}" --callgrind-out-file="$out/$name.%p" "$@" \
    > "$out/$name.log" 2>&1 || { echo "failed under valgrind: $* (see below)" >&2; tail "$out/$name.log" >&2; exit 1; }
}
cat > "$out/batch.lua" <<LUA
local data = mmhost.data.load{ file = "$data" }
local sets = mmhost.batch.random{ n = 10, seed = 1, space = {
  ["grid.step_atr"] = mmhost.batch.uniform(0.1, 1.5),
  ["grid.step_min_bps"] = mmhost.batch.integer(5, 40),
  ["grid.levels"] = mmhost.batch.integer(1, 8),
  ["grid.level_pct"] = mmhost.batch.uniform(0.5, 4),
} }
mmhost.batch.run{ strategy = "strategies/eth_bos_mm.lua", data = data, htf = "5m", sets = sets }
LUA

declare -A figure
for i in "${!bins[@]}"; do
  b=${bins[$i]}
  rm -rf "$out"/summary.* "$out"/files.* "$out"/idle.* "$out"/batch.[0-9]* "$out"/r-*
  flagship=(backtest strategies/eth_bos_mm.lua --cache "$data" --htf-interval 5 --ltf-interval 1
    --no-progress)
  vg summary -- "$b" "${flagship[@]}" --out "$out/r-summary" --summary-only
  figure[$i,summary]=$(total "$(ls "$out"/summary.[0-9]*)")
  vg files --separate-threads=yes -- "$b" "${flagship[@]}" --out "$out/r-files"
  threads=("$out"/files.*-[0-9]*)  # -01 the run thread, -02 the writer
  figure[$i,run]=$(total "${threads[0]}")
  figure[$i,writer]=$(total "${threads[1]}")
  vg idle -- "$b" "${flagship[@]}" --out "$out/r-idle" --summary-only --set bos.confirm_atr=10
  figure[$i,idle]=$(inclusive "$(ls "$out"/idle.[0-9]*)" "Session::run()")
  if [ "${BATCH:-0}" = 1 ]; then
    vg batch --trace-children=yes -- "$b" batch "$out/batch.lua" --jobs 1 --out "$out/r-batch" \
      --no-progress
    # The worker is the process that ran the backtests: run_strategy over its ten runs.
    most=0
    for f in "$out"/batch.[0-9]*; do
      n=$(inclusive "$f" "mmh::run_strategy(")
      if [ -n "$n" ] && [ "$n" -gt "$most" ]; then most=$n; fi
    done
    figure[$i,batch]=$((most / 10))
  fi
done

rows=(summary run writer idle)
[ "${BATCH:-0}" = 1 ] && rows+=(batch)
declare -A label=([summary]="flagship, summary only" [run]="with files: run thread"
  [writer]="with files: writer thread" [idle]="Idle run's session"
  [batch]="batch worker, per run")
printf '%-28s' "instructions (M)"
for b in "${bins[@]}"; do printf '  %14s' "$(basename "$(dirname "$(dirname "$b")")")"; done
[ ${#bins[@]} = 2 ] && printf '  %7s' "B/A"
printf '\n'
for r in "${rows[@]}"; do
  printf '%-28s' "${label[$r]}"
  for i in "${!bins[@]}"; do printf '  %14.1f' "$(awk -v n="${figure[$i,$r]}" 'BEGIN {print n / 1e6}')"; done
  [ ${#bins[@]} = 2 ] && printf '  %7.4f' "$(awk -v a="${figure[0,$r]}" -v b="${figure[1,$r]}" 'BEGIN {print b / a}')"
  printf '\n'
done
