package statements

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/alert"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func spikeAlert(feature string, start, end int) alert.Alert {
	fp := alert.Fingerprint(feature, alert.KindNegativeSurge)
	a := alert.Alert{ID: alert.EpisodeID(fp, at(start)), Fingerprint: fp, Kind: alert.KindNegativeSurge, State: alert.StateFiring,
		Priority: 1, Sequence: 1, StartsAt: at(start), UpdatedAt: at(start + 2), Evidence: alert.Evidence{Feature: feature}}
	if end >= 0 {
		a.State, a.Sequence, a.EndsAt, a.UpdatedAt = alert.StateResolved, 2, at(end), at(end)
	}
	return a
}

func newHistory(t *testing.T, spikes ...alert.Alert) *alert.Outbox {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})
	t.Cleanup(func() { rdb.Close() })
	ob, err := alert.NewOutbox(rdb, alert.OutboxOptions{Prefix: "t", Now: func() time.Time { return at(600) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range spikes {
		if _, err := ob.Publish(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	return ob
}

func TestBrandPostsDuringAnIncidentBecomeOneStatementEach(t *testing.T) {
	ctx := context.Background()
	checkout := spikeAlert("checkout", 0, 40)
	ob := newHistory(t, checkout, spikeAlert("availability", 3, 35))
	h, err := NewHandles([]string{"shop"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRecorder(Options{History: ob, Handles: h})
	if err != nil {
		t.Fatal(err)
	}
	statement := Post{ID: "s1", Platform: "x", Handle: "shop", Text: "We know checkout is down. We are on it.",
		URL: "https://x.example/shop/s1", Time: at(6)}
	cases := []struct {
		name string
		p    Post
		want Outcome
	}{
		{"a post during the incident", statement, Recorded},
		{"the same post redelivered", statement, Duplicate},
		{"a second post during the incident", Post{ID: "s2", Platform: "x", Handle: "shop", Text: "Fixed.", Time: at(30)}, Recorded},
		{"a post before the incident", Post{ID: "s0", Platform: "x", Handle: "shop", Text: "New shoes!", Time: at(-30)}, NoIncident},
		{"a post long after it", Post{ID: "s3", Platform: "x", Handle: "shop", Text: "Sale", Time: at(200)}, NoIncident},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.Record(ctx, []Post{c.p}); len(got) != 1 || got[0] != c.want {
				t.Errorf("Record = %v, want %v", got, c.want)
			}
		})
	}

	// A spike with an earlier onset joins later: the incident's first
	// spike changes, and the redelivered statement still makes no second
	// milestone.
	if _, err := ob.Publish(ctx, spikeAlert("payment", -2, 20)); err != nil {
		t.Fatal(err)
	}
	if got := r.Record(ctx, []Post{statement}); got[0] != Duplicate {
		t.Errorf("redelivery after the incident's id changed: %v, want duplicate", got)
	}

	ms, err := ob.Milestones(ctx, checkout.ID, spikeAlert("availability", 3, 35).ID, spikeAlert("payment", -2, 20).ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 {
		t.Fatalf("milestones %+v, want the two statements", ms)
	}
	m := ms[0]
	if m.Type != "statement" || m.Source != alert.SourceBrandPost || m.Author != "shop" || m.Post != "s1" ||
		m.URL != statement.URL || m.Text != statement.Text || !m.Time.Equal(statement.Time) || m.Spike != checkout.ID {
		t.Errorf("milestone %+v, want the statement from the brand post on the incident's first spike", m)
	}
}

func TestRecordReportsAHistoryOutageAsFailed(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	ob, err := alert.NewOutbox(rdb, alert.OutboxOptions{Prefix: "t"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRecorder(Options{History: ob, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	mr.Close()
	if got := r.Record(context.Background(), []Post{{ID: "s1", Handle: "shop", Time: at(6)}}); got[0] != Failed {
		t.Errorf("Record = %v, want failed", got)
	}
}

func TestClipRunesKeepsWholeCharacters(t *testing.T) {
	cases := []struct {
		name, s string
		n       int
		want    string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abc", 3, "abc"},
		{"cut", "abcdef", 3, "abc"},
		{"multibyte", "ééé", 2, "éé"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := clipRunes(c.s, c.n); got != c.want {
				t.Errorf("clipRunes = %q, want %q", got, c.want)
			}
		})
	}
}

// annotations records the milestones it is told of.
type annotations struct{ got []string }

func (a *annotations) AnnotateMilestone(_ context.Context, incident string, m alert.Milestone) (int64, error) {
	a.got = append(a.got, incident+" "+m.Type+" "+m.Post)
	return 1, nil
}

func TestRecordedStatementsAreAnnotatedOnce(t *testing.T) {
	ctx := context.Background()
	checkout := spikeAlert("checkout", 0, 40)
	checkout.Incident = "label-1"
	ob := newHistory(t, checkout)
	ann := &annotations{}
	r, err := NewRecorder(Options{History: ob, Annotator: ann})
	if err != nil {
		t.Fatal(err)
	}
	p := Post{ID: "s1", Platform: "x", Handle: "shop", Text: "On it", Time: at(6)}
	r.Record(ctx, []Post{p, p, {ID: "s9", Handle: "shop", Time: at(300)}})
	if len(ann.got) != 1 || ann.got[0] != "label-1 statement s1" {
		t.Errorf("annotations %v, want one for the statement, under the incident label", ann.got)
	}
}
