package jsonl

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
			if got := Line("replay", "produced", 1000, 990, tt.consumed, tt.total, 2*time.Second); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProgressRedrawsOnATerminalAndPrintsLinesOtherwise(t *testing.T) {
	clock := time.Unix(0, 0)
	for _, tty := range []bool{true, false} {
		var w bytes.Buffer
		p := NewProgress(&w, tty, 0, "replay", "produced")
		p.now = func() time.Time { return clock }
		p.start, p.last = clock, clock
		for i := 1; i <= 40; i++ { // 10s in steps of 250ms
			clock = clock.Add(250 * time.Millisecond)
			p.Update(i, i, 0, false)
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

func TestANilProgressShowsNothing(t *testing.T) {
	var p *Progress
	p.Start()
	p.Update(1, 1, 1, true)
	p.Note("x")
	p.Finish()
}

func TestProgressNoteKeepsTheRedrawnLineBelowIt(t *testing.T) {
	var w bytes.Buffer
	p := NewProgress(&w, true, 0, "score", "scored")
	p.Update(10, 10, 0, true)
	p.Note("line 3: too long; skipped")
	if got := w.String(); !strings.HasSuffix(got, "\r\033[Kscore: line 3: too long; skipped\n") {
		t.Fatalf("got %q", got)
	}
}

func TestProgressFollowsTheLinesWhenOnlyTheirNumberIsKnown(t *testing.T) {
	var w bytes.Buffer
	p := NewProgress(&w, true, 0, "taxonomy suggest", "posts")
	p.SetLines(400)
	p.Update(100, 90, 12345, true)
	if got := w.String(); !strings.Contains(got, "taxonomy suggest: 100 lines, 90 posts, ") || !strings.Contains(got, ", 25%, ETA ") {
		t.Fatalf("got %q, want a quarter done", got)
	}
}
