// Package e2e holds end-to-end tests of the processor as its own process
// against the real Kafka broker and Redis server that `make test` starts:
// exact matrix totals across SIGKILL, restarts and rebalances, and the
// dead-letter topic. It has no non-test code.
package e2e
