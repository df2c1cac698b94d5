# Common entry points. `make test` is what CI runs (.ci/run).
.PHONY: test unit bench demo services-up services-down

# All tests, with a real Kafka and Redis started (and stopped) by the script.
test:
	bash scripts/test.sh

# Tests that need no services; the integration tests skip themselves.
unit:
	go test ./...

# Per-stage and end-to-end benchmarks with a real Kafka and Redis (started and
# stopped by the script if not already up); writes bench/results.md.
# BENCH_POSTS sets the number of records (default 13000000, about 10 minutes).
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
