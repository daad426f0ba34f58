#!/usr/bin/env bash
# Benchmarks of `mmhost serve` (issue 21), each printed with how it was measured:
#   1. submitting a 1,000-run sweep (one POST; no workers, so only the submission is timed);
#   2. GET /runs latency under 50 concurrent clients (p50/p99 over 5,000 requests, by
#      mmhost_http_load; a page is cached while the store is unchanged, at most 250 ms);
#   3. the 90-run grid of scripts/sweep_grid.lua as a serve sweep with 2 workers (the sweep's
#      created -> finished in the store) against `mmhost batch scripts/sweep_grid.lua --jobs 2`,
#      and whether their event hashes agree;
#   3b. cancel: a running batch and a running sweep, from POST /cancel until the run is
#      `cancelled` and nothing of it runs (polled every 20 ms);
#   4. queue overhead per job through PostgreSQL + Redis (200 one-day backtests, 1 worker slot)
#      against the same backtests fed straight to one `mmhost backtest-worker`, the process a
#      slot runs them in (skipped without postgres/redis).
# Usage: bench/serve_bench.sh   (after a release build: cmake --build --preset release)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/bench_env.sh
bin=$(realpath "$bin")
[ -x "${bin%/mmhost}/mmhost_http_load" ] ||
  { echo "build the benchmarks first: cmake --preset release -DMMHOST_BUILD_BENCH=ON" >&2; exit 2; }

start_serve() {  # store workers [env...]: sets url token pid
  local store=$1 workers=$2
  shift 2
  rm -f "$store.url"
  env "$@" "$bin" serve --listen 127.0.0.1:0 --workers "$workers" --store "$store" \
    --ready-file "$store.url" > "$store.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do [ -f "$store.url" ] && break; sleep 0.05; done
  url=$(cat "$store.url")
  token=$(cat "$store/api-token")
}
post() { curl -sf -X POST "$url$1" -H "Authorization: Bearer $token" -d "$2"; }
wait_done() {  # id: polls until the run is finished
  while :; do
    s=$(curl -sf "$url/runs/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    case "$s" in done|failed|cancelled) echo "$s"; return;; esac
    sleep 1  # a light poll: the figure is the store's own created -> finished
  done
}
# A run's created -> finished, in seconds, as the store recorded them.
run_seconds() {
  curl -sf "$url/runs/$1" | python3 -c '
import datetime, json, sys
r = json.load(sys.stdin)
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
print(round(t(r["finished"]) - t(r["created"]), 3))'
}
now() { date +%s.%N; }

echo "== 1. a 1,000-run sweep submitted (10 x 10 x 10 grid, one POST, no workers)"
pid=""
body='{"kind":"sweep","name":"big","data":"data/sample/ETHUSDT_1m_synthetic.csv","htf_interval":5,"ltf_interval":1,
"grid":{"grid.step_atr":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0],"grid.levels":[1,2,3,4,5,6,7,8,9,10],
"grid.level_pct":[1,2,3,4,5,6,7,8,9,10]}}'
for i in 1 2 3; do
  [ -n "$pid" ] && { kill "$pid"; wait "$pid" 2>/dev/null || true; }
  start_serve "$out/s1x$i" 0
  t=$(curl -s -o /dev/null -w '%{time_total}' -X POST "$url/runs" -H "Authorization: Bearer $token" -d "$body")
  echo "  try $i: answered in $t s (target <= 1 s); $(curl -sf "$url/runs?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])') runs stored"
done

echo "== 2. GET /runs?limit=50 under 50 concurrent clients (5,000 requests)"
"${bin%/mmhost}/mmhost_http_load" "$url/runs?limit=50" 50 100 | sed 's/^/  /; s/$/ (target p99 <= 10 ms)/'
kill "$pid"; wait "$pid" 2>/dev/null || true

echo "== 3. the 90-run grid of scripts/sweep_grid.lua: serve sweep (2 workers) vs mmhost batch --jobs 2"
t0=$(now)
"$bin" batch scripts/sweep_grid.lua --jobs 2 --out "$out/batch" --no-progress > "$out/batch.log"
t_batch=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {print b - a}')
start_serve "$out/s3" 2
t0=$(now)
id=$(post /runs '{"kind":"sweep","name":"grid","data":"'"$(realpath "$data")"'","htf_interval":5,"ltf_interval":1,
"grid":{"grid.step_atr":[0.2,0.4,0.6,0.8,1.0],"grid.step_min_bps":[10,25],"grid.levels":[2,4,6],"grid.level_pct":[1,2,3]}}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
status=$(wait_done "$id")
t_serve=$(run_seconds "$id")
same=$(python3 - "$url" "$id" "$out/batch/results.sqlite" <<'EOF'
import json, sqlite3, sys, urllib.request
url, sweep, db = sys.argv[1:]
runs = json.load(urllib.request.urlopen(f"{url}/runs?parent={sweep}&limit=1000"))["runs"]
serve = sorted(r["figures"]["event_hash"] for r in runs)
batch = sorted(h for (h,) in sqlite3.connect(db).execute("SELECT event_hash FROM runs"))
print("identical" if serve == batch else f"DIFFERENT ({len(serve)} vs {len(batch)} runs)")
EOF
)
printf '  batch --jobs 2: %.2f s; serve sweep, 2 workers: %.2f s (%s); ratio %.3f (target <= 1.10); event hashes %s\n' \
  "$t_batch" "$t_serve" "$status" "$(awk -v a="$t_serve" -v b="$t_batch" 'BEGIN {print a / b}')" "$same"
kill "$pid"; wait "$pid" 2>/dev/null || true

echo "== 3b. cancel of a running batch and of a running sweep (target <= 2 s)"
start_serve "$out/s3b" 2
cancel_time() {  # body: submits it, waits until it runs a second, cancels, times the end
  local id s t0
  id=$(post /runs "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  until curl -sf "$url/runs/$id" | grep -q '"status":"running"'; do sleep 0.05; done
  sleep 1
  t0=$(now)
  post "/runs/$id/cancel" '' > /dev/null
  while :; do
    s=$(curl -sf "$url/runs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [ "$s" = cancelled ] && ! pgrep -f -- "--out $out/s3b/runs/$id" > /dev/null &&
      curl -sf "$url/runs?parent=$id&status=running" | grep -q '"total":0' && break
    sleep 0.02
  done
  awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}'
}
printf '  batch (scripts/sweep_grid.lua, 2 jobs): cancelled in %s s\n' \
  "$(cancel_time '{"kind":"batch","script":"scripts/sweep_grid.lua","jobs":2}')"
printf '  sweep (90 runs over 2 workers): cancelled in %s s\n' \
  "$(cancel_time '{"kind":"sweep","name":"c","data":"'"$(realpath "$data")"'","htf_interval":5,"ltf_interval":1,
"grid":{"grid.step_atr":[0.25,0.45,0.65,0.85,1.05],"grid.step_min_bps":[11,26],"grid.levels":[2,4,6],"grid.level_pct":[1,2,3]}}')"
kill "$pid"; wait "$pid" 2>/dev/null || true

echo "== 4. queue overhead per job through PostgreSQL + Redis (200 one-day backtests, 1 worker slot)"
pgbin=/usr/lib/postgresql/15/bin
if [ ! -x "$pgbin/initdb" ] || ! command -v redis-server > /dev/null; then
  echo "  skipped: needs the postgresql and redis-server packages (tools/install-deps.sh)"
  exit 0
fi
as=""; [ "$(id -u)" -eq 0 ] && as="runuser -u postgres --" && chown -R postgres "$out"
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$as "$pgbin/initdb" -D "$out/pg" -A trust -U mmhost --no-sync --no-instructions > /dev/null
$as "$pgbin/pg_ctl" -D "$out/pg" -l "$out/pg.log" -w -o "-p $pgport -k $out -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null
$as "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U mmhost mmhost
redis-server --port "$rport" --bind 127.0.0.1 --dir "$out" --save '' --appendonly no --daemonize yes --pidfile "$out/redis.pid" > /dev/null
trap '$as "$pgbin/pg_ctl" -D "$out/pg" -m immediate stop > /dev/null 2>&1; redis-cli -p "$rport" shutdown nosave > /dev/null 2>&1; rm -rf "$out"' EXIT
services=(DATABASE_URL="postgres://mmhost@127.0.0.1:$pgport/mmhost" REDIS_URL="redis://127.0.0.1:$rport")
start_serve "$out/s4" 0 "${services[@]}"
env "${services[@]}" "$bin" worker --slots 1 --store "$out/s4" > "$out/worker.log" 2>&1 &
wpid=$!
days=$(python3 -c 'print(",".join(f"{{\"grid.levels\":{1 + i % 10},\"grid.step_min_bps\":{5 + 5 * (i // 10)}}}" for i in range(200)))')
t0=$(now)
id=$(post /runs '{"kind":"sweep","name":"tiny","data":"data/sample/ETHUSDT_1m_synthetic.csv","start":"2025-01-02","end":"2025-01-03","htf_interval":5,"ltf_interval":1,"sets":['"$days"']}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
status=$(wait_done "$id")
t_queue=$(run_seconds "$id")
kill "$wpid" "$pid"; wait "$wpid" "$pid" 2>/dev/null || true
# The same 200 backtests without a queue, in one `mmhost backtest-worker` as a serve slot runs
# them (its stdin the jobs, fd 3 the exit codes).
python3 - "$out/direct" > "$out/direct.jobs" <<'PY'
import json, sys
for i in range(200):
    args = ["backtest", "strategies/eth_bos_mm.lua", "--cache", "data/sample/ETHUSDT_1m_synthetic.csv",
            "--start", "2025-01-02", "--end", "2025-01-03", "--htf-interval", "5", "--ltf-interval", "1",
            "--set", f"grid.levels={1 + i % 10}", "--set", f"grid.step_min_bps={5 + 5 * (i // 10)}",
            "--no-progress", "--summary-only", "--out", f"{sys.argv[1]}/{i}"]
    print(json.dumps({"args": args, "log": f"{sys.argv[1]}.log"}))
PY
t0=$(now)
"$bin" backtest-worker < "$out/direct.jobs" 3> "$out/direct.codes"
t_direct=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {print b - a}')
[ "$(grep -c '^0$' "$out/direct.codes")" = 200 ] || echo "  (some direct backtests failed: $out/direct.log)"
printf '  through serve + Redis + PostgreSQL: %.2f s (%s); directly: %.2f s; overhead %.2f ms per job (target <= 2 ms)\n' \
  "$t_queue" "$status" "$t_direct" "$(awk -v q="$t_queue" -v d="$t_direct" 'BEGIN {print (q - d) / 200 * 1000}')"
