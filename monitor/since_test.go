package monitor

import (
	"context"
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

// quietMinute writes a minute of the usual background plus extra negative
// mentions of another feature.
func (w *world) quietMinute(start time.Time, id string, neg int) {
	w.minute(start, w.background())
	if neg == 0 {
		return
	}
	d := impactmatrix.NewDelta(time.Minute)
	for range neg {
		d.Add(start.Add(15*time.Second), id, impactmatrix.Negative, -0.7, 1)
		w.author++
		d.AddAuthor(start.Add(15*time.Second), id, impactmatrix.AuthorKey("x", strconv.Itoa(w.author), ""))
	}
	if err := w.store.Apply(context.Background(), impactmatrix.Source{Topic: "posts", Partition: 0}, w.prev, w.prev+1, d); err != nil {
		w.t.Fatal(err)
	}
	w.prev++
}

func (w *world) monitorWith(instance string, feats func() []feature.Feature) *Monitor {
	m, err := New(Options{Matrix: w.store, Publisher: w.outbox, Redis: w.rdb, Prefix: w.prefix, Instance: instance,
		Features: feats, Logger: zaptest.NewLogger(w.t), Now: func() time.Time { return w.now }})
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

func firingFeatures(all []alert.Alert) map[string]int {
	out := map[string]int{}
	for _, a := range all {
		out[a.Evidence.Feature]++
	}
	return out
}

func TestQuietFeatures(t *testing.T) {
	security := feature.Feature{ID: "security", Name: "Security", Owner: "sec-team", Criticality: 5}
	withSecurity := append(append([]feature.Feature(nil), features...), security)
	tests := []struct {
		name string
		// feats is the taxonomy at minute i.
		feats func(i int) []feature.Feature
		// neg is security's negative mentions in minute i.
		neg func(i int) int
		// restartAt, if > 0, replaces the leader at that minute (a new one
		// warms up from the matrix).
		restartAt int
		want      int // security alerts
	}{
		{
			name:  "a never-mentioned feature fires on its first burst",
			feats: func(int) []feature.Feature { return withSecurity },
			neg: func(i int) int {
				if i >= 200 && i < 205 {
					return 30
				}
				return 0
			},
			want: 1,
		},
		{
			name:  "a new leader replays the quiet hours and still fires",
			feats: func(int) []feature.Feature { return withSecurity },
			neg: func(i int) int {
				if i >= 200 && i < 205 {
					return 30
				}
				return 0
			},
			restartAt: 190,
			want:      1,
		},
		{
			name: "a feature added to the taxonomy does not fire at its usual rate after a new leader replays history",
			feats: func(i int) []feature.Feature {
				if i < 150 {
					return features
				}
				return withSecurity
			},
			// Posts were about security all along, but only tagged so
			// once the taxonomy had it.
			neg: func(i int) int {
				if i < 150 {
					return 0
				}
				return 12
			},
			// The new leader replays history with the new taxonomy: the
			// zeros before minute 150 are not real and must not count.
			restartAt: 170,
			want:      0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			ctx := context.Background()
			minute := 0
			feats := func() []feature.Feature { return tt.feats(minute) }
			m := w.monitorWith("a", feats)
			for ; minute < 240; minute++ {
				start := t0.Add(time.Duration(minute) * time.Minute)
				w.quietMinute(start, "security", tt.neg(minute))
				w.now = start.Add(time.Minute + 20*time.Second)
				if minute == tt.restartAt && tt.restartAt > 0 {
					m.release()
					m = w.monitorWith("b", feats)
				}
				if err := m.Tick(ctx); err != nil {
					t.Fatal(err)
				}
			}
			got := firingFeatures(w.alerts())
			if got["security"] != tt.want {
				t.Errorf("security alerts = %d, want %d (all alerts by feature: %v)", got["security"], tt.want, got)
			}
		})
	}
}
