package monitor

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

// searchComplaints adds n negative search mentions in the minute at start,
// each by an author of its own.
func (w *world) searchComplaints(start time.Time, n int) {
	d := impactmatrix.NewDelta(time.Minute)
	for i := range n {
		at := start.Add(40*time.Second + time.Duration(i)*10*time.Millisecond)
		d.Add(at, "search", impactmatrix.Negative, -0.6, 1)
		w.author++
		d.AddAuthor(at, "search", impactmatrix.AuthorKey("x", strconv.Itoa(w.author), ""))
	}
	if err := w.store.Apply(context.Background(), impactmatrix.Source{Topic: "posts", Partition: 0}, w.prev, w.prev+1, d); err != nil {
		w.t.Fatal(err)
	}
	w.prev++
}

func TestSpikesOfOneOutageCarryOneIncident(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	m := w.monitor("a")
	for i := range 180 {
		w.minute(t0.Add(time.Duration(i)*time.Minute), w.background())
	}
	in := func(start time.Time, from, to int) bool {
		return !start.Before(t0.Add(time.Duration(from)*time.Minute)) && start.Before(t0.Add(time.Duration(to)*time.Minute))
	}
	for i := 180; i < 420; i++ {
		start := t0.Add(time.Duration(i) * time.Minute)
		n := w.background()
		if in(start, 200, 215) {
			n *= 4 // the outage on checkout...
		}
		w.minute(start, n)
		switch {
		case in(start, 203, 218):
			w.searchComplaints(start, 30) // ...spilling into search
		case in(start, 340, 355):
			// Later, a search problem of its own, large enough to fire
			// within the cooldown (detect.DetectorConfig.RearmFactor).
			w.searchComplaints(start, 100)
		}
		w.now = start.Add(time.Minute + 20*time.Second)
		if err := m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	all := w.alerts()
	slices.SortFunc(all, func(a, b alert.Alert) int { return a.StartsAt.Compare(b.StartsAt) })
	var got []string
	for _, a := range all {
		got = append(got, a.Evidence.Feature)
	}
	if len(all) != 3 || all[0].Evidence.Feature != "checkout" || all[1].Evidence.Feature != "search" || all[2].Evidence.Feature != "search" {
		t.Fatalf("alerts on %v, want checkout, search, search", got)
	}
	checkout, spill, later := all[0], all[1], all[2]
	cases := []struct {
		name string
		a    alert.Alert
		want string
	}{
		{"the first spike opens the incident under its own id", checkout, checkout.ID},
		{"a spike on another feature during the outage joins it", spill, checkout.ID},
		{"a spike long after the outage is an incident of its own", later, later.ID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, err := w.outbox.Get(ctx, c.a.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range rec.Versions {
				if v.Incident != c.want {
					t.Errorf("version %d (%s) carries incident %q, want %q", v.Sequence, v.State, v.Incident, c.want)
				}
			}
		})
	}

	t.Run("the shipped Alertmanager route makes one group of the outage", func(t *testing.T) {
		cfg, err := os.ReadFile(filepath.Join("..", "deploy", "alertmanager", "alertmanager.yml"))
		if err != nil {
			t.Fatal(err)
		}
		base := testenv.StartAlertmanagerWithConfig(t, string(cfg))
		am := alert.NewAlertmanager(base)
		for _, a := range all {
			rec, err := w.outbox.Get(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			first := rec.Versions[0] // as it was paged
			first.StartsAt = time.Now().Add(-time.Hour)
			if err := am.Send(ctx, first); err != nil {
				t.Fatal(err)
			}
		}
		var groups map[string][]string
		deadline := time.Now().Add(20 * time.Second)
		for {
			groups = amGroups(t, base)
			n := 0
			for _, fs := range groups {
				n += len(fs)
			}
			if n == 3 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		slices.Sort(groups[checkout.ID])
		if len(groups) != 2 || !slices.Equal(groups[checkout.ID], []string{"checkout", "search"}) ||
			!slices.Equal(groups[later.ID], []string{"search"}) {
			t.Errorf("alertmanager groups by incident label = %v, want the outage's two features in one group and the later spike alone", groups)
		}
	})
}

// amGroups returns the features of Alertmanager's SocialpulseSpike alerts
// by the incident label of their group.
func amGroups(t *testing.T, base string) map[string][]string {
	t.Helper()
	q := url.Values{"filter": {`alertname="` + alert.AlertmanagerAlertName + `"`}}
	resp, err := http.Get(base + "/api/v2/alerts/groups?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var groups []struct {
		Labels map[string]string `json:"labels"`
		Alerts []struct {
			Labels map[string]string `json:"labels"`
		} `json:"alerts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&groups); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, g := range groups {
		for _, a := range g.Alerts {
			out[g.Labels["incident"]] = append(out[g.Labels["incident"]], a.Labels["feature"])
		}
	}
	return out
}
