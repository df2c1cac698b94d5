package alert

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	gapi "github.com/grafana/grafana-api-golang-client"

	"github.com/socialpulse/socialpulse/dashboards/grafanatest"
)

// incidentSpike returns a firing alert about feature, onset minutes after
// t0, with priority p, carrying incident label (its own id when "").
func incidentSpike(feature string, onset, p int, label string) Alert {
	a := testAlert(feature, t0.Add(time.Duration(onset)*time.Minute), 1)
	a.Priority = p
	a.Incident = label
	if label == "" {
		a.Incident = a.ID
	}
	a.Summary = FormatSummary(a)
	return a
}

// incidentAnnotations returns the stored annotations tagged IncidentTag.
func incidentAnnotations(srv *grafanatest.Server) []grafanatest.Annotation {
	var out []grafanatest.Annotation
	for _, a := range srv.Annotations() {
		if slices.Contains(a.Tags, IncidentTag) {
			out = append(out, a)
		}
	}
	return out
}

func TestGrafanaIncidentAnnotation(t *testing.T) {
	checkout := incidentSpike("checkout", 0, 3, "")
	login := incidentSpike("login", 5, 1, checkout.ID)
	loginResolved := resolved(login, 2) // ends at onset + 1h
	other := incidentSpike("search", 300, 2, "")
	markup := incidentSpike("payments", 0, 2, "")
	markup.Evidence.FeatureName = `<img src=x onerror="alert(1)">`

	type want struct {
		label        string
		from, to     time.Time
		priority     string
		features     []string
		textContains string
	}
	cases := []struct {
		name string
		// sends are delivered in order; a nil entry restarts the receiver
		// (a new GrafanaAnnotation and client, as after a process restart).
		sends []*Alert
		want  []want
	}{
		{"two spikes of one incident give one annotation covering both",
			[]*Alert{&checkout, &login},
			[]want{{checkout.ID, checkout.StartsAt, login.UpdatedAt, "priority:P1", []string{"checkout", "login"},
				"checkout + login: negative surge (P1)<br>features: checkout, login; worst priority P1; open"}}},
		{"a later spike raises the priority and its end extends the region",
			[]*Alert{&checkout, &loginResolved},
			[]want{{checkout.ID, checkout.StartsAt, loginResolved.EndsAt, "priority:P1", []string{"checkout", "login"},
				"worst priority P1"}}},
		{"a restarted receiver updates the same annotation",
			[]*Alert{&checkout, nil, &login},
			[]want{{checkout.ID, checkout.StartsAt, login.UpdatedAt, "priority:P1", []string{"checkout", "login"},
				"checkout + login"}}},
		{"a redelivered version leaves one annotation",
			[]*Alert{&checkout, &checkout, nil, &checkout},
			[]want{{checkout.ID, checkout.StartsAt, checkout.UpdatedAt, "priority:P3", []string{"checkout"},
				"checkout: negative surge (P3)<br>features: checkout; worst priority P3; open"}}},
		{"a spike of another incident gets its own annotation",
			[]*Alert{&checkout, &other, &login},
			[]want{
				{checkout.ID, checkout.StartsAt, login.UpdatedAt, "priority:P1", []string{"checkout", "login"}, "checkout + login"},
				{other.ID, other.StartsAt, other.UpdatedAt, "priority:P2", []string{"search"}, "search: negative surge (P2)"},
			}},
		{"feature names are escaped in the text",
			[]*Alert{&markup},
			[]want{{markup.ID, markup.StartsAt, markup.UpdatedAt, "priority:P2", []string{"payments"},
				"&lt;img src=x onerror=&#34;alert(1)&#34;&gt;: negative surge (P2)"}}},
	}
	forEachRedis(t, func(t *testing.T, s store) {
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				srv := grafanatest.New("token")
				defer srv.Close()
				s := s
				s.prefix += "-" + string(rune('a'+i))
				var ob *Outbox
				alerts := func(ctx context.Context, id string) ([]Alert, error) { return ob.IncidentAlerts(ctx, id) }
				receiver := func() *GrafanaAnnotation {
					gc, err := gapi.New(srv.URL, gapi.Config{APIKey: "token", Client: srv.Client()})
					if err != nil {
						t.Fatal(err)
					}
					return NewGrafanaAnnotation(gc, "it-priorities", WithIncidentAlerts(alerts))
				}
				g := receiver()
				ob = newOutbox(t, s, nil, g)
				ctx := context.Background()
				states := map[string]string{} // the spike annotation ids the outbox would keep
				ids := map[string]int64{}     // incident annotation id by label, once created
				for _, a := range c.sends {
					if a == nil {
						g = receiver()
						continue
					}
					if _, err := ob.Publish(ctx, *a); err != nil {
						t.Fatal(err)
					}
					st, err := g.SendState(ctx, *a, states[a.ID])
					if err != nil {
						t.Fatal(err)
					}
					states[a.ID] = st
					for _, an := range incidentAnnotations(srv) {
						for _, tag := range an.Tags {
							if label, ok := strings.CutPrefix(tag, "incident:"); ok {
								if id, seen := ids[label]; seen && id != an.ID {
									t.Fatalf("incident %s annotation %d replaced by %d", label, id, an.ID)
								}
								ids[label] = an.ID
							}
						}
					}
				}
				got := incidentAnnotations(srv)
				if len(got) != len(c.want) {
					t.Fatalf("%d incident annotations, want %d: %+v", len(got), len(c.want), got)
				}
				for _, w := range c.want {
					i := slices.IndexFunc(got, func(a grafanatest.Annotation) bool {
						return slices.Contains(a.Tags, "incident:"+w.label)
					})
					if i < 0 {
						t.Fatalf("no annotation for incident %s in %+v", w.label, got)
					}
					an := got[i]
					if an.Time != w.from.UnixMilli() || an.TimeEnd != w.to.UnixMilli() {
						t.Errorf("incident %s region %v..%v, want %v..%v", w.label,
							time.UnixMilli(an.Time).UTC(), time.UnixMilli(an.TimeEnd).UTC(), w.from, w.to)
					}
					wantTags := []string{IncidentTag, "incident:" + w.label, w.priority}
					for _, f := range w.features {
						wantTags = append(wantTags, "feature:"+f)
					}
					if !slices.Equal(an.Tags, wantTags) || an.DashboardUID != "it-priorities" {
						t.Errorf("incident %s tags %v dashboard %q, want %v", w.label, an.Tags, an.DashboardUID, wantTags)
					}
					if !strings.Contains(an.Text, w.textContains) || strings.Contains(an.Text, "<img") {
						t.Errorf("incident %s text %q, want it to contain %q", w.label, an.Text, w.textContains)
					}
				}
				spikes := 0
				for _, an := range srv.Annotations() {
					if slices.Contains(an.Tags, "socialpulse") {
						spikes++
					}
				}
				if spikes != len(states) {
					t.Errorf("%d spike annotations, want one per spike (%d)", spikes, len(states))
				}
			})
		}
	})
}

func TestGrafanaIncidentAnnotationDuplicatesAreReducedToOne(t *testing.T) {
	srv := grafanatest.New("")
	defer srv.Close()
	gc, err := gapi.New(srv.URL, gapi.Config{Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	a := incidentSpike("checkout", 0, 2, "")
	// Two processes that each found no annotation created one at once.
	for range 2 {
		if _, err := gc.NewAnnotation(&gapi.Annotation{Time: t0.UnixMilli(), Text: "stale",
			Tags: []string{IncidentTag, "incident:" + a.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	other := incidentSpike("search", 300, 2, "")
	if _, err := gc.NewAnnotation(&gapi.Annotation{Time: t0.UnixMilli(), Text: "another incident",
		Tags: []string{IncidentTag, "incident:" + other.ID}}); err != nil {
		t.Fatal(err)
	}
	g := NewGrafanaAnnotation(gc, "", WithIncidentAlerts(func(context.Context, string) ([]Alert, error) {
		return []Alert{a}, nil
	}))
	id, err := g.AnnotateIncident(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	got := incidentAnnotations(srv)
	if len(got) != 2 || got[0].ID != id || got[0].Text == "stale" || got[1].Text != "another incident" {
		t.Fatalf("annotation %d kept; stored %+v", id, got)
	}
}

func TestGrafanaIncidentAnnotationThroughTheOutbox(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		srv := grafanatest.New("token")
		defer srv.Close()
		gc, err := gapi.New(srv.URL, gapi.Config{APIKey: "token", Client: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		var ob *Outbox
		g := NewGrafanaAnnotation(gc, "", WithIncidentAlerts(func(ctx context.Context, id string) ([]Alert, error) {
			return ob.IncidentAlerts(ctx, id)
		}))
		ob = newOutbox(t, s, nil, g)
		stop := run(t, ob)
		defer stop()
		ctx := context.Background()
		checkout := incidentSpike("checkout", 0, 2, "")
		login := incidentSpike("login", 5, 1, checkout.ID)
		steps := []struct {
			name    string
			publish Alert
			wantEnd time.Time
		}{
			{"the first spike opens the incident's region", checkout, checkout.UpdatedAt},
			{"a joining spike extends it", login, login.UpdatedAt},
			{"the spikes resolving end it", resolved(checkout, 2), checkout.StartsAt.Add(time.Hour)},
			{"the last end wins", resolved(login, 2), login.StartsAt.Add(time.Hour)},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				if _, err := ob.Publish(ctx, st.publish); err != nil {
					t.Fatal(err)
				}
				eventually(t, 10*time.Second, "incident annotation updated", func() bool {
					got := incidentAnnotations(srv)
					return len(got) == 1 && got[0].TimeEnd == st.wantEnd.UnixMilli()
				})
			})
		}
		eventually(t, 10*time.Second, "spike annotations turned into regions", func() bool {
			regions := 0
			for _, an := range srv.Annotations() {
				if slices.Contains(an.Tags, "socialpulse") && an.TimeEnd > an.Time {
					regions++
				}
			}
			return regions == 2
		})
		if got := incidentAnnotations(srv); len(got) != 1 || got[0].Time != checkout.StartsAt.UnixMilli() ||
			!strings.Contains(got[0].Text, "checkout + login: negative surge (P1)") || !strings.Contains(got[0].Text, "; ended") {
			t.Fatalf("incident annotations %+v", got)
		}
		if n := len(srv.Annotations()); n != 3 {
			t.Fatalf("%d annotations, want 2 spikes and 1 incident", n)
		}
	})
}
