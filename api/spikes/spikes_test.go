package spikes_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

// history publishes four spikes of three features.
func history(t *testing.T, e *env) {
	t.Helper()
	c1 := spike("checkout-1", "checkout", 1, alert.StateFiring, base, "checkout: +310% negative posts vs baseline in 15m (P1)")
	c1.Evidence.Samples = []alert.Sample{{ID: "p1", Text: "Checkout keeps failing, card DECLINED twice", Time: base.Add(5 * time.Minute)}}
	l1 := spike("login-1", "login", 2, alert.StateResolved, base.Add(10*time.Minute), "login: +200% negative posts vs baseline in 15m (P2)")
	l1.Evidence.TopWords = []string{"password"}
	p1 := spike("payment-1", "payment", 3, alert.StateFiring, base.Add(20*time.Minute), "payment: +150% negative posts vs baseline in 15m (P3)")
	p1.Evidence.Samples = []alert.Sample{{ID: "p3", Text: "refund never arrived", Time: base.Add(21 * time.Minute)}}
	c0 := spike("checkout-0", "checkout", 2, alert.StateResolved, base.Add(-2*time.Hour), "checkout: +120% negative posts vs baseline in 15m (P2)")
	e.publish(t, c1, l1, p1, c0)
}

func TestListFiltersByFeaturePriorityStateTimeAndText(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		history(t, e)
		tests := []struct {
			name, query string
			want        []string
		}{
			{"no filter lists newest first", "", []string{"payment-1", "login-1", "checkout-1", "checkout-0"}},
			{"order asc lists oldest first", "order=asc", []string{"checkout-0", "checkout-1", "login-1", "payment-1"}},
			{"feature", "feature=checkout", []string{"checkout-1", "checkout-0"}},
			{"priority as a number", "priority=2", []string{"login-1", "checkout-0"}},
			{"priority as a label", "priority=P1", []string{"checkout-1"}},
			{"state", "state=resolved", []string{"login-1", "checkout-0"}},
			{"time range includes from, excludes to", "from=" + rfc(base) + "&to=" + rfc(base.Add(20*time.Minute)), []string{"login-1", "checkout-1"}},
			{"text in a sample post, any case", "q=declined", []string{"checkout-1"}},
			{"text in the top words", "q=PassWord", []string{"login-1"}},
			{"text in the summary", "q=%2B150%25", []string{"payment-1"}},
			{"filters combine", "feature=checkout&state=firing", []string{"checkout-1"}},
			{"nothing matches", "feature=search", []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, next := ids(t, e.get(t, "/api/v1/spikes?"+tt.query))
				if !slices.Equal(got, tt.want) || next != "" {
					t.Fatalf("got %v (next %q), want %v", got, next, tt.want)
				}
			})
		}
		// A listed spike carries what a table needs.
		var l spikes.SpikeList
		e.get(t, "/api/v1/spikes?feature=payment").json(t, &l)
		s := l.Spikes[0]
		if s.FeatureName != "Payment" || s.PriorityLabel != "P3" || s.State != alert.StateFiring || s.Window != "15m" ||
			s.ChangePct != 310 || s.SampleCount != 1 || !s.StartsAt.Equal(base.Add(20*time.Minute)) || !s.EndsAt.IsZero() {
			t.Fatalf("listed spike = %+v", s)
		}
	})
}

func TestListPagesAreStableWhileSpikesArrive(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		const n = 23
		for i := range n { // three spikes share each start time: ties are ordered by id
			e.publish(t, spike(id(i), "search", 1+i%4, alert.StateFiring, base.Add(time.Duration(i/3)*time.Minute), "search"))
		}
		for _, order := range []string{"desc", "asc"} {
			t.Run(order, func(t *testing.T) {
				var want []string
				for i := range n {
					want = append(want, id(i))
				}
				if order == "desc" {
					slices.Reverse(want)
				}
				var got []string
				cursor, pages := "", 0
				for {
					q := url.Values{"order": {order}, "limit": {"5"}}
					if cursor != "" {
						q.Set("cursor", cursor)
					}
					page, next := ids(t, e.get(t, "/api/v1/spikes?"+q.Encode()))
					pages++
					if next != "" && len(page) != 5 {
						t.Fatalf("page %d has %d spikes and a next cursor", pages, len(page))
					}
					got = append(got, page...)
					if next == "" {
						break
					}
					cursor = next
					// Spikes stored meanwhile (newer, and tied with the
					// oldest) must not shift or repeat later pages.
					e.publish(t, spike("new-"+id(pages), "search", 1, alert.StateFiring, base.Add(time.Hour), "late"))
				}
				if order == "desc" && !slices.Equal(got, want) {
					t.Fatalf("pages = %v\nwant   %v", got, want)
				}
				if order == "asc" && !slices.Equal(got[:n], want) {
					t.Fatalf("pages = %v\nwant   %v then the late ones", got, want)
				}
				if pages != 5 && order == "desc" {
					t.Fatalf("%d pages, want 5", pages)
				}
			})
		}
	})
}

func TestCursorOfAnotherQueryIsRefused(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		history(t, e)
		_, next := ids(t, e.get(t, "/api/v1/spikes?limit=1&feature=checkout"))
		if next == "" {
			t.Fatal("no next cursor")
		}
		for _, q := range []string{"limit=1&cursor=" + next, "limit=1&feature=checkout&order=asc&cursor=" + next} {
			r := e.get(t, "/api/v1/spikes?"+q)
			if msg, param := r.apiError(t); r.status != http.StatusBadRequest || param != "cursor" {
				t.Fatalf("%s: %d %q %q, want 400 naming cursor", q, r.status, msg, param)
			}
		}
		// The same query with a different page size may continue.
		got, _ := ids(t, e.get(t, "/api/v1/spikes?limit=10&feature=checkout&cursor="+next))
		if !slices.Equal(got, []string{"checkout-0"}) {
			t.Fatalf("second page = %v", got)
		}
	})
}

func TestBadParametersGet400NamingTheParameter(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		history(t, e)
		_, next := ids(t, e.get(t, "/api/v1/spikes?limit=1"))
		tests := []struct{ name, path, param string }{
			{"feature with capitals and dashes", "/api/v1/spikes?feature=Check-Out", "feature"},
			{"priority out of range", "/api/v1/spikes?priority=5", "priority"},
			{"priority as a word", "/api/v1/spikes?priority=high", "priority"},
			{"unknown state", "/api/v1/spikes?state=open", "state"},
			{"from not RFC 3339", "/api/v1/spikes?from=yesterday", "from"},
			{"to not a date", "/api/v1/spikes?to=2026-13-01T00:00:00Z", "to"},
			{"to before from", "/api/v1/spikes?from=" + rfc(base) + "&to=" + rfc(base.Add(-time.Hour)), "to"},
			{"limit zero", "/api/v1/spikes?limit=0", "limit"},
			{"limit above 500", "/api/v1/spikes?limit=501", "limit"},
			{"limit not a number", "/api/v1/spikes?limit=ten", "limit"},
			{"unknown order", "/api/v1/spikes?order=newest", "order"},
			{"garbage cursor", "/api/v1/spikes?cursor=%21%21", "cursor"},
			{"forged cursor", "/api/v1/spikes?cursor=MS4wMDAwMDAwMDAwMDAuYm9ndXM", "cursor"},
			{"cursor with other filters", "/api/v1/spikes?state=firing&cursor=" + next, "cursor"},
			{"text search too long", "/api/v1/spikes?q=" + strings.Repeat("x", 201), "q"},
			{"misspelt parameter", "/api/v1/spikes?priorty=1", "priorty"},
			{"parameter twice", "/api/v1/spikes?feature=login&feature=checkout", "feature"},
			{"export limit above its maximum", "/api/v1/spikes.csv?limit=10001", "limit"},
			{"export with a bad filter", "/api/v1/spikes.csv?state=done", "state"},
			{"spike id too long", "/api/v1/spikes/" + strings.Repeat("a", 257), "id"},
			{"spike id with a bar", "/api/v1/spikes/a%7Cb", "id"},
			{"parameter on a spike", "/api/v1/spikes/checkout-1?verbose=1", "verbose"},
			{"parameter on features", "/api/v1/features?all=1", "all"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.get(t, tt.path)
				msg, param := r.apiError(t)
				if r.status != http.StatusBadRequest || param != tt.param || !strings.Contains(msg, tt.param) {
					t.Fatalf("%d %q (parameter %q), want 400 naming %q", r.status, msg, param, tt.param)
				}
			})
		}
	})
}

type nopReceiver struct{}

func (nopReceiver) Name() string                            { return "webhook" }
func (nopReceiver) Send(context.Context, alert.Alert) error { return nil }

func TestSpikeShowsEvidenceSamplesLifecycleNotesAndTimeline(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		// A second outbox on the same keys, with a receiver, queues
		// deliveries (nobody runs it: they stay pending).
		withReceiver, err := alert.NewOutbox(rdb, alert.OutboxOptions{Prefix: prefix, Receivers: []alert.Receiver{nopReceiver{}}})
		if err != nil {
			t.Fatal(err)
		}
		start := base.Add(30 * time.Minute)
		v1 := spike("checkout-9", "checkout", 2, alert.StateFiring, start, "checkout: +150% (P2)")
		v1.Evidence.Samples = []alert.Sample{{ID: "a1", Text: "checkout broken again", Author: "@ann", Time: start.Add(-time.Minute)}}
		v2 := v1
		v2.Sequence, v2.Priority, v2.Summary, v2.UpdatedAt = 2, 1, "checkout: +400% (P1)", start.Add(10*time.Minute)
		v3 := v2
		v3.Sequence, v3.State, v3.EndsAt, v3.UpdatedAt = 3, alert.StateResolved, start.Add(30*time.Minute), start.Add(30*time.Minute)
		for _, v := range []alert.Alert{v1, v2, v3} {
			if _, err := withReceiver.Publish(context.Background(), v); err != nil {
				t.Fatal(err)
			}
		}
		// Matrix counts: checkout's row around the spike, and another
		// feature's that must not show.
		ctx := context.Background()
		d := impactmatrix.NewDelta(time.Minute)
		add := func(at time.Time, f string, c impactmatrix.Class, n int) {
			for range n {
				d.Add(at, f, c, -0.5, 1)
			}
		}
		add(start.Add(time.Minute), "checkout", impactmatrix.Negative, 5)
		add(start.Add(time.Minute), "checkout", impactmatrix.Neutral, 2)
		add(start.Add(2*time.Minute), "checkout", impactmatrix.Negative, 7)
		add(start.Add(time.Minute), "login", impactmatrix.Negative, 9)
		src := impactmatrix.Source{Topic: "social.posts", Partition: 0}
		if err := e.store.Register(ctx, src); err != nil {
			t.Fatal(err)
		}
		if err := e.store.Apply(ctx, src, -1, 1, d); err != nil {
			t.Fatal(err)
		}
		// Recent samples: one from the spike's time, one from long after.
		if err := e.store.AddSamples(ctx, "checkout", impactmatrix.Negative, []impactmatrix.Sample{
			{ID: "r1", Text: "payment page spins forever at checkout", Time: start.Add(5 * time.Minute)},
			{ID: "r2", Text: "checkout slow today", Time: start.Add(5 * time.Hour)},
			{ID: "a1", Text: "checkout broken again", Time: start.Add(-time.Minute)},
		}); err != nil {
			t.Fatal(err)
		}
		if r := e.do(t, http.MethodPost, "/api/v1/spikes/checkout-9/notes", writeToken, map[string]string{"text": "fix deployed 14:05"}); r.status != http.StatusCreated {
			t.Fatalf("note: %d %s", r.status, r.body)
		}

		r := e.get(t, "/api/v1/spikes/checkout-9")
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var got spikes.Detail
		r.json(t, &got)
		if got.State != alert.StateResolved || got.Priority != 1 || got.Sequence != 3 || !got.EndsAt.Equal(start.Add(30*time.Minute)) ||
			got.PValue != 1e-9 || got.Owner != "checkout-team" || len(got.TopWords) != 2 {
			t.Errorf("spike = %+v", got.Spike)
		}
		var seqs []int
		for _, v := range got.Versions {
			seqs = append(seqs, v.Sequence)
		}
		if !slices.Equal(seqs, []int{1, 2, 3}) || got.Versions[0].PriorityLabel != "P2" || got.Versions[2].State != alert.StateResolved {
			t.Errorf("versions = %+v", got.Versions)
		}
		var samples []string
		for _, s := range got.Samples {
			samples = append(samples, s.ID+":"+s.Source)
		}
		if !slices.Equal(samples, []string{"a1:alert", "r1:recent"}) {
			t.Errorf("samples = %v, want the alert's own, then the recent one from the spike's time", samples)
		}
		if len(got.Deliveries) != 3 || got.Deliveries[0].Receiver != "webhook" || got.Deliveries[0].State != alert.DeliveryPending {
			t.Errorf("deliveries = %+v", got.Deliveries)
		}
		if len(got.Notes) != 1 || got.Notes[0].Text != "fix deployed 14:05" || got.Notes[0].Author != "it-oncall" {
			t.Errorf("notes = %+v", got.Notes)
		}
		tl := got.Timeline
		if tl == nil || len(got.Warnings) != 0 {
			t.Fatalf("timeline %+v, warnings %v", tl, got.Warnings)
		}
		wantFrom, wantTo := start.Add(-time.Hour), start.Add(30*time.Minute+time.Hour)
		if !tl.From.Equal(wantFrom) || !tl.To.Equal(wantTo) || tl.Step != "1m" || tl.Truncated || len(tl.Points) != 150 {
			t.Fatalf("timeline %v..%v step %s truncated %v, %d points; want %v..%v, 1m, 150", tl.From, tl.To, tl.Step, tl.Truncated, len(tl.Points), wantFrom, wantTo)
		}
		p := tl.Points[61]
		if !p.Start.Equal(start.Add(time.Minute)) || p.Negative != 5 || p.Neutral != 2 || tl.Points[62].Negative != 7 {
			t.Errorf("points at the spike = %+v, %+v", p, tl.Points[62])
		}
		var total int64
		for _, p := range tl.Points {
			total += p.Negative + p.Neutral + p.Positive + p.Unscored
		}
		if total != 14 {
			t.Errorf("timeline total %d, want 14 (checkout's row only)", total)
		}
	})
}

func TestFiringSpikeTimelineEndsNowAndUnknownSpikeIs404(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		history(t, e)
		var d spikes.Detail
		r := e.get(t, "/api/v1/spikes/checkout-1")
		r.json(t, &d)
		now := time.Now()
		if r.status != http.StatusOK || d.Timeline == nil || d.Timeline.To.After(now.Add(time.Minute)) || d.Timeline.To.Before(now.Add(-2*time.Minute)) {
			t.Fatalf("%d: timeline %+v, want one ending now", r.status, d.Timeline)
		}
		if len(d.Samples) != 1 || d.Samples[0].Text != "Checkout keeps failing, card DECLINED twice" {
			t.Fatalf("samples = %+v", d.Samples)
		}
		r = e.get(t, "/api/v1/spikes/no-such-spike")
		if msg, _ := r.apiError(t); r.status != http.StatusNotFound || !strings.Contains(msg, "not found") {
			t.Fatalf("unknown spike: %d %s", r.status, msg)
		}
	})
}

func TestExportWritesEscapedCSVAsAnAttachment(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		tricky := spike("checkout-2", "checkout", 1, alert.StateResolved, base, "checkout: \"down\", again\nsecond line")
		tricky.Evidence.FeatureName = "=HYPERLINK(\"http://evil\")"
		tricky.Evidence.TopWords = []string{"@admin", "crash"}
		plain := spike("login-2", "login", 3, alert.StateFiring, base.Add(time.Minute), "login: +150% (P3)")
		e.publish(t, tricky, plain)

		r := e.get(t, "/api/v1/spikes.csv?order=asc")
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="spikes-`) || !strings.HasSuffix(cd, `.csv"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, r.body)
		}
		if len(rows) != 3 {
			t.Fatalf("%d rows, want a header and 2:\n%s", len(rows), r.body)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, h := range []string{"id", "started_at", "ended_at", "feature", "priority", "state", "change_pct", "summary"} {
			if _, ok := col[h]; !ok {
				t.Fatalf("header %v lacks %s", rows[0], h)
			}
		}
		first := rows[1]
		if first[col["id"]] != "checkout-2" || first[col["summary"]] != "checkout: \"down\", again\nsecond line" ||
			first[col["priority"]] != "P1" || first[col["state"]] != "resolved" || first[col["started_at"]] != rfc(base) ||
			first[col["ended_at"]] != rfc(base.Add(30*time.Minute)) || first[col["change_pct"]] != "310.0" {
			t.Errorf("row = %q", first)
		}
		if got := first[col["feature_name"]]; got != "'=HYPERLINK(\"http://evil\")" {
			t.Errorf("formula cell not defused: %q", got)
		}
		if got := first[col["top_words"]]; got != "'@admin crash" {
			t.Errorf("top words %q", got)
		}
		if rows[2][col["ended_at"]] != "" {
			t.Errorf("firing spike has an end: %q", rows[2])
		}

		// The list's filters apply, and limit caps the rows.
		for q, want := range map[string]int{"feature=login": 1, "limit=1": 1, "state=firing&priority=1": 0} {
			r := e.get(t, "/api/v1/spikes.csv?"+q)
			rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
			if err != nil || len(rows) != want+1 {
				t.Errorf("%s: %d rows (%v), want header + %d", q, len(rows), err, want)
			}
		}
	})
}

func TestNotesNeedTheWriteRole(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		history(t, e)
		const path = "/api/v1/spikes/checkout-1/notes"
		r := e.do(t, http.MethodPost, path, writeToken, map[string]string{"text": "  statement posted 14:05  "})
		var created struct{ Note alert.Note }
		r.json(t, &created)
		if r.status != http.StatusCreated || created.Note.Author != "it-oncall" || created.Note.Text != "statement posted 14:05" ||
			r.header.Get("Location") != "/api/v1/spikes/checkout-1" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		r = e.do(t, http.MethodPost, path, adminToken, map[string]string{"text": "fix deployed", "author": "Ann Lee"})
		r.json(t, &created)
		if r.status != http.StatusCreated || created.Note.Author != "Ann Lee (via ops-admin)" {
			t.Fatalf("admin note: %d %s", r.status, r.body)
		}
		r = e.do(t, http.MethodPost, path, readToken, map[string]string{"text": "I only read"})
		if msg, _ := r.apiError(t); r.status != http.StatusForbidden || !strings.Contains(msg, `"pr-viewer" has role read`) || !strings.Contains(msg, "needs role write") {
			t.Fatalf("read role: %d %s", r.status, msg)
		}
		r = e.do(t, http.MethodPost, "/api/v1/spikes/gone/notes", writeToken, map[string]string{"text": "hello"})
		if r.status != http.StatusNotFound {
			t.Fatalf("unknown spike: %d %s", r.status, r.body)
		}

		bad := []struct {
			name  string
			body  any
			param string
		}{
			{"empty text", map[string]string{"text": "   "}, "text"},
			{"text too long", map[string]string{"text": strings.Repeat("é", spikes.MaxNoteRunes+1)}, "text"},
			{"control character", map[string]string{"text": "bell\a"}, "text"},
			{"right-to-left override in the text", map[string]string{"text": "fixed \u202edeyolped ton\u202c"}, "text"},
			{"first-strong isolate in the text", map[string]string{"text": "ok \u2068x\u2069"}, "text"},
			{"left-to-right embedding in the author", map[string]string{"text": "ok", "author": "\u202aann"}, "author"},
			{"author too long", map[string]string{"text": "ok", "author": strings.Repeat("a", spikes.MaxAuthorRunes+1)}, "author"},
			{"unknown field", map[string]string{"txt": "typo"}, "txt"},
			{"text not a string", map[string]any{"text": 12}, "text"},
			{"not an object", []string{"text"}, "body"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(t, http.MethodPost, path, writeToken, tt.body)
				if msg, param := r.apiError(t); r.status != http.StatusBadRequest || param != tt.param {
					t.Fatalf("%d %q (parameter %q), want 400 naming %q", r.status, msg, param, tt.param)
				}
			})
		}
		req, _ := http.NewRequest(http.MethodPost, e.url+path, strings.NewReader("text=hi"))
		req.Header.Set("Authorization", "Bearer "+writeToken)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("form post: %d, want 415", resp.StatusCode)
		}

		var d spikes.Detail
		e.get(t, "/api/v1/spikes/checkout-1").json(t, &d)
		if len(d.Notes) != 2 || d.Notes[0].Text != "statement posted 14:05" || d.Notes[1].Text != "fix deployed" {
			t.Fatalf("notes kept with the spike = %+v", d.Notes)
		}
	})
}

func TestAuthFailuresAreClear(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		history(t, e)
		for _, path := range []string{"/api/v1/spikes", "/api/v1/spikes/checkout-1", "/api/v1/spikes.csv", "/api/v1/features", "/api/v1/openapi.json"} {
			r := e.do(t, http.MethodGet, path, "", nil)
			if r.status != http.StatusUnauthorized || strings.TrimSpace(string(r.body)) != `{"error":"missing bearer token"}` ||
				!strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("%s without a token: %d %s %q", path, r.status, r.body, r.header.Get("WWW-Authenticate"))
			}
		}
		r := e.do(t, http.MethodGet, "/api/v1/spikes", readToken+"x", nil)
		if msg, _ := r.apiError(t); r.status != http.StatusUnauthorized || msg != "invalid bearer token" ||
			!strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("wrong token: %d %s", r.status, msg)
		}
		req, _ := http.NewRequest(http.MethodGet, e.url+"/api/v1/spikes", nil)
		req.SetBasicAuth("pr-viewer", readToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("basic auth: %d, want 401", resp.StatusCode)
		}
		for _, tok := range []string{readToken, writeToken, adminToken} {
			if r := e.do(t, http.MethodGet, "/api/v1/spikes", tok, nil); r.status != http.StatusOK {
				t.Errorf("token %s…: %d", tok[:5], r.status)
			}
		}
	})
}

func TestOpenAPIWithoutTokensAndNoteAuthorIsAnonymous(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix, openAPI())
		history(t, e)
		if r := e.do(t, http.MethodGet, "/api/v1/spikes", "", nil); r.status != http.StatusOK {
			t.Fatalf("open API without token: %d", r.status)
		}
		var created struct{ Note alert.Note }
		r := e.do(t, http.MethodPost, "/api/v1/spikes/checkout-1/notes", "", map[string]string{"text": "seen"})
		r.json(t, &created)
		if r.status != http.StatusCreated || created.Note.Author != "anonymous" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		// A valid token still names the author.
		r = e.do(t, http.MethodPost, "/api/v1/spikes/checkout-1/notes", writeToken, map[string]string{"text": "seen too"})
		r.json(t, &created)
		if created.Note.Author != "it-oncall" {
			t.Fatalf("author %q", created.Note.Author)
		}
	})
}

func TestCORSIsOffByDefaultAndOnlyForListedOrigins(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		preflight := func(e *env, origin string) *http.Response {
			req, _ := http.NewRequest(http.MethodOptions, e.url+"/api/v1/spikes/x/notes", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		off := newEnv(t, rdb, prefix)
		if resp := preflight(off, "https://pr.example.com"); resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.StatusCode < 400 {
			t.Errorf("CORS off: preflight answered %d %v", resp.StatusCode, resp.Header)
		}

		on := newEnv(t, rdb, prefix, withCORS("https://pr.example.com"))
		resp := preflight(on, "https://pr.example.com")
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://pr.example.com" ||
			!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") ||
			!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("listed origin preflight: %d %v", resp.StatusCode, resp.Header)
		}
		if resp := preflight(on, "https://evil.example.com"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("unlisted origin got CORS headers: %v", resp.Header)
		}
		req, _ := http.NewRequest(http.MethodGet, on.url+"/api/v1/features", nil)
		req.Header.Set("Origin", "https://pr.example.com")
		req.Header.Set("Authorization", "Bearer "+readToken)
		got, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got.Body.Close()
		if got.StatusCode != http.StatusOK || got.Header.Get("Access-Control-Allow-Origin") != "https://pr.example.com" {
			t.Errorf("listed origin GET: %d %v", got.StatusCode, got.Header)
		}
	})
}

func TestFeaturesListTheTaxonomyInUse(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		var l spikes.FeatureList
		r := e.get(t, "/api/v1/features")
		r.json(t, &l)
		if r.status != http.StatusOK || l.Version == "" || len(l.Features) < 3 {
			t.Fatalf("%d %+v", r.status, l)
		}
		byID := map[string]spikes.FeatureInfo{}
		for _, f := range l.Features {
			byID[f.ID] = f
		}
		c, ok := byID["checkout"]
		if !ok || c.Name == "" || c.Owner == "" || c.Criticality < 1 || c.Criticality > 5 {
			t.Fatalf("checkout = %+v (ok %v)", c, ok)
		}
	})
}

// otherPackages are the documented routes served outside this package:
// the matrix (package api), emerging terms (package emerging), incidents
// (package incidents) and sentiment corrections (package corrections).
func TestOpenAPIDocumentsEveryRouteAndNothingElse(t *testing.T) {
	if _, err := spikes.New(spikes.Options{}); err == nil {
		t.Fatal("New accepted missing options")
	}
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	e := newEnv(t, rdb, "t", openAPI())
	documented, err := spikes.DocumentedRoutes()
	if err != nil {
		t.Fatal(err)
	}
	// The document covers the whole /api/v1 of the routing table, this
	// package's routes and the others'.
	var table []string
	for _, r := range api.Table() {
		if strings.HasPrefix(r.Pattern, "/api/v1/") {
			table = append(table, r.MuxPattern())
		}
	}
	slices.Sort(table)
	if !slices.Equal(documented, table) {
		t.Fatalf("openapi.json documents %v\nbut the routing table's /api/v1 routes are %v", documented, table)
	}
	for _, r := range e.routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	// The served document is the embedded one, valid JSON, OpenAPI 3, and
	// every $ref resolves.
	r := e.do(t, http.MethodGet, "/api/v1/openapi.json", "", nil)
	var doc map[string]any
	r.json(t, &doc)
	if r.status != http.StatusOK || !strings.HasPrefix(doc["openapi"].(string), "3.") {
		t.Fatalf("%d openapi %v", r.status, doc["openapi"])
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				if k == "$ref" {
					if !resolves(doc, c.(string)) {
						t.Errorf("$ref %s does not resolve", c)
					}
					continue
				}
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(doc)
}

func resolves(doc map[string]any, ref string) bool {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = doc
	for _, part := range strings.Split(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}
