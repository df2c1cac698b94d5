package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/api/webui"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

// hostileSample is a customer post that would run script if the page
// parsed it as HTML.
const hostileSample = `<img src=x onerror="window.pwned=1"> checkout is down`

// writerSuffix makes incidentServer's write token from its read token.
const writerSuffix = "-writer"

// incidentServer serves the web page and the incidents API over an
// incident like the demo's: checkout and availability spikes from minute
// 180 (of four hours of history), a statement typed by PR at minute 200
// whose text holds markup, and a statement the shop's account posted.
func incidentServer(t *testing.T, token string) string {
	t.Helper()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})
	t.Cleanup(func() { rdb.Close() })
	ob, err := alert.NewOutbox(rdb, alert.OutboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Bucket: time.Minute, Retention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().UTC().Truncate(time.Hour).Add(-4 * time.Hour)
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
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
	}{{"checkout-1", "checkout", 2, 180, 185, 200}, {"availability-1", "availability", 1, 182, 186, 205}} {
		a := alert.Alert{ID: s.id, Fingerprint: alert.Fingerprint(s.feat, alert.KindNegativeSurge), Kind: alert.KindNegativeSurge,
			State: alert.StateFiring, Priority: s.prio, Sequence: 1, StartsAt: at(s.onset), UpdatedAt: at(s.alerted), Incident: "checkout-1",
			Summary: s.feat + " surge", Evidence: alert.Evidence{Feature: s.feat, Window: 15 * time.Minute,
				Samples: []alert.Sample{{ID: s.id + "-p", Text: hostileSample, Author: "@cust", Time: at(s.onset + 1)}}}}
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		a.Sequence, a.State, a.EndsAt, a.UpdatedAt = 2, alert.StateResolved, at(s.to), at(s.to)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := ob.AddMilestone(ctx, "availability-1", alert.Milestone{Type: "statement", Author: "pr",
		Text: "<b>We are fixing checkout</b>", Time: at(200)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ob.AddMilestoneOnce(ctx, "checkout-1", alert.Milestone{Type: "statement", Author: "shop", Text: "Checkout works again.",
		Time: at(212), Source: alert.SourceBrandPost, Post: "b1"}, "brand_post:x:b1"); err != nil {
		t.Fatal(err)
	}
	h, err := incidents.New(incidents.Options{History: ob, Matrix: st})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.NewToken("pr-team", auth.RoleRead, token)
	if err != nil {
		t.Fatal(err)
	}
	writer, err := auth.NewToken("pr-lead", auth.RoleWrite, token+writerSuffix)
	if err != nil {
		t.Fatal(err)
	}
	guard, err := auth.New(auth.Options{Tokens: []auth.Token{tok, writer}, Require: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := api.Mux(api.Routes(api.Endpoints{Incidents: h, Page: webui.Handler()}))
	mux.Handle("GET /api/v1/features", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"features":[{"id":"checkout","name":"Checkout"},{"id":"availability","name":"Availability"}]}`)
	}))
	srv := httptest.NewServer(guard.Wrap(mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestWebUIShowsAnIncidentWithItsMilestonesAndEscapesPosts(t *testing.T) {
	const token = "pr-viewer-token-for-the-incident-view"
	base := incidentServer(t, token)
	bctx, problems := browser(t)
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v; browser problems: %q", what, err, problems())
		}
	}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

	row := `#incidents-table tr[data-id="checkout-1"]`
	do("open the incidents and sign in", chromedp.Navigate(base+"/ui/#/incidents"), visible("#auth-token"),
		chromedp.SendKeys(chromedp.CSS("#auth-token"), token), click(`#auth-form button[type="submit"]`), visible(row))
	do("open the incident", click(row+" a"), visible("#incident-chart svg polyline"), visible("#milestones li"), visible("#aftercare"))

	cases := []struct {
		name string
		js   string
		want any
	}{
		{"the title names both features", `document.querySelector("#incident-title").textContent.includes("checkout + availability")`, true},
		{"the measures are shown", `document.querySelector("#incident-measures").textContent.includes("Time to recover")`, true},
		{"a marker per milestone on the chart", `document.querySelectorAll("#incident-chart .milestone").length`, float64(2)},
		{"both milestones are listed", `document.querySelectorAll("#milestones li").length`, float64(2)},
		{"milestone text is shown as text", `document.querySelector("#milestones").textContent.includes("<b>We are fixing checkout</b>")`, true},
		{"milestone markup is not parsed", `document.querySelectorAll("#milestones b").length`, float64(0)},
		{"the brand post is marked", `document.querySelector("#milestones").textContent.includes("brand post, recorded automatically")`, true},
		{"a customer post is shown as text", `document.querySelector("#incident-samples").textContent.includes('<img src=x onerror="window.pwned=1">')`, true},
		{"a customer post adds no element", `document.querySelectorAll("#incident img").length`, float64(0)},
		{"no post's script ran", `window.pwned === undefined`, true},
		{"the after-care tail has its first day", `document.querySelectorAll("#aftercare tbody tr").length`, float64(1)},
		{"every request stayed on this server", `performance.getEntriesByType("resource").map(e => e.name).filter(n => !n.startsWith(location.origin)).length`, float64(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := eval(c.js); got != c.want {
				t.Errorf("%s = %v, want %v", c.js, got, c.want)
			}
		})
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "webui-incident.png", shot)

	// On a phone, neither the incident nor the list scrolls sideways.
	const overflow = `document.documentElement.scrollWidth > window.innerWidth + 1`
	do("the incident at 390 px", chromedp.EmulateViewport(390, 844), visible("#aftercare"))
	if eval(overflow) != false {
		t.Error("at 390 px the incident is wider than the screen")
	}
	if shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "webui-incident-390.png", shot)
	do("the list at 390 px", chromedp.Navigate(base+"/ui/#/incidents"), visible(row))
	if eval(overflow) != false {
		t.Error("at 390 px the incident list is wider than the screen")
	}
	do("the spike list at 390 px", chromedp.Navigate(base+"/ui/#/"), visible("#spikes-table"))
	if eval(overflow) != false {
		t.Error("at 390 px the spike list (and its header) is wider than the screen")
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the browser reported problems: %q", p)
	}
	if s := strings.Join(problems(), " "); strings.Contains(s, "Content Security Policy") {
		t.Errorf("CSP violations: %s", s)
	}
}

// TestIncidentReportRendersOfflineWithItsChart writes the post-incident
// report of the incident above with `socialpulse incidents report`, as a PR
// person would to share it, and opens it in the browser from a server that
// serves nothing else: it renders without errors, makes no request, shows
// the chart with a marker per milestone and the measures, and shows the
// customer's and the statement's markup as text. The Markdown report has
// the same measures.
func TestIncidentReportRendersOfflineWithItsChart(t *testing.T) {
	const token = "pr-viewer-token-for-the-incident-report"
	api := incidentServer(t, token)
	dir := t.TempDir()
	htmlPath := filepath.Join(dir, "report.html")
	mdPath := filepath.Join(dir, "report.md")
	for _, args := range [][]string{
		{"incidents", "report", "--api", api, "--out", htmlPath, "checkout-1"},
		{"incidents", "report", "--api", api, "--markdown", "--out", mdPath, "checkout-1"},
	} {
		cmd := exec.Command(binary(t), args...)
		cmd.Env = append(os.Environ(), "SOCIALPULSE_API_TOKEN="+token)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("socialpulse %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	page, err := os.ReadFile(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(mdPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Time to detect", "Time to first response", "Time to recover", "Excess negative posts"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}

	// Every request the page makes reaches this server and is recorded:
	// only the report itself may be asked for.
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		if r.URL.Path != "/report.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	t.Cleanup(srv.Close)

	bctx, problems := browser(t)
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/report.html"), chromedp.WaitVisible(chromedp.CSS("svg polyline"))); err != nil {
		t.Fatalf("open the report: %v; browser problems: %q", err, problems())
	}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	cases := []struct {
		name string
		js   string
		want any
	}{
		{"the chart has its line", `document.querySelectorAll("svg polyline").length > 0`, true},
		{"the chart marks both statements", `[...document.querySelectorAll("svg text")].filter(e => e.textContent === "statement").length`, float64(2)},
		{"the chart marks the alert", `[...document.querySelectorAll("svg text")].some(e => e.textContent === "alert")`, true},
		{"the measures are shown", `document.body.textContent.includes("Time to recover") && document.body.textContent.includes("Excess negative posts")`, true},
		{"the statement's markup is text", `document.body.textContent.includes("<b>We are fixing checkout</b>")`, true},
		{"the statement's markup added no element", `[...document.querySelectorAll("b")].some(e => e.textContent.includes("We are fixing"))`, false},
		{"a customer post is shown as text", `document.body.textContent.includes('<img src=x onerror="window.pwned=1">')`, true},
		{"a customer post added no element", `document.querySelectorAll("img").length`, float64(0)},
		{"no post's script ran", `window.pwned === undefined`, true},
		{"the page loaded nothing else", `performance.getEntriesByType("resource").length`, float64(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := eval(c.js); got != c.want {
				t.Errorf("%s = %v, want %v", c.js, got, c.want)
			}
		})
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "incident-report.png", shot)
	mu.Lock()
	defer mu.Unlock()
	for _, p := range asked {
		if p != "/report.html" && p != "/favicon.ico" {
			t.Errorf("the report asked for %s", p)
		}
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the browser reported problems: %q", p)
	}
}

// TestWebUIRecordsAMilestone records a milestone from the incident view, as
// a PR lead would after posting the fix on the status page: with a write
// token it is saved and shown (its markup as text) with the incident
// reloaded; with a read-only token the page says the token needs the write
// role and nothing is saved.
func TestWebUIRecordsAMilestone(t *testing.T) {
	const token = "pr-token-for-recording-milestones"
	base := incidentServer(t, token)
	row := `#incidents-table tr[data-id="checkout-1"]`
	for _, tc := range []struct {
		name, token string
		saved       bool
	}{{"a read token is told it cannot", token, false}, {"a write token records it", token + writerSuffix, true}} { // in this order: one server
		t.Run(tc.name, func(t *testing.T) {
			bctx, problems := browser(t)
			ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
			defer cancel()
			do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(ctx, steps...); err != nil {
					t.Fatalf("%s: %v; browser problems: %q", what, err, problems())
				}
			}
			visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
			click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
			do("open the incident", chromedp.Navigate(base+"/ui/#/incidents"), visible("#auth-token"),
				chromedp.SendKeys(chromedp.CSS("#auth-token"), tc.token), click(`#auth-form button[type="submit"]`),
				visible(row), click(row+" a"), visible("#milestones li"))
			do("fill in the milestone", click("#incident details.milestone-add summary"), visible("#milestone-form"),
				chromedp.SetValue(chromedp.CSS("#milestone-type"), "status_page"),
				chromedp.SendKeys(chromedp.CSS("#milestone-text"), "<i>Payments</i> restored, see status page"),
				chromedp.SendKeys(chromedp.CSS("#milestone-author"), "pr lead"),
				click(`#milestone-form button[type="submit"]`))
			if tc.saved {
				do("the milestone appears", chromedp.WaitVisible(chromedp.CSS(`#milestones li[data-type="status_page"]`)))
				for js, want := range map[string]any{
					`document.querySelectorAll("#milestones li").length`:                                     float64(3),
					`document.querySelector("#milestones").textContent.includes("<i>Payments</i> restored")`: true,
					`document.querySelectorAll("#milestones i").length`:                                      float64(0),
				} {
					v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
					if err != nil || v != want {
						t.Errorf("%s = %v (%v), want %v", js, v, err, want)
					}
				}
			} else {
				do("the page explains the 403", chromedp.WaitVisible(chromedp.CSS("#milestone-error")))
				v, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.querySelector("#milestone-error").textContent.includes("write role")`))
				if err != nil || v != true {
					t.Errorf("the error does not name the write role (%v, %v)", v, err)
				}
				v, err = chromedp.Run(ctx, chromedp.Evaluate[any](`document.querySelectorAll("#milestones li").length`))
				if err != nil || v != float64(2) {
					t.Errorf("milestones after a refused save = %v (%v), want 2", v, err)
				}
			}
			var left []string
			for _, p := range problems() {
				if !strings.Contains(p, "403") {
					left = append(left, p)
				}
			}
			if len(left) > 0 {
				t.Errorf("the browser reported problems: %q", left)
			}
		})
	}
}
