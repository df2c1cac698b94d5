package replay

import (
	"strings"
	"testing"
	"time"
)

func TestReplaySummarySaysWhenItStoppedEarly(t *testing.T) {
	start := time.Now()
	r := &Replayer{lines: 500, produced: 0, start: start, now: func() time.Time { return start.Add(time.Second) }}
	if got := r.Summary(true); !strings.Contains(got, "stopped after reading 500 lines") || !strings.Contains(got, "0 records were produced") {
		t.Fatalf("summary after an error = %q", got)
	}
	r.produced = 500
	if got := r.Summary(false); !strings.Contains(got, "produced 500 records from 500 lines") {
		t.Fatalf("summary = %q", got)
	}
}
