package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/cli"
)

// incidentsServer runs the real incidents API, with access control, over a
// miniredis holding an outage: checkout and availability each have 5
// negative and 45 positive posts a minute for four hours from start,
// except 25 negative in minutes 180-199, with a spike on each feature.
func incidentsServer(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
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
	start := time.Now().UTC().Truncate(time.Hour).Add(-4 * time.Hour)
	at := func(m int) time.Time { return start.Add(time.Duration(m) * time.Minute) }
	d := impactmatrix.NewDelta(time.Minute)
	for m := range 240 {
		neg := 5
		if m >= 180 && m < 200 {
			neg = 25
		}
		for _, f := range []string{"checkout", "availability"} {
			for range neg {
				d.Add(at(m), f, impactmatrix.Negative, -1, 2)
			}
			for range 45 {
				d.Add(at(m), f, impactmatrix.Positive, 1, 1)
			}
		}
	}
	src := impactmatrix.Source{Topic: "posts"}
	if err := st.Register(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, src, -1, 1, d); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		id, feat                 string
		prio, onset, alerted, to int
		text                     string
	}{
		{"checkout-1", "checkout", 2, 180, 185, 200, `<script>alert("x")</script> checkout & pay broken`},
		{"availability-1", "availability", 1, 182, 186, 205, "site is *down* [again]"},
	} {
		a := alert.Alert{ID: s.id, Fingerprint: alert.Fingerprint(s.feat, alert.KindNegativeSurge), Kind: alert.KindNegativeSurge,
			State: alert.StateFiring, Priority: s.prio, Sequence: 1, StartsAt: at(s.onset), UpdatedAt: at(s.alerted),
			Summary: s.feat + " surge", Evidence: alert.Evidence{Feature: s.feat, Window: 15 * time.Minute,
				Samples: []alert.Sample{{ID: s.id + "-p", Text: s.text, Author: "@cust", Time: at(s.onset + 1)}}}}
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		a.Sequence, a.State, a.EndsAt, a.UpdatedAt = 2, alert.StateResolved, at(s.to), at(s.to)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// Two posts about checkout in the hour after the end say they are leaving.
	if err := st.AddLeaveIntent(ctx, map[impactmatrix.IntentCell]int64{{Feature: "checkout", Hour: impactmatrix.HourOf(at(240))}: 2}); err != nil {
		t.Fatal(err)
	}
	// The shop's own account posted after the statement typed below; the
	// pipeline recorded it automatically.
	if _, err := ob.AddMilestoneOnce(ctx, "checkout-1", alert.Milestone{Type: "statement", Author: "shop", Text: "Checkout works again.",
		Time: at(212), Source: alert.SourceBrandPost, Post: "b1"}, "brand_post:x:b1"); err != nil {
		t.Fatal(err)
	}
	h, err := incidents.New(incidents.Options{History: ob, Matrix: st})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := auth.NewToken("pr-viewer", auth.RoleRead, cliReadToken)
	w, _ := auth.NewToken("it-oncall", auth.RoleWrite, cliWriteToken)
	guard, err := auth.New(auth.Options{Tokens: []auth.Token{r, w}, Require: true, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	mux := api.Mux(api.Routes(api.Endpoints{Incidents: h}))
	srv := httptest.NewServer(guard.Wrap(mux))
	t.Cleanup(srv.Close)
	t.Setenv(cli.EnvAPIURL, srv.URL)
	return rfc3339(at(200))
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func incidentsCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"incidents"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestIncidentsCommands(t *testing.T) {
	statementAt := incidentsServer(t)
	t.Setenv(cli.EnvAPIToken, cliWriteToken)
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		// out must match every pattern.
		out []string
		// file, when set, is read instead of stdout.
		file string
	}{
		{"list shows one incident for both spikes", []string{"list"}, 0,
			[]string{`(?m)^STARTED\s+PRIORITY\s+STATE\s+SPIKES\s+FEATURES\s+TITLE\s+ID$`, `P1\s+resolved\s+2\s+checkout,availability\s.*checkout-1`}, ""},
		{"list as JSON", []string{"list", "--json", "--state", "resolved"}, 0, []string{`"id":"checkout-1"`}, ""},
		{"a milestone type is checked before any request", []string{"milestone", "checkout-1", "tweet", "hi"}, 2, nil, ""},
		{"a statement is recorded", []string{"milestone", "availability-1", "--time", statementAt, "statement",
			`We are fixing <checkout>`}, 0, []string{`statement recorded on availability-1 by it-oncall`}, ""},
		{"show reads the measures", []string{"show", "availability-1"}, 0,
			[]string{`Time to detect \| 5m0s`, `Time to first response \| 15m0s`, `Time to recover \| 15m0s`, `Excess negative posts \| 800 `,
				`1100 → 300`, `\(significant\)`, `\*\*statement\*\* by shop \\\(brand post, recorded automatically\\\): Checkout works again`}, ""},
		{"the HTML report", []string{"report", "checkout-1", "--out", filepath.Join(dir, "r.html")}, 0,
			[]string{`<svg id="chart"`, `<polyline points="[0-9., ]+"`, `class="marker"`, `&lt;script&gt;alert\(&#34;x&#34;\)&lt;/script&gt; checkout &amp; pay broken`,
				`We are fixing &lt;checkout&gt;`, `<b>statement</b> by shop \(brand post, recorded automatically\)`, `Content-Security-Policy`, `Time to recover</td><td>15m0s`, `<table id="aftercare">`, `<td>10.0% \(350 of 3500\)</td>`}, "r.html"},
		{"the Markdown report", []string{"report", "--markdown", "checkout-1"}, 0,
			[]string{`(?m)^# checkout \\\+ availability: negative surge \\\(P1\\\)$`, `\\<script\\>`, `site is \\\*down\\\* \\\[again\\\]`, `## Milestones and their effect`,
				`(?m)^## After-care$`, `2 posts saying they are leaving`, `\| 1 \(\d{4}-\d\d-\d\d\) \| 10\.0% \(350 of 3500\) \| up to 1[01]\.\d% \| 2 \| within, day still going \|`}, ""},
		{"an unknown incident", []string{"show", "nope"}, 1, nil, ""},
		{"no id", []string{"report"}, 2, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := incidentsCLI(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d: %s %s", code, c.code, out, errs)
			}
			if c.file != "" {
				b, err := os.ReadFile(filepath.Join(dir, c.file))
				if err != nil {
					t.Fatal(err)
				}
				out = string(b)
			}
			for _, p := range c.out {
				if !regexp.MustCompile(p).MatchString(out) {
					t.Errorf("output lacks %s:\n%s", p, out)
				}
			}
		})
	}
}

func TestIncidentsHTMLReportLoadsNothing(t *testing.T) {
	incidentsServer(t)
	t.Setenv(cli.EnvAPIToken, cliReadToken)
	code, out, errs := incidentsCLI(t, "report", "checkout-1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// No element that fetches: scripts, styles, images, frames, fonts.
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "<object", "src=", "url(", "@import", "http://", "https://"} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("the report contains %q", bad)
		}
	}
	var d incidents.Detail
	code, js, _ := incidentsCLI(t, "show", "--json", "checkout-1")
	if err := json.Unmarshal([]byte(js), &d); code != 0 || err != nil || len(d.Spikes) != 2 {
		t.Fatalf("show --json: %d %v", code, err)
	}
}
