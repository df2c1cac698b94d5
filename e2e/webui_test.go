package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

// webTokens are the API tokens the processors of a browser test accept: a
// read-only one (PR viewers) and one that may add notes.
type webTokens struct {
	file, read, write string
}

func newWebTokens(t *testing.T) webTokens {
	t.Helper()
	tk := webTokens{
		file:  filepath.Join(t.TempDir(), "tokens.yaml"),
		read:  "pr-viewer-token-" + testenv.UniqueName(t, "r")[len("r-"):],
		write: "it-oncall-token-" + testenv.UniqueName(t, "w")[len("w-"):],
	}
	body := fmt.Sprintf("- {name: pr-team, role: read, token: %q}\n- {name: it-oncall, role: write, token: %q}\n", tk.read, tk.write)
	if err := os.WriteFile(tk.file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return tk
}

// browser starts Debian's chromium headless with a private profile and
// returns a chromedp context for one tab, and the browser-side problems
// (uncaught exceptions, console errors, CSP violations, failed loads other
// than the expected 401 and 403) seen so far.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	bin := testenv.ChromiumBinary(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.WindowSize(1440, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() { cancelTab(); cancelAlloc() })

	var mu sync.Mutex
	var problems []string
	listen := func(ev any) {
		var p string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			p = "uncaught: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				p += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				p = "console.error: " + strings.Join(args, " ")
			}
		case *cdplog.EventEntryAdded:
			// API answers that are not 2xx are expected here (401 without a
			// token, 403 for a read-only note, 404 with emerging terms
			// off) and checked by what the
			// page shows; anything else, CSP violations included, is not.
			e := ev.Entry
			api := e.Source == cdplog.EntrySourceNetwork && strings.Contains(e.URL, "/api/v1/")
			if e.Level == cdplog.EntryLevelError && !api {
				p = "log: " + e.Text + " " + e.URL
			}
		}
		if p != "" {
			mu.Lock()
			problems = append(problems, p)
			mu.Unlock()
		}
	}
	if err := chromedp.Listen(ctx, listen); err != nil {
		t.Fatalf("start chromium %s: %v", bin, err)
	}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{})
		return err
	})); err != nil {
		t.Fatalf("start chromium %s: %v", bin, err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(problems)
	}
}

// checkWebUI drives the web page of the processor at base like a PR person
// would, for the spike the test raised: the page asks for a token, the
// list filtered by the spike's feature shows it on the timeline, its detail
// shows the evidence and sample posts, a read-only token is told it cannot
// add notes, a write token adds one that survives a reload, and the live
// heatmap has the feature's row. It saves screenshots to artifacts/.
func checkWebUI(t *testing.T, base string, spike alert.Alert, tk webTokens, complaints []string) {
	bctx, problems := browser(t)
	// One budget for every step. The whole walk takes well under a minute
	// on a quiet machine; beside the other end-to-end tests under the race
	// detector one CI run needed more than 90 s, so the budget is 3 minutes.
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	defer cancel()
	fail := func(what string, err error) {
		t.Helper()
		loc, _ := chromedp.Run(bctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v; browser problems: %q", what, loc, err, problems())
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			fail(what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			fail("read "+sel, err)
		}
		return s
	}
	strs := func(js string) []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
		if err != nil {
			fail("evaluate "+js, err)
		}
		return v
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			fail("location", err)
		}
		return loc
	}
	visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	keys := func(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SendKeys(chromedp.CSS(sel), v) }
	poll := func(js string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](js)(ctx, tg)
			return err
		})
	}

	feature := spike.Evidence.Feature
	bar := fmt.Sprintf(`#timeline a[data-id=%q] rect`, spike.ID)
	row := fmt.Sprintf(`#spikes-table tr[data-id=%q]`, spike.ID)

	// The page loads without a token; its API calls are refused, so it asks.
	do("open the page", chromedp.Navigate(base+"/"), visible("#auth-token"))
	if loc := location(); !strings.HasPrefix(loc, base+"/ui/") {
		t.Errorf("GET / landed on %s, want %s/ui/", loc, base)
	}
	do("sign in read-only", keys("#auth-token", tk.read), click(`#auth-form button[type="submit"]`), visible(row))

	// Every form control has a label (or an aria-label).
	if bad := strs(`[...document.querySelectorAll("input, select, textarea")]
		.filter(e => !e.labels.length && !e.getAttribute("aria-label")).map(e => e.id || e.name)`); len(bad) > 0 {
		t.Errorf("form controls without a label: %v", bad)
	}

	// Filter by feature: the URL carries the filter, only that feature's
	// spikes are listed, and the spike has a bar on the timeline.
	do("filter by feature", chromedp.SetValue(chromedp.CSS("#f-feature"), feature), click(`#filters button[type="submit"]`),
		poll(`location.hash.includes("feature=`+feature+`")`), visible(row), visible(bar))
	features := strs(`[...document.querySelectorAll("#spikes-table tbody tr")].map(r => r.dataset.feature)`)
	if len(features) == 0 || slices.ContainsFunc(features, func(f string) bool { return f != feature }) {
		t.Errorf("the list filtered by %s shows features %v", feature, features)
	}

	// A click on the timeline bar opens the spike: summary, evidence, sample
	// posts, the matrix around it and its lifecycle.
	do("open the spike from the timeline", click(bar), visible("#samples"), visible("#spike-chart svg rect"), visible("#versions li"))
	// The summary is the latest version's, as the API has it.
	if s, want := text("#spike-summary"), apiSummary(t, base, spike.ID, tk.read); s != want {
		t.Errorf("detail summary %q, want %q", s, want)
	}
	if ev := strings.ToLower(text("#evidence")); !strings.Contains(ev, "negative posts") || !strings.Contains(ev, "%") {
		t.Errorf("evidence shows %q, want the counts and the change", ev)
	}
	if s := text("#samples"); !slices.ContainsFunc(complaints, func(c string) bool { return strings.Contains(s, c) }) {
		t.Errorf("sample posts %q show none of the complaints the test posted", s)
	}

	// A read-only token cannot add a note, and the page says why.
	const noteText = "Statement posted on the status page; fix being deployed."
	do("note with a read-only token", keys("#note-text", noteText), click(`#note-form button[type="submit"]`), visible("#note-error"))
	if s := text("#note-error"); !strings.Contains(s, "write role") {
		t.Errorf("a read-only token's note shows %q, want it to name the write role", s)
	}

	// With a write token the note is added, shown, and kept by the server.
	do("sign in with a write token and add the note",
		click("#signout"), visible("#auth-token"), keys("#auth-token", tk.write), click(`#auth-form button[type="submit"]`),
		visible("#samples"), keys("#note-text", noteText), keys("#note-author", "Dana from PR"),
		click(`#note-form button[type="submit"]`), visible("#notes li"),
		chromedp.Reload(), visible("#notes li"), visible("#samples"))
	if s := text("#notes"); !strings.Contains(s, noteText) || !strings.Contains(s, "Dana from PR (via it-oncall)") {
		t.Errorf("after a reload the notes show %q, want the note by Dana from PR (via it-oncall)", s)
	}
	// Times say their zone, and the same text is not quoted twice (copies
	// are shown once with a count).
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const tz = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" }).formatToParts(new Date()).find(p => p.type === "timeZoneName").value;
		return document.querySelector("#spike .meta").textContent.includes(tz) && document.querySelector("#spike-chart").textContent.includes("times in " + tz);
	})()`)); err != nil || !ok {
		t.Errorf("the spike's times do not name their time zone (err %v)", err)
	}
	if dups := strs(`(() => {
		const seen = new Set(), dups = [];
		for (const b of document.querySelectorAll("#samples blockquote")) {
			const k = b.textContent.toLowerCase().replace(/https?:\/\/\S+|@\w+/g, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
			if (seen.has(k)) dups.push(b.textContent); else seen.add(k);
		}
		return dups;
	})()`); len(dups) > 0 {
		t.Errorf("sample posts repeat the same text: %q", dups)
	}
	// The page at a desktop and a phone width: screenshots for people, and at
	// 390 px the spike list fits without scrolling sideways.
	for _, w := range []struct {
		name          string
		width, height int64
	}{{"1400", 1400, 900}, {"390", 390, 844}} {
		do("resize to "+w.name+" px", chromedp.EmulateViewport(w.width, w.height), visible("#samples"))
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			fail("screenshot", err)
		}
		saveArtifact(t, "webui-spike-"+w.name+".png", shot)
	}
	do("back to the list at 390 px", chromedp.Navigate(base+"/ui/#/?feature="+feature), visible(row))
	if over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const wrap = document.querySelector("#spikes-table").parentElement;
		return wrap.scrollWidth > wrap.clientWidth + 1 || document.documentElement.scrollWidth > window.innerWidth + 1;
	})()`)); err != nil || over {
		t.Errorf("at 390 px the spike table is wider than the screen (err %v)", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		fail("screenshot", err)
	}
	saveArtifact(t, "webui-list-390.png", shot)
	do("back to 1400 px", chromedp.EmulateViewport(1400, 900), chromedp.Navigate(base+"/ui/#/spikes/"+url.PathEscape(spike.ID)), visible("#samples"))
	if shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		fail("screenshot", err)
	}
	saveArtifact(t, "webui.png", shot)

	// The live heatmap has the feature's row with its complaints counted.
	cell := fmt.Sprintf(`#heatmap[data-window="5m"] tr[data-feature=%q] td.negative`, feature)
	do("live matrix", click(`a[data-nav="live"]`), visible(`#windows button[data-window="5m"]`),
		click(`#windows button[data-window="5m"]`), visible(cell), visible("#emerging > *"))
	if n := text(cell); n == "" || n == "0" {
		t.Errorf("the heatmap shows %q negative posts about %s in 5m, want some", n, feature)
	}
	if shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		fail("screenshot", err)
	}
	saveArtifact(t, "webui-live.png", shot)

	if p := problems(); len(p) > 0 {
		t.Errorf("the browser reported problems: %q", p)
	}
}

// apiSummary reads a spike's summary from the API.
func apiSummary(t *testing.T, base, id, token string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/spikes/"+url.PathEscape(id), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		Summary string `json:"summary"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET spike %s: %d %v", id, resp.StatusCode, err)
	}
	return s.Summary
}

// saveArtifact writes a test artifact to artifacts/ at the repository root
// (git-ignored; CI keeps it).
func saveArtifact(t *testing.T, name string, b []byte) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "artifacts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
