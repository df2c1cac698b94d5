package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/dashboards"
	"github.com/socialpulse/socialpulse/dashboards/grafanatest"
	"github.com/socialpulse/socialpulse/internal/cli"
)

const testGrafanaToken = "glsa_secret_value_never_printed"

func runDashboardsCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runDashboards(context.Background(), args, nil, &out, &errOut)
	if s := out.String() + errOut.String(); strings.Contains(s, testGrafanaToken) {
		t.Fatalf("output contains the token:\n%s", s)
	}
	return out.String(), errOut.String(), err
}

func TestDashboardsPushTwiceWithTokenFile(t *testing.T) {
	g := grafanatest.New(testGrafanaToken)
	defer g.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(testGrafanaToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"push", "--grafana-url", g.URL, "--token-file", tokenFile, "--prometheus-url", "http://prometheus:9090"}
	out, _, err := runDashboardsCmd(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "dashboard  socialpulse-brand-health     created") || !strings.Contains(out, "5 created") {
		t.Errorf("first push output:\n%s", out)
	}
	g.Reset()
	out, _, err = runDashboardsCmd(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if w := g.Writes(); len(w) != 0 {
		t.Errorf("second push sent writes: %v", w)
	}
	if !strings.Contains(out, ": 5 unchanged") {
		t.Errorf("second push output:\n%s", out)
	}
}

func TestDashboardsPushDryRunUsesEnvToken(t *testing.T) {
	g := grafanatest.New(testGrafanaToken)
	defer g.Close()
	t.Setenv(envGrafanaToken, testGrafanaToken)
	out, errOut, err := runDashboardsCmd(t, "push", "--grafana-url", g.URL, "--dry-run")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if w := g.Writes(); len(w) != 0 {
		t.Fatalf("dry run sent writes: %v", w)
	}
	all, _ := dashboards.All()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1+len(all) { // the folder and each dashboard; no --prometheus-url, so no data source
		t.Fatalf("dry run printed %d lines, want %d:\n%s", len(lines), 1+len(all), out)
	}
	if !strings.HasPrefix(lines[0], `POST /api/folders {"title":"socialpulse","uid":"socialpulse"}`) {
		t.Errorf("first line = %.200s", lines[0])
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, `POST /api/dashboards/db {"dashboard":{`) {
			t.Errorf("line = %.200s", l)
		}
	}
	if !strings.Contains(errOut, "datasource") || !strings.Contains(errOut, "skipped") {
		t.Errorf("report on stderr lacks the skipped data source:\n%s", errOut)
	}
}

func TestDashboardsPushUsageErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
	}{
		{"no subcommand", nil, true},
		{"unknown subcommand", []string{"pull"}, true},
		{"missing url", []string{"push"}, true},
		{"url without scheme", []string{"push", "--grafana-url", "grafana:3000"}, true},
		{"stray argument", []string{"push", "--grafana-url", "http://g", "extra"}, true},
		{"missing token file", []string{"push", "--grafana-url", "http://g", "--token-file", filepath.Join(dir, "nope")}, false},
		{"empty token file", []string{"push", "--grafana-url", "http://g", "--token-file", empty}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runDashboardsCmd(t, tt.args...)
			if err == nil {
				t.Fatal("accepted")
			}
			if errors.Is(err, cli.ErrUsage) != tt.wantUsage {
				t.Errorf("err = %v, usage error %v, want %v", err, errors.Is(err, cli.ErrUsage), tt.wantUsage)
			}
		})
	}
}

func TestDashboardsPushRedactsURLPassword(t *testing.T) {
	g := grafanatest.New("")
	defer g.Close()
	u := strings.Replace(g.URL, "http://", "http://admin:"+testGrafanaToken+"@", 1)
	out, _, err := runDashboardsCmd(t, "push", "--grafana-url", u)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "admin:xxxxx@") {
		t.Errorf("output does not show the redacted URL:\n%s", out)
	}
}
