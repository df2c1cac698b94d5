// Package backoff gives the delay before each retry of a failing operation:
// exponential from a minimum up to a cap, with optional random jitter, and a
// sleep that ends early when its context does. The processor's write
// retries, the consumer's partition assignment and alert delivery all space
// their retries with it.
//
// Non-goals: running the operation or deciding whether an error is worth
// retrying; callers loop and decide.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy is an exponential backoff. The zero Policy retries at once.
type Policy struct {
	// Min is the first delay; each later attempt doubles it.
	Min time.Duration
	// Max caps the delay.
	Max time.Duration
	// Jitter is the largest fraction of a delay taken off at random, so
	// that clients failing together do not retry together: 0 (none) to 1.
	Jitter float64
}

// Delay returns the delay before retry number attempt (1 for the first):
// Min doubled per earlier attempt, capped at Max, less the jitter.
func (p Policy) Delay(attempt int) time.Duration {
	d := p.Min
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	if p.Jitter > 0 && d > 0 {
		d -= time.Duration(rand.Int64N(int64(float64(d)*min(p.Jitter, 1)) + 1))
	}
	return d
}

// Sleep waits d, or until ctx ends. It reports whether the whole delay
// passed (false: ctx ended first).
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
