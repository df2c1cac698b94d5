package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/cli"
)

const (
	cliReadToken  = "cli-read-token-0123456789"
	cliWriteToken = "cli-write-token-0123456789"
)

// spikesServer runs the real spike API, with access control, over a
// miniredis holding two spikes, and returns its URL.
func spikesServer(t *testing.T) string {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	ob, err := alert.NewOutbox(rdb, alert.OutboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Bucket: time.Minute, Retention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
	for i, a := range []alert.Alert{
		{ID: "checkout-1", State: alert.StateFiring, Priority: 1, StartsAt: start,
			Summary: "checkout: +310% negative posts vs baseline in 15m (P1)",
			Evidence: alert.Evidence{Feature: "checkout", FeatureName: "Checkout", Owner: "web", Window: 15 * time.Minute, ChangePct: 310, Current: 41, Baseline: 9,
				Samples: []alert.Sample{{ID: "p1", Text: "checkout keeps failing", Author: "@ann", Time: start}}}},
		{ID: "login-1", State: alert.StateResolved, Priority: 3, StartsAt: start.Add(-time.Hour), EndsAt: start.Add(-30 * time.Minute),
			Summary:  "login: +120% negative posts vs baseline in 15m (P3) [resolved]",
			Evidence: alert.Evidence{Feature: "login", FeatureName: "Login", Window: 15 * time.Minute, ChangePct: 120}},
	} {
		a.Fingerprint, a.Sequence, a.UpdatedAt = alert.Fingerprint(a.Evidence.Feature, alert.KindNegativeSurge), 1, a.StartsAt.Add(time.Duration(i))
		if _, err := ob.Publish(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	h, err := spikes.New(spikes.Options{History: ob, Matrix: st, Taxonomy: func() *feature.Tagger { return tg }})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := auth.NewToken("pr-viewer", auth.RoleRead, cliReadToken)
	w, _ := auth.NewToken("it-oncall", auth.RoleWrite, cliWriteToken)
	guard, err := auth.New(auth.Options{Tokens: []auth.Token{r, w}, Require: true, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	mux := api.Mux(api.Routes(api.Endpoints{Spikes: h}))
	srv := httptest.NewServer(guard.Wrap(mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

// spikesCLI runs "socialpulse spikes args..." and returns the exit code,
// stdout and stderr.
func spikesCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"spikes"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestSpikesListPrintsAnAlignedTableOrJSON(t *testing.T) {
	url := spikesServer(t)
	t.Setenv(cli.EnvAPIURL, url)
	t.Setenv(cli.EnvAPIToken, cliReadToken)
	code, out, errs := spikesCLI(t, "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and two rows:\n%s", out)
	}
	header := lines[0]
	for _, col := range []string{"STARTED", "FEATURE", "PRIORITY", "STATE", "CHANGE", "SUMMARY", "ID"} {
		i := strings.Index(header, col)
		if i < 0 {
			t.Fatalf("header %q lacks %s", header, col)
		}
		if col == "STARTED" {
			continue
		}
		// Aligned: every row has a value starting under each heading.
		for _, l := range lines[1:] {
			if len(l) <= i || l[i] == ' ' || l[i-1] != ' ' {
				t.Errorf("column %s not aligned in %q", col, l)
			}
		}
	}
	if !strings.Contains(lines[1], "checkout") || !strings.Contains(lines[1], "P1") || !strings.Contains(lines[1], "+310%") ||
		!strings.Contains(lines[1], "firing") || !strings.Contains(lines[2], "login") {
		t.Errorf("rows:\n%s", out)
	}

	code, out, errs = spikesCLI(t, "list", "--json", "--state", "resolved")
	var page spikes.SpikeList
	if err := json.Unmarshal([]byte(out), &page); code != 0 || err != nil || len(page.Spikes) != 1 || page.Spikes[0].ID != "login-1" {
		t.Fatalf("--json: exit %d, %v: %s %s", code, err, out, errs)
	}

	// One page at a time unless --all.
	code, out, errs = spikesCLI(t, "list", "--limit", "1")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(errs, "--cursor ") {
		t.Fatalf("--limit 1: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = spikesCLI(t, "list", "--limit", "1", "--all")
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Fatalf("--all: exit %d\n%s", code, out)
	}
}

func TestSpikesNoteThenShow(t *testing.T) {
	url := spikesServer(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(cliWriteToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := spikesCLI(t, "note", "--api", url, "--token-file", tokenFile, "checkout-1", "statement", "posted", "14:05")
	if code != 0 || !strings.Contains(out, "note added to checkout-1 by it-oncall") {
		t.Fatalf("note: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = spikesCLI(t, "show", "checkout-1", "--api", url, "--token-file", tokenFile)
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, errs)
	}
	for _, want := range []string{"checkout: +310%", "Checkout (checkout)", "P1", "Sample posts (1)", "@ann: checkout keeps failing",
		"Lifecycle", "#1", "Notes (1)", "it-oncall: statement posted 14:05", "Negative posts per 1m"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = spikesCLI(t, "show", "--json", "--api", url, "--token-file", tokenFile, "checkout-1")
	var d spikes.Detail
	if err := json.Unmarshal([]byte(out), &d); code != 0 || err != nil || len(d.Notes) != 1 {
		t.Fatalf("show --json: exit %d, %v", code, err)
	}
}

func TestSpikesExportWritesCSV(t *testing.T) {
	url := spikesServer(t)
	t.Setenv(cli.EnvAPIToken, cliReadToken)
	code, out, errs := spikesCLI(t, "export", "--api", url, "--feature", "checkout")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 2 || rows[0][0] != "id" || rows[1][0] != "checkout-1" {
		t.Fatalf("export to stdout: exit %d, %v\n%s%s", code, err, out, errs)
	}
	file := filepath.Join(t.TempDir(), "spikes.csv")
	code, out, errs = spikesCLI(t, "export", "--api", url, "--out", file)
	if code != 0 || out != "" || !strings.Contains(errs, "wrote "+file) {
		t.Fatalf("export --out: exit %d\n%s%s", code, out, errs)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll(); err != nil || len(rows) != 3 {
		t.Fatalf("file: %d rows, %v", len(rows), err)
	}
}

func TestSpikesErrorsAreClearAndNeverShowTheToken(t *testing.T) {
	url := spikesServer(t)
	tests := []struct {
		name      string
		token     string
		args      []string
		code      int
		errSubstr string
	}{
		{"no token", "", []string{"list"}, 1, "401 Unauthorized: missing bearer token (set SOCIALPULSE_API_TOKEN"},
		{"wrong token", "not-the-right-token-at-all", []string{"list"}, 1, "invalid bearer token"},
		{"read token cannot note", cliReadToken, []string{"note", "checkout-1", "hi"}, 1, "403 Forbidden"},
		{"unknown spike", cliReadToken, []string{"show", "nope"}, 1, "404 Not Found"},
		{"bad filter named by the API", cliReadToken, []string{"list", "--priority", "9"}, 1, "invalid parameter priority"},
		{"no subcommand", cliReadToken, nil, 2, "want a subcommand"},
		{"unknown subcommand", cliReadToken, []string{"delete"}, 2, "unknown subcommand"},
		{"show without id", cliReadToken, []string{"show"}, 2, "want one spike id"},
		{"note without text", cliReadToken, []string{"note", "checkout-1"}, 2, "text"},
		{"bad api url", cliReadToken, []string{"list", "--api", "ftp://x"}, 2, "--api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(cli.EnvAPIURL, url)
			t.Setenv(cli.EnvAPIToken, tt.token)
			code, out, errs := spikesCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.errSubstr) {
				t.Fatalf("exit %d, want %d; stderr %q lacks %q", code, tt.code, errs, tt.errSubstr)
			}
			if tt.token != "" && strings.Contains(out+errs, tt.token) {
				t.Fatalf("the token was printed: %s%s", out, errs)
			}
		})
	}
}
