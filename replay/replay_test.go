package replay

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressLineShowsPercentAndETAOnlyWhenTheSizeIsKnown(t *testing.T) {
	tests := []struct {
		name            string
		consumed, total int64
		want            string
	}{
		{"size unknown", 500, 0, "replay: 1000 lines, 990 produced, 495 posts/s"},
		{"a quarter done", 250, 1000, "replay: 1000 lines, 990 produced, 495 posts/s, 25%, ETA 6s"},
		{"done", 1000, 1000, "replay: 1000 lines, 990 produced, 495 posts/s, 100%, ETA 0s"},
		{"nothing read yet", 0, 1000, "replay: 1000 lines, 990 produced, 495 posts/s, 0%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressLine(1000, 990, tt.consumed, tt.total, 2*time.Second); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProgressRedrawsOnATerminalAndPrintsLinesOtherwise(t *testing.T) {
	clock := time.Unix(0, 0)
	for _, tty := range []bool{true, false} {
		var w bytes.Buffer
		p := NewProgress(&w, tty, 0)
		p.now = func() time.Time { return clock }
		p.start, p.last = clock, clock
		for i := 1; i <= 40; i++ { // 10s in steps of 250ms
			clock = clock.Add(250 * time.Millisecond)
			p.update(i, i, 0, false)
		}
		p.Finish()
		out := w.String()
		if tty {
			if n := strings.Count(out, "\r\033[K"); n != 40 {
				t.Errorf("terminal: %d redraws in 10s, want 40 (4 a second)", n)
			}
			if strings.Count(out, "\n") != 1 {
				t.Errorf("terminal: want one final newline, got %q", out)
			}
			continue
		}
		if strings.Contains(out, "\r") || strings.Count(out, "\n") != 2 {
			t.Errorf("not a terminal: want 2 plain lines in 10s, got %q", out)
		}
	}
}

func TestReplaySummarySaysWhenItStoppedEarly(t *testing.T) {
	start := time.Now()
	r := &Replayer{lines: 500, produced: 0, progress: &Progress{start: start}, now: func() time.Time { return start.Add(time.Second) }}
	if got := r.Summary(true); !strings.Contains(got, "stopped after reading 500 lines") || !strings.Contains(got, "0 records were produced") {
		t.Fatalf("summary after an error = %q", got)
	}
	r.produced = 500
	if got := r.Summary(false); !strings.Contains(got, "produced 500 records from 500 lines") {
		t.Fatalf("summary = %q", got)
	}
}
