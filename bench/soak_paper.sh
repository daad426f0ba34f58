#!/usr/bin/env bash
# Soak of a paper run against the fake Bybit (issue 20): `mmhost run strategies/eth_bos_mm.lua
# --paper` for HOURS of wall time while build/release/bin/mmhost_fake_bybit replays the 90-day
# ETHUSDT 1m file as a live market at SPEED times real time (12: two hours carry a day) and
# injects a fault every FAULT_EVERY seconds (book gap, u = 1 restart, stream silence, dropped
# connections; a 502 and a 10006 at the start). Reports: RSS after warm-up and at the end
# (target: flat within 5 MB), journal bytes per market day, p99 ack and decision latency, faults
# injected vs recovered (target: all), 10006 answers beyond the injected one (target: 0).
#
# Usage: bench/soak_paper.sh HOURS [SPEED] [FAULT_EVERY]   e.g. bench/soak_paper.sh 2
#        (after a release build with tests: cmake --preset release -DMMHOST_BUILD_TESTS=ON)
# The run directory, the fake's report and the RSS samples stay in SOAK_DIR (default
# build/soak-<time>).
set -euo pipefail
cd "$(dirname "$0")/.."
hours="${1:?usage: bench/soak_paper.sh HOURS [SPEED] [FAULT_EVERY]}"
speed="${2:-12}"
fault_every="${3:-150}"
bin="${MMHOST_BIN:-build/release/bin/mmhost}"  # a copy elsewhere: rebuild while it soaks
fake_bin="${FAKE_BIN:-build/release/bin/mmhost_fake_bybit}"
data=../shared/data/candles/binance_spot_ETHUSDT_1m_2025-05-20_2025-08-18.csv
for f in "$bin" "$fake_bin"; do
  [ -x "$f" ] || { echo "build first: cmake --preset release -DMMHOST_BUILD_TESTS=ON && cmake --build --preset release" >&2; exit 2; }
done
[ -f "$data" ] || { echo "missing $data (../shared beside the repository)" >&2; exit 2; }
dir="${SOAK_DIR:-build/soak-$(date -u +%Y%m%dT%H%M%S)}"
mkdir -p "$dir"
seconds=$(awk -v h="$hours" 'BEGIN {printf "%d", h * 3600}')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
metrics="http://127.0.0.1:$port/metrics"

# No fault in the last 90 s: each one has time to be recovered from before the run ends.
"$fake_bin" --candles "$data" --venue-dir "$dir" --speed "$speed" --fault-every "$fault_every" \
  --faults-until "$(( seconds > 90 ? seconds - 90 : 0 ))" \
  --metrics-url "$metrics" --report "$dir/fake.json" > "$dir/fake.out" 2> "$dir/fake.log" &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true; [ -n "${run_pid:-}" ] && kill "$run_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^ready ' "$dir/fake.out" && break; sleep 0.1; done
venue=$(awk '/^ready / {print $2}' "$dir/fake.out")
[ -n "$venue" ] || { echo "the fake exchange did not start:" >&2; cat "$dir/fake.log" >&2; exit 1; }

echo "soak: ${hours} h wall at ${speed}x (about $(awk -v h="$hours" -v s="$speed" 'BEGIN {printf "%.1f", h * s / 24}') market days), a fault every ${fault_every} s; in $dir"
"$bin" run strategies/eth_bos_mm.lua --paper --venue "$venue" --duration "${seconds}s" \
  --metrics "127.0.0.1:$port" --status-every 10s --out "$dir/run" > "$dir/run.log" 2>&1 &
run_pid=$!

# RSS every 10 s (kB), with the seconds since the start.
echo "t_s,rss_kb" > "$dir/rss.csv"
start=$(date +%s)
while kill -0 "$run_pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$run_pid/status" 2>/dev/null || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - start )),$rss" >> "$dir/rss.csv"
  # The last page before the end: the latency histograms.
  curl -sf "$metrics" -o "$dir/metrics.tmp" 2>/dev/null && mv "$dir/metrics.tmp" "$dir/metrics.txt"
  sleep 10
done
run_rc=0
wait "$run_pid" || run_rc=$?
run_pid=
kill "$fake_pid" 2>/dev/null || true
wait "$fake_pid" 2>/dev/null || true
trap - EXIT

python3 - "$dir" "$speed" "$run_rc" <<'EOF'
import json, os, sys
d, speed, rc = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rss = [tuple(map(int, l.split(","))) for l in open(f"{d}/rss.csv").read().split()[1:]]
fake = json.load(open(f"{d}/fake.json"))
def quantile(name, q):
    buckets = []
    for line in open(f"{d}/metrics.txt"):
        if line.startswith(name + "_bucket{le=\""):
            le = line.split('"')[1]
            buckets.append((float("inf") if le == "+Inf" else float(le), float(line.split()[-1])))
    if not buckets or buckets[-1][1] == 0: return None
    total = buckets[-1][1]
    for le, n in buckets:
        if n >= q * total: return le
journal = os.path.join(d, "run", "journal")
journal_bytes = sum(os.path.getsize(os.path.join(journal, f)) for f in os.listdir(journal)) if os.path.isdir(journal) else 0
market_days = fake["market_minutes_played"] / 1440
t_end = rss[-1][0] if rss else 0
warm = [kb for t, kb in rss if t >= max(300, t_end * 0.1)]
after_warmup, at_end = (warm[0], warm[-1]) if warm else (None, None)
injected = sum(fake["faults_injected"].values())
recovered = sum(fake["faults_recovered"].values())
run_log = open(f"{d}/run.log").read()
print(f"run exit code      {rc}")
print(f"market played      {fake['market_minutes_played']} minutes ({market_days:.2f} days) in {fake['wall_s']:.0f} s at {speed:g}x")
if after_warmup:
    print(f"RSS                {after_warmup/1024:.1f} MB after warm-up, {at_end/1024:.1f} MB at the end, max {max(kb for _, kb in rss)/1024:.1f} MB (change {(at_end-after_warmup)/1024:+.1f} MB; target within 5 MB)")
print(f"journal            {journal_bytes/1e6:.1f} MB = {journal_bytes/1e6/max(market_days,1e-9):.1f} MB per market day")
for name, label in [("mmhost_ack_latency_seconds", "ack"), ("mmhost_decision_latency_seconds", "decision")]:
    print(f"{label:<18} p50 <= {quantile(name, 0.5)} s, p99 <= {quantile(name, 0.99)} s (histogram bounds)")
print(f"faults             {injected} injected, {recovered} recovered: " + ", ".join(f"{k} {fake['faults_recovered'].get(k, 0)}/{v}" for k, v in fake["faults_injected"].items()))
for f in fake["faults"]:
    if f["recovered_after_s"] is None: print(f"  NOT recovered: {f['kind']} at {f['at_s']} s")
print(f"10006 answers      {run_log.count('Bybit error 10006')} in the run's log (1 injected at the start)")
EOF
