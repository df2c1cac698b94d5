package alert

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// seedHistory publishes 12 alerts: features a/b/c in turn, one per 10
// minutes from t0, priorities 1..4 in turn, every third resolved.
func seedHistory(t *testing.T, ob *Outbox) []Alert {
	t.Helper()
	var out []Alert
	for i := range 12 {
		a := testAlert([]string{"a", "b", "c"}[i%3], t0.Add(time.Duration(i)*10*time.Minute), 1)
		a.Priority = i%4 + 1
		a.Evidence.Samples[0].Text = fmt.Sprintf("post %d", i)
		if i == 7 {
			a.Evidence.Samples[0].Text = "the Refund button does nothing"
		}
		a.Summary = FormatSummary(a)
		if i%3 == 2 {
			if _, err := ob.Publish(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			a = resolved(a, 2)
		}
		if _, err := ob.Publish(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func ids(as []Alert) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func TestListFilters(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ob := newOutbox(t, s, nil, newRecorder("hook"))
		all := seedHistory(t, ob)
		pick := func(keep func(i int, a Alert) bool) []string {
			var out []Alert
			for i, a := range all {
				if keep(i, a) {
					out = append(out, a)
				}
			}
			slices.Reverse(out) // List defaults to newest first
			return ids(out)
		}
		tests := []struct {
			name string
			q    Query
			want []string
		}{
			{"no filter lists all newest first", Query{}, pick(func(int, Alert) bool { return true })},
			{"feature", Query{Feature: "b"}, pick(func(_ int, a Alert) bool { return a.Evidence.Feature == "b" })},
			{"priority", Query{Priority: 2}, pick(func(_ int, a Alert) bool { return a.Priority == 2 })},
			{"state", Query{State: StateResolved}, pick(func(_ int, a Alert) bool { return a.State == StateResolved })},
			{"time range is from-inclusive, to-exclusive", Query{From: t0.Add(20 * time.Minute), To: t0.Add(60 * time.Minute)},
				pick(func(i int, _ Alert) bool { return i >= 2 && i < 6 })},
			{"text in a sample post, any case", Query{Text: "refund BUTTON"}, pick(func(i int, _ Alert) bool { return i == 7 })},
			{"text in top words", Query{Text: "declined", Feature: "a"}, pick(func(_ int, a Alert) bool { return a.Evidence.Feature == "a" })},
			{"no match", Query{Text: "declined", Feature: "c", State: StateFiring}, nil},
			{"filters combine", Query{Feature: "a", Priority: 1}, pick(func(_ int, a Alert) bool { return a.Evidence.Feature == "a" && a.Priority == 1 })},
			{"ascending order", Query{Order: "asc", Feature: "c"}, func() []string {
				x := pick(func(_ int, a Alert) bool { return a.Evidence.Feature == "c" })
				slices.Reverse(x)
				return x
			}()},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, next, err := ob.List(context.Background(), tt.q)
				if err != nil {
					t.Fatal(err)
				}
				if next != "" {
					t.Errorf("next cursor %q on the only page", next)
				}
				if fmt.Sprint(ids(got)) != fmt.Sprint(tt.want) {
					t.Errorf("got  %v\nwant %v", ids(got), tt.want)
				}
			})
		}
		got, _, _ := ob.List(context.Background(), Query{Feature: "c"})
		for _, a := range got {
			if a.State != StateResolved || a.Sequence != 2 {
				t.Errorf("List returned version %d (%s) of %s, want the latest", a.Sequence, a.State, a.ID)
			}
		}
	})
}

func TestListPaginationIsStable(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		ob := newOutbox(t, s, nil)
		all := seedHistory(t, ob)
		// Two more alerts with the same StartsAt: ties are ordered by ID.
		for _, f := range []string{"tie1", "tie2"} {
			a := testAlert(f, t0.Add(30*time.Minute), 1)
			if _, err := ob.Publish(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		for _, order := range []string{"asc", "desc"} {
			t.Run(order, func(t *testing.T) {
				whole, _, err := ob.List(ctx, Query{Order: order, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				if len(whole) != len(all)+2 {
					t.Fatalf("listed %d, want %d", len(whole), len(all)+2)
				}
				var paged []Alert
				cur := ""
				for page := 0; ; page++ {
					got, next, err := ob.List(ctx, Query{Order: order, Limit: 4, Cursor: cur})
					if err != nil {
						t.Fatal(err)
					}
					if len(got) == 0 {
						t.Fatalf("page %d is empty", page)
					}
					paged = append(paged, got...)
					if page == 0 {
						// An alert stored between pages, newer than all
						// others, must not shift later pages.
						late := testAlert("late-"+order, t0.Add(24*time.Hour), 1)
						if _, err := ob.Publish(ctx, late); err != nil {
							t.Fatal(err)
						}
						defer func() { _ = s.rdb.ZRem(ctx, ob.timeIndex(), late.ID).Err() }()
					}
					if next == "" {
						break
					}
					cur = next
				}
				w := ids(whole)
				if order == "asc" {
					w = append(w, "late")
				}
				got := ids(paged)
				if order == "asc" && len(got) == len(w) {
					got[len(got)-1] = "late"
				}
				if fmt.Sprint(got) != fmt.Sprint(w) {
					t.Errorf("paged  %v\nwhole  %v", got, w)
				}
			})
		}
	})
}

func TestListRejectsBadQueries(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ob := newOutbox(t, s, nil)
		for _, q := range []Query{{Order: "sideways"}, {Limit: 501}, {Cursor: "!!"}} {
			if _, _, err := ob.List(context.Background(), q); err == nil {
				t.Errorf("List(%+v) accepted a bad query", q)
			}
		}
	})
}

func TestGetReturnsLifecycleDeliveriesAndNotes(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		ob := newOutbox(t, s, nil, newRecorder("hook"), newRecorder("chat"))
		a := testAlert("checkout", t0, 1)
		for _, v := range []Alert{resolved(a, 2), a} { // out of order on purpose
			if _, err := ob.Publish(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := ob.AddNote(ctx, a.ID, Note{Author: "pr-team", Text: "statement posted", Time: t0.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := ob.AddNote(ctx, a.ID, Note{Author: "it-oncall", Text: "rolled back the payment gateway", Time: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		r, err := ob.Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Alert.Sequence != 2 || r.Alert.State != StateResolved {
			t.Errorf("latest = #%d %s, want #2 resolved", r.Alert.Sequence, r.Alert.State)
		}
		if len(r.Versions) != 2 || r.Versions[0].Sequence != 1 || r.Versions[1].Sequence != 2 {
			t.Errorf("versions out of order: %+v", r.Versions)
		}
		if len(r.Deliveries) != 4 || r.Deliveries[0].State != DeliveryPending {
			t.Errorf("deliveries = %+v, want 4 pending", r.Deliveries)
		}
		if len(r.Notes) != 2 || r.Notes[0].Author != "it-oncall" || r.Notes[1].Text != "statement posted" {
			t.Errorf("notes = %+v, want both in time order", r.Notes)
		}
		if err := ob.AddNote(ctx, "no-such-alert", Note{Text: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("AddNote to a missing alert: %v, want ErrNotFound", err)
		}
		if _, err := ob.Get(ctx, "no-such-alert"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get of a missing alert: %v, want ErrNotFound", err)
		}
	})
}

func TestRecordsExpireAfterRetention(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		const retention = 1500 * time.Millisecond
		ob := newOutbox(t, s, func(o *OutboxOptions) { o.Retention = retention })
		a := testAlert("checkout", t0, 1)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := ob.Get(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if s.mr != nil {
			s.mr.FastForward(retention + time.Millisecond)
		}
		eventually(t, 10*time.Second, "record expired", func() bool {
			_, err := ob.Get(ctx, a.ID)
			return errors.Is(err, ErrNotFound)
		})
		if got, _, err := ob.List(ctx, Query{}); err != nil || len(got) != 0 {
			t.Errorf("List after expiry = %v, %v; want nothing", ids(got), err)
		}
		if n := s.rdb.ZCard(ctx, ob.timeIndex()).Val(); n != 0 {
			t.Errorf("time index still holds %d expired ids", n)
		}
	})
}

func TestIncidentAlertsListsTheSpikesCarryingAnIncident(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ob := newOutbox(t, s, nil, newRecorder("hook"))
		ctx := context.Background()
		opener := incidentSpike("checkout", 0, 2, "")
		joined := incidentSpike("login", 10, 1, opener.ID)
		backdated := incidentSpike("search", -30, 3, opener.ID) // detected later, onset before the opener's
		apart := incidentSpike("search", 600, 2, "")
		unlabelled := testAlert("payments", t0.Add(5*time.Minute), 1)
		for _, a := range []Alert{opener, joined, resolved(joined, 2), backdated, apart, unlabelled} {
			if _, err := ob.Publish(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name  string
			label string
			want  []string
		}{
			{"the opener, the joined and the backdated spikes, by onset", opener.ID,
				[]string{backdated.ID, opener.ID, joined.ID}},
			{"an incident of one spike", apart.ID, []string{apart.ID}},
			{"an unknown incident has no spikes", "nope", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := ob.IncidentAlerts(ctx, tt.label)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(got), tt.want) {
					t.Fatalf("IncidentAlerts(%s) = %v, want %v", tt.label, ids(got), tt.want)
				}
				for _, a := range got {
					if a.ID == joined.ID && a.Sequence != 2 {
						t.Errorf("joined spike at version %d, want the latest", a.Sequence)
					}
				}
			})
		}
	})
}
