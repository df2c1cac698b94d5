package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDelayDoublesUpToTheCap(t *testing.T) {
	p := Policy{Min: 50 * time.Millisecond, Max: 300 * time.Millisecond}
	tests := []struct {
		name    string
		attempt int
		want    time.Duration
	}{
		{"first retry waits the minimum", 1, 50 * time.Millisecond},
		{"second retry doubles it", 2, 100 * time.Millisecond},
		{"third retry doubles again", 3, 200 * time.Millisecond},
		{"the cap holds", 4, 300 * time.Millisecond},
		{"the cap holds far out without overflow", 1000, 300 * time.Millisecond},
		{"attempt 0 is treated as the first", 0, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Delay(tt.attempt); got != tt.want {
				t.Errorf("Delay(%d) = %v, want %v", tt.attempt, got, tt.want)
			}
		})
	}
}

func TestJitterTakesOffAtMostItsFraction(t *testing.T) {
	tests := []struct {
		name   string
		jitter float64
		lo, hi time.Duration
	}{
		{"no jitter is exact", 0, time.Second, time.Second},
		{"half jitter keeps at least half", 0.5, 500 * time.Millisecond, time.Second},
		{"jitter above 1 counts as 1", 3, 0, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Policy{Min: time.Second, Max: time.Second, Jitter: tt.jitter}
			varied := false
			for range 200 {
				d := p.Delay(1)
				if d < tt.lo || d > tt.hi {
					t.Fatalf("Delay = %v, want within [%v, %v]", d, tt.lo, tt.hi)
				}
				varied = varied || d != time.Second
			}
			if varied != (tt.jitter > 0) {
				t.Errorf("delays varied: %v, want %v", varied, tt.jitter > 0)
			}
		})
	}
}

func TestSleepEndsWithItsContext(t *testing.T) {
	if !Sleep(context.Background(), time.Millisecond) {
		t.Error("Sleep with a live context reported an early end")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if Sleep(ctx, time.Hour) {
		t.Error("Sleep with an ended context reported the whole delay")
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("Sleep took %v after its context ended", el)
	}
}
