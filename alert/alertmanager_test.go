package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/internal/testenv"
)

// startAlertmanager runs Debian's Alertmanager on a free loopback port with
// a throwaway config and storage, and stops it when the test ends.
func startAlertmanager(t *testing.T) string { return testenv.StartAlertmanager(t) }

type amListed struct {
	Labels map[string]string `json:"labels"`
	Status struct {
		State string `json:"state"`
	} `json:"status"`
	Annotations map[string]string `json:"annotations"`
}

// activeAlerts lists Alertmanager's alerts named SocialpulseSpike.
func activeAlerts(t *testing.T, base string) []amListed {
	t.Helper()
	q := url.Values{"filter": {`alertname="` + AlertmanagerAlertName + `"`}}
	resp, err := http.Get(base + "/api/v2/alerts?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []amListed
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	var active []amListed
	for _, a := range out {
		if a.Status.State == "active" {
			active = append(active, a)
		}
	}
	return active
}

func TestAlertmanagerListsFiringAlertAndDropsResolvedOne(t *testing.T) {
	base := startAlertmanager(t)
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		ob := newOutbox(t, s, nil, NewAlertmanager(base))
		run(t, ob)
		a := testAlert(testenv.UniqueName(t, "checkout"), t0, 1)
		a.StartsAt = time.Now().Add(-time.Minute).Truncate(time.Second)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		var got []amListed
		eventually(t, 20*time.Second, "alertmanager lists the firing alert", func() bool {
			got = nil
			for _, x := range activeAlerts(t, base) {
				if x.Labels["fingerprint"] == a.Fingerprint {
					got = append(got, x)
				}
			}
			return len(got) == 1
		})
		want := map[string]string{
			"alertname": "SocialpulseSpike", "feature": a.Evidence.Feature, "priority": "P1",
			"owner": "payments-team", "kind": KindNegativeSurge, "fingerprint": a.Fingerprint,
		}
		if fmt.Sprint(got[0].Labels) != fmt.Sprint(want) {
			t.Errorf("labels = %v, want %v", got[0].Labels, want)
		}
		if got[0].Annotations["summary"] != a.Summary || got[0].Annotations["dashboard"] != a.Evidence.DashboardURL {
			t.Errorf("annotations = %v", got[0].Annotations)
		}

		r := resolved(a, 2)
		r.EndsAt = time.Now()
		if _, err := ob.Publish(ctx, r); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "alertmanager no longer lists the alert as active", func() bool {
			for _, x := range activeAlerts(t, base) {
				if x.Labels["fingerprint"] == a.Fingerprint {
					return false
				}
			}
			return true
		})
	})
}

func TestAlertmanagerResolvesOldPriorityWhenPriorityChanges(t *testing.T) {
	base := startAlertmanager(t)
	ctx := context.Background()
	am := NewAlertmanager(base)
	a := testAlert("checkout", time.Now().Add(-time.Minute), 1)
	a.Priority = 2
	state, err := am.SendState(ctx, a, "")
	if err != nil {
		t.Fatal(err)
	}
	a.Priority, a.Sequence = 1, 2
	if _, err := am.SendState(ctx, a, state); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "only the P1 alert is active", func() bool {
		act := activeAlerts(t, base)
		return len(act) == 1 && act[0].Labels["priority"] == "P1"
	})
}

// amGroup is one element of Alertmanager's /api/v2/alerts/groups.
type amGroup struct {
	Labels map[string]string `json:"labels"`
	Alerts []amListed        `json:"alerts"`
}

// alertGroups lists Alertmanager's alert groups that hold SocialpulseSpike
// alerts.
func alertGroups(t *testing.T, base string) []amGroup {
	t.Helper()
	q := url.Values{"filter": {`alertname="` + AlertmanagerAlertName + `"`}}
	resp, err := http.Get(base + "/api/v2/alerts/groups?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []amGroup
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestShippedAlertmanagerRouteGroupsOneIncidentIntoOneGroup(t *testing.T) {
	cfg, err := os.ReadFile(filepath.Join("..", "deploy", "alertmanager", "alertmanager.yml"))
	if err != nil {
		t.Fatal(err)
	}
	base := testenv.StartAlertmanagerWithConfig(t, string(cfg))
	ctx := context.Background()
	am := NewAlertmanager(base)
	onset := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	checkout := testAlert("checkout", onset, 1)
	checkout.Incident = checkout.ID
	availability := testAlert("availability", onset.Add(3*time.Minute), 1)
	availability.Priority = 2
	availability.Incident = checkout.ID // joined the checkout incident
	search := testAlert("search", onset.Add(5*time.Minute), 1)
	search.Incident = search.ID // an incident of its own
	for _, a := range []Alert{checkout, availability, search} {
		if err := am.Send(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	var groups []amGroup
	eventually(t, 20*time.Second, "alertmanager groups the three alerts", func() bool {
		groups = alertGroups(t, base)
		n := 0
		for _, g := range groups {
			n += len(g.Alerts)
		}
		return n == 3
	})
	byIncident := map[string][]string{}
	for _, g := range groups {
		for _, a := range g.Alerts {
			byIncident[g.Labels["incident"]] = append(byIncident[g.Labels["incident"]], a.Labels["feature"])
		}
	}
	slices.Sort(byIncident[checkout.ID])
	want := map[string][]string{checkout.ID: {"availability", "checkout"}, search.ID: {"search"}}
	if len(groups) != 2 || fmt.Sprint(byIncident) != fmt.Sprint(want) {
		t.Errorf("groups by incident = %v (%d groups), want %v", byIncident, len(groups), want)
	}
}
