package pipeline

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/stream"
)

// A producer whose clock runs ahead can give records a Kafka timestamp past
// the future skew (brokers accept up to log.message.timestamp.after.max.ms
// ahead). Such a post is counted at the processing time, not in a bucket
// that has not begun.
func TestKafkaTimestampAheadOfTheClockCountsAtProcessingTime(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ph, _, _ := f.proc.Assign(ctx, "posts", 0)
	ahead := func(off int64, v string, d time.Duration) stream.Record {
		r := rec(off, v)
		r.Time = now.Add(d)
		return r
	}
	in := []stream.Record{
		ahead(0, `{"id":"0","text":"nice weather today"}`, 50*time.Minute),
		ahead(1, `{"id":"1","text":"nice weather today","created_at":"9999-12-31T23:59:59Z"}`, 50*time.Minute),
		ahead(2, `{"id":"2","text":"nice weather today"}`, 5*time.Minute), // within the skew: kept
	}
	if err := ph.Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	want := []time.Time{now, now, now.Add(5 * time.Minute)}
	for i, m := range f.out.msgs {
		var sp ScoredPost
		if err := json.Unmarshal(m.Value, &sp); err != nil {
			t.Fatal(err)
		}
		if !sp.EventTime.Equal(want[i]) {
			t.Errorf("post %d counted at %v, want %v", i, sp.EventTime, want[i])
		}
	}
	m, err := f.store.Window(ctx, now, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Rows[impactmatrix.OtherFeature].Total().Count; got != 2 {
		t.Errorf("%d posts in the bucket of the processing time, want 2", got)
	}
	if got := counterValue(f.proc.m.FutureTimestamps); got != 2 {
		t.Errorf("future_timestamps_total = %v, want 2 (once per post)", got)
	}
}
