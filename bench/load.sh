#!/usr/bin/env bash
# Loopback load runs for BENCHMARKS.md. Run from the repository root:
#   bash bench/load.sh [duration, default 10s] [rounds, default 1] [regexp of server names, default all]
# Each server runs alone, pinned to CPU 1 (Go servers with GOMAXPROCS=1);
# wrk runs on CPU 0 with 1 thread and 32 connections for the duration.
# Needs wrk (apt-get install -y wrk), node and npm. Servers stop themselves.
set -euo pipefail
cd "$(dirname "$0")"
dur=${1:-10s}
rounds=${2:-1}
only=${3:-.}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/loadserver" ./cmd/loadserver
(cd node && npm ci --silent --no-audit --no-fund)
"$out/loadserver" -emit "$out/fixture"

rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$1/status"; }

run() { # name alg command...
  local name=$1 alg=$2; shift 2
  grep -qE "$only" <<<"$name ($alg)" || return 0
  local log
  log=$(mktemp "$out/server.XXXXXX") # a new file each run: never read the last server's address
  "$@" >"$log" 2>&1 &
  local pid=$!
  local addr=""
  for _ in $(seq 100); do
    addr=$(awk '/^listening/ {print $2}' "$log")
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "$name: server did not start"; cat "$log"; kill "$pid"; return 1; }
  local token
  token=$(cat "$out/fixture/token-$alg.txt")
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$addr/mcp" || { kill "$pid"; return 1; } # warm, check 200
  local before after
  before=$(rss "$pid")
  echo "=== $name ($alg) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  taskset -c 0 wrk -t1 -c32 -d"$dur" --latency -H "Authorization: Bearer $token" "$addr/mcp" |
    grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors|requests in'
  after=$(rss "$pid")
  echo "RSS before $before, after $after"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

# taskset and env exec, so $! in run is the server's own PID.
go_server=(taskset -c 1 env GOMAXPROCS=1 "$out/loadserver" -fixture "$out/fixture" -lifetime 2m)

for round in $(seq "$rounds"); do
  echo "##### round $round"
  run "go bare handler"          ES256 "${go_server[@]}" -mode bare
  run "go mcpauth cached"        ES256 "${go_server[@]}" -mode cached -alg ES256
  run "go mcpauth cached"        ES384 "${go_server[@]}" -mode cached -alg ES384
  run "go mcpauth first-seen"    ES256 "${go_server[@]}" -mode first -alg ES256
  run "go mcpauth first-seen"    ES384 "${go_server[@]}" -mode first -alg ES384
  run "node express bare"        ES256 taskset -c 1 node node/server.js "$out/fixture" 120 bare
  run "node mcp-auth bearerAuth" ES256 taskset -c 1 node node/server.js "$out/fixture" 120
  run "node mcp-auth bearerAuth" ES384 taskset -c 1 node node/server.js "$out/fixture" 120
done
