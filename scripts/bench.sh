#!/usr/bin/env bash
# Benchmarks: per-stage Go benchmarks, then end-to-end throughput and RSS
# (and socialpulse with a fallback model, between two runs without it),
# throughput with a live producer, and alert latency under background load,
# through a real Kafka and Redis (bench/cmd/spbench). Starts the services of
# scripts/services.sh unless they are already up, and stops only what it
# started. The markdown report goes to stdout and bench/results.md; progress
# goes to stderr.
#
#   make bench                            # BENCH_POSTS records (default 16000000)
#   BENCH_POSTS=1000000 make bench        # a quicker run
#   BENCH_REFERENCE_TIME=10m make bench   # let the reference read more
#   BENCH_LATENCY_TRIALS=100 make bench   # more surges in the alert-latency run
#   scripts/bench.sh -e2e=false -live=false -stages=false   # alert latency only
#   scripts/bench.sh -stages=false        # flags go to spbench (-h lists them)
#   scripts/bench.sh -fallback=false      # skip the runs with a fallback model
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HOST=127.0.0.1
KAFKA_PORT="${SOCIALPULSE_TEST_KAFKA_PORT:-19092}"
REDIS_PORT="${SOCIALPULSE_TEST_REDIS_PORT:-16379}"

log() { echo "bench: $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

started=""
cleanup() {
  if [ -n "$started" ]; then
    bash scripts/services.sh stop
  fi
}
trap cleanup EXIT

if port_open "$KAFKA_PORT" && port_open "$REDIS_PORT"; then
  # Someone's services (ours or another checkout's) are up: reuse them and
  # leave them running.
  log "Kafka ($KAFKA_PORT) and Redis ($REDIS_PORT) are already up; reusing them"
else
  bash scripts/services.sh install
  started=1
  bash scripts/services.sh start
fi

read -r load1 _ </proc/loadavg
log "load average: $load1 on $(nproc) cores"
if awk -v l="$load1" 'BEGIN { exit !(l > 1.0) }'; then
  log "warning: the machine is busy (load $load1); absolute numbers will be low, compare the ratios"
fi

bin="$(mktemp -d)"
trap 'rm -rf "$bin"; cleanup' EXIT
go build -o "$bin/spbench" ./bench/cmd/spbench
"$bin/spbench" -brokers "$HOST:$KAFKA_PORT" -redis "$HOST:$REDIS_PORT" -out bench/results.md "$@"
