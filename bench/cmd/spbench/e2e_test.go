package main

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestTrackInProcess(t *testing.T) {
	quiet := func(string, ...any) {}
	for _, tc := range []struct {
		name         string
		timeout      time.Duration
		fn           func(ctx context.Context, done *atomic.Int64) error
		wantTimedOut bool
		wantErr      bool
		wantDone     int64
	}{
		{
			name:    "a consumer that finishes is rated over all its records",
			timeout: 5 * time.Second,
			fn: func(ctx context.Context, done *atomic.Int64) error {
				for range 3 {
					time.Sleep(2 * pollEvery)
					done.Add(100)
				}
				return nil
			},
			wantDone: 300,
		},
		{
			name:    "a consumer stopped by its time limit is rated over what it did",
			timeout: 3 * pollEvery,
			fn: func(ctx context.Context, done *atomic.Int64) error {
				done.Add(40)
				<-ctx.Done()
				return ctx.Err()
			},
			wantTimedOut: true,
			wantDone:     40,
		},
		{
			name:    "a consumer's own error is returned",
			timeout: 5 * time.Second,
			fn: func(ctx context.Context, done *atomic.Int64) error {
				return errors.New("broken")
			},
			wantErr: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var done atomic.Int64
			r, err := trackInProcess(context.Background(), "test", 300, tc.timeout, done.Load,
				func(ctx context.Context) error { return tc.fn(ctx, &done) }, quiet)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if r.timedOut != tc.wantTimedOut || r.done != tc.wantDone {
				t.Fatalf("timedOut %v done %d, want %v and %d", r.timedOut, r.done, tc.wantTimedOut, tc.wantDone)
			}
			if r.rate() <= 0 || len(r.samples) == 0 {
				t.Fatalf("rate %v over %d samples, want a positive rate", r.rate(), len(r.samples))
			}
			if last := r.samples[len(r.samples)-1]; last.done != tc.wantDone {
				t.Fatalf("the last sample has %d records, want %d", last.done, tc.wantDone)
			}
		})
	}
}
