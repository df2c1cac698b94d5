package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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
