package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/internal/testenv"
)

// startAlertmanager runs Debian's Alertmanager on a free loopback port with
// a throwaway config and storage, and stops it when the test ends.
func startAlertmanager(t *testing.T) string {
	t.Helper()
	bin := testenv.AlertmanagerBinary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte("route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--cluster.listen-address=",
	)
	logf, err := os.Create(filepath.Join(dir, "alertmanager.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		_ = logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("alertmanager log:\n%s", b)
		}
	})
	base := "http://" + addr
	eventually(t, 30*time.Second, "alertmanager ready", func() bool {
		select {
		case err := <-exited:
			t.Fatalf("alertmanager exited: %v", err)
		default:
		}
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base
}

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
