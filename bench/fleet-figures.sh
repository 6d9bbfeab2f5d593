#!/usr/bin/env bash
# Every figure of BENCHMARKS.md's "Fleets and floods" section, in one run, one
# step after the other (never two at once: the machine has 2 cores). Run from
# the repository root:
#   bash bench/fleet-figures.sh [output directory, default /tmp/fleet-figures]
# Needs what .ci/run installs (Node and the npm parts, redis-server), and wrk
# (apt-get install -y wrk) for the loopback load beside mcp-auth JS. Each
# step's raw output is kept in the output directory (NN-name.txt); the
# summary lines go to standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/fleet-figures}
mkdir -p "$out"

step() { # file title command...
  local file=$1 title=$2; shift 2
  printf '\n== %s (%s UTC, load %s)\n$ %s\n' "$title" "$(date -u +%T)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$*"
  "$@" >"$out/$file" 2>&1 || { echo "FAILED: see $out/$file"; tail -20 "$out/$file"; exit 1; }
}
show() { grep -E "$2" "$out/$1" | sed 's/^ *//' || true; }

step 01-memory.txt "memory per cached verification" \
  go test ./bearer -run 'TestMemoryJWTCacheEntry' -count=1 -v
show 01-memory.txt 'bytes of live heap|a token is'

step 02-budget.txt "the provider's load: budget and refusal memory (unit)" \
  go test ./bearer -run 'TestProviderBudgetBoundsAFlood|TestRefusalRemembered' -count=1 -v
show 02-budget.txt 'distinct tokens|refused token|--- '

step 03-flood.txt "the provider's load: random opaque tokens against real providers" \
  go test ./examples/internal/faults -run 'TestUserinfoRandomTokenFlood' -count=1 -v
show 03-flood.txt 'no budget|budget [0-9]|one random token|--- '

step 04-fleet.txt "a fleet of three whoami replicas on one Redis" \
  go test ./examples/whoami -run 'TestFleet' -count=1 -v
show 04-fleet.txt 'requests over|cache time|--- '

step 05-stack.txt "the whole stack around a real tools/call (interleaved with a bare server), and in process" \
  go test ./examples/internal/mcphttptest -run '^$' -bench 'AuthStackOverhead|AuthStackInProcess' -benchmem -benchtime 5s -count 3 -cpu 1
show 05-stack.txt '^Benchmark'

step 06-cache.txt "cache hits at -cpu 1 and 2: the token cache and the middleware's cached path in parallel" \
  bash -c 'cd bench && go test -run "^$" -bench "TokenCache|MiddlewareParallel" -benchmem -count 3 -cpu 1,2'
show 06-cache.txt '^Benchmark'

step 07-redis.txt "the shared cache's Redis client: go-redis or rueidis" \
  bash -c 'cd bench && go test -run "^$" -bench "SharedCacheClient" -benchmem -count 3 -cpu 1,2'
show 07-redis.txt '^Benchmark'

if command -v wrk >/dev/null 2>&1; then
  step 08-load.txt "loopback load, mcp-auth JS beside it" bash bench/load.sh 10s 1
  (cd bench && go run ./cmd/benchtable -load <"$out/08-load.txt")
else
  echo "wrk is not installed: loopback load skipped (apt-get install -y wrk)"
fi
printf '\n== done (%s UTC); raw output in %s\n' "$(date -u +%T)" "$out"
