# Common entry points. `make test` is what CI runs (.ci/run).
.PHONY: test unit lint bench demo services-up services-down

# All tests, with a real Kafka and Redis started (and stopped) by the script.
test:
	bash scripts/test.sh

# Tests that need no services; the integration tests skip themselves.
unit:
	go test ./...

# go vet and staticcheck (pinned in tools/go.mod); also the first step of test.
lint:
	bash scripts/lint.sh

# Per-stage and end-to-end benchmarks with a real Kafka and Redis (started and
# stopped by the script if not already up): throughput against a reference
# and a ceiling, throughput with a live producer, alert latency under
# background load, RSS. Writes bench/results.md; about 20 minutes.
# BENCH_POSTS (default 16000000), BENCH_LIVE_POSTS (12000000) and
# BENCH_LATENCY_TRIALS (48) size the runs.
bench:
	bash scripts/bench.sh

demo:
	go run ./cmd/socialpulse demo

# Keep the services running for hand-run tests:
#   make services-up && eval "$$(scripts/services.sh env)" && go test ./...
services-up:
	bash scripts/services.sh install
	bash scripts/services.sh start
	@bash scripts/services.sh env

services-down:
	bash scripts/services.sh stop
