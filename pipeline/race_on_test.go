//go:build race

package pipeline

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// allocation counts are only meaningful without it (scripts/test.sh runs the
// allocation tests in a second pass without -race).
const raceEnabled = true
