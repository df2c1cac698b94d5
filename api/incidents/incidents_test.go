package incidents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

const (
	readToken  = "read-token-0123456789abcdef"
	writeToken = "write-token-0123456789abcdef"
)

// base is four hours before the current hour, so that the whole scenario
// lies in the past and inside the matrix's retention.
var base = time.Now().UTC().Truncate(time.Hour).Add(-4 * time.Hour)

func at(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }

type env struct {
	url    string
	outbox *alert.Outbox
	store  *impactmatrix.Store
	routes []string
}

func forEachRedis(t *testing.T, fn func(t *testing.T, rdb redis.UniversalClient, prefix string)) {
	t.Helper()
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { _ = rdb.Close() })
		fn(t, rdb, "t")
	})
	t.Run("redis", func(t *testing.T) {
		rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(t)})
		t.Cleanup(func() { _ = rdb.Close() })
		fn(t, rdb, testenv.UniqueName(t, "incidents"))
	})
}

// newEnv serves the incidents API behind the real access control, over an
// outage scenario:
//
//   - the matrix has, every minute from base for four hours, 5 negative and
//     45 positive posts about each of checkout and availability (10 of 100
//     summed), except minutes 180-199 where each has 25 negative and 45
//     positive (50 of 140);
//   - spikes checkout-1 (onset 180, first alert 185, end 200, P2) and
//     availability-1 (onset 182, alert 186, end 205, P1) make one incident;
//     search-1 (60-70) is another.
func newEnv(t *testing.T, rdb redis.UniversalClient, prefix string, opts ...func(*incidents.Options)) *env {
	t.Helper()
	ctx := context.Background()
	ob, err := alert.NewOutbox(rdb, alert.OutboxOptions{Prefix: prefix, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: prefix, Bucket: time.Minute, Retention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	d := impactmatrix.NewDelta(time.Minute)
	for m := range 240 {
		neg := 5
		if m >= 180 && m < 200 {
			neg = 25
		}
		for _, f := range []string{"checkout", "availability"} {
			for range neg {
				d.Add(at(m).Add(time.Second), f, impactmatrix.Negative, -1, 2)
			}
			for range 45 {
				d.Add(at(m).Add(time.Second), f, impactmatrix.Positive, 1, 1)
			}
		}
	}
	src := impactmatrix.Source{Topic: "posts", Partition: 0}
	if err := st.Register(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, src, -1, 1, d); err != nil {
		t.Fatal(err)
	}
	publish := func(id, feat string, prio, onset, alerted, end int) {
		a := alert.Alert{ID: id, Fingerprint: alert.Fingerprint(feat, alert.KindNegativeSurge), Kind: alert.KindNegativeSurge,
			State: alert.StateFiring, Priority: prio, Sequence: 1, StartsAt: at(onset), UpdatedAt: at(alerted),
			Evidence: alert.Evidence{Feature: feat, FeatureName: feat, Window: 15 * time.Minute, TopWords: []string{"down", feat},
				Samples: []alert.Sample{{ID: id + "-post", Text: "<b>" + feat + "</b> is down", Time: at(onset + 1), Count: 2, Inferred: feat == "availability"}}}}
		a.Summary = alert.FormatSummary(a)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		a.Sequence, a.State, a.EndsAt, a.UpdatedAt = 2, alert.StateResolved, at(end), at(end)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	publish("search-1", "search", 3, 60, 62, 70)
	publish("checkout-1", "checkout", 2, 180, 185, 200)
	publish("availability-1", "availability", 1, 182, 186, 205)

	var tokens []auth.Token
	for _, tk := range []struct {
		name  string
		role  auth.Role
		value string
	}{{"pr-viewer", auth.RoleRead, readToken}, {"it-oncall", auth.RoleWrite, writeToken}} {
		tok, err := auth.NewToken(tk.name, tk.role, tk.value)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	guard, err := auth.New(auth.Options{Tokens: tokens, Require: true})
	if err != nil {
		t.Fatal(err)
	}
	o := incidents.Options{History: ob, Matrix: st, Logger: zaptest.NewLogger(t)}
	for _, f := range opts {
		f(&o)
	}
	h, err := incidents.New(o)
	if err != nil {
		t.Fatal(err)
	}
	mounted := api.Routes(api.Endpoints{Incidents: h})
	mux := api.Mux(mounted)
	var routes []string
	for _, r := range mounted {
		routes = append(routes, r.MuxPattern())
	}
	srv := httptest.NewServer(guard.Wrap(mux))
	t.Cleanup(srv.Close)
	return &env{url: srv.URL, outbox: ob, store: st, routes: routes}
}

type response struct {
	status int
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (e *env) do(t *testing.T, method, path, token, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, body: b}
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func TestListGroupsOverlappingSpikes(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		cases := []struct {
			name  string
			query string
			want  []string
		}{
			{"newest first", "", []string{"checkout-1", "search-1"}},
			{"a range that ends before the outage", "?from=" + rfc(at(0)) + "&to=" + rfc(at(120)), []string{"search-1"}},
			{"resolved only", "?state=resolved", []string{"checkout-1", "search-1"}},
			{"open only", "?state=open", []string{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do(t, http.MethodGet, "/api/v1/incidents"+c.query, readToken, "", "")
				if r.status != http.StatusOK {
					t.Fatalf("%d %s", r.status, r.body)
				}
				var l incidents.List
				r.json(t, &l)
				got := []string{}
				for _, in := range l.Incidents {
					got = append(got, in.ID)
				}
				if !slices.Equal(got, c.want) {
					t.Fatalf("incidents %v, want %v", got, c.want)
				}
				if len(l.Incidents) > 0 && l.Incidents[0].ID == "checkout-1" {
					in := l.Incidents[0]
					if in.Priority != 1 || in.SpikeCount != 2 || !slices.Equal(in.Features, []string{"checkout", "availability"}) ||
						!in.Start.Equal(at(180)) || !in.End.Equal(at(205)) || in.State != "resolved" || !slices.Equal(in.Words, []string{"down"}) {
						t.Fatalf("incident %+v", in)
					}
				}
			})
		}
	})
}

func TestDetailMeasuresTheResponse(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		// PR recorded its statement, posted at minute 200, a little later.
		body := `{"type": "statement", "text": "We are aware of checkout errors", "time": "` + rfc(at(200)) + `"}`
		if r := e.do(t, http.MethodPost, "/api/v1/incidents/availability-1/milestones", writeToken, "application/json", body); r.status != http.StatusCreated {
			t.Fatalf("post: %d %s", r.status, r.body)
		}
		if r := e.do(t, http.MethodPost, "/api/v1/incidents/checkout-1/milestones", writeToken, "application/json",
			`{"type": "acknowledged", "author": "dana", "time": "`+rfc(at(190))+`"}`); r.status != http.StatusCreated {
			t.Fatalf("post: %d %s", r.status, r.body)
		}
		for _, id := range []string{"checkout-1", "availability-1"} {
			r := e.do(t, http.MethodGet, "/api/v1/incidents/"+id, readToken, "", "")
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var d incidents.Detail
			r.json(t, &d)
			if d.ID != "checkout-1" || len(d.Spikes) != 2 || len(d.Warnings) != 0 || len(d.Samples) != 2 {
				t.Fatalf("detail %+v", d)
			}
			for _, smp := range d.Samples {
				// The evidence's copy count and the fallback model's mark
				// reach the incident's representative posts.
				if smp.Count != 2 || smp.Inferred != (smp.Feature == "availability") {
					t.Fatalf("sample %+v: want count 2, inferred only for availability", smp)
				}
			}
			if len(d.Milestones) != 2 || d.Milestones[0].Type != "acknowledged" || d.Milestones[0].Author != "dana (via it-oncall)" ||
				d.Milestones[1].Type != "statement" || d.Milestones[1].Author != "it-oncall" || d.Milestones[1].Spike != "availability-1" {
				t.Fatalf("milestones %+v", d.Milestones)
			}
			m := d.Measures
			sec := func(p *float64) float64 {
				if p == nil {
					return -1
				}
				return *p
			}
			// Onset at 180, alert at 185, statement at 200, back in the
			// band from 200: 20 minutes of 40 posts over the baseline of 10.
			if !m.Onset.Equal(at(180)) || !m.Alert.Equal(at(185)) || sec(m.TimeToDetectSeconds) != 300 ||
				sec(m.TimeToFirstResponseSeconds) != 900 || sec(m.TimeToRecoverSeconds) != 900 || !m.Recovered.Equal(at(200)) {
				t.Fatalf("measures onset %v alert %v ttd %v ttfr %v ttr %v recovered %v", m.Onset, m.Alert,
					sec(m.TimeToDetectSeconds), sec(m.TimeToFirstResponseSeconds), sec(m.TimeToRecoverSeconds), m.Recovered)
			}
			if m.ExcessNegative != 800 || m.ExcessReach != 1600 || m.Baseline.Negative != 10 || m.Baseline.Share != 0.1 || m.Baseline.Buckets != 180 {
				t.Fatalf("excess %v reach %v baseline %+v", m.ExcessNegative, m.ExcessReach, m.Baseline)
			}
			eff := m.Effects[1]
			if eff.Before.Negative != 1100 || eff.After.Negative != 300 || !eff.VolumeSignificant || !eff.ShareSignificant || !eff.Complete {
				t.Fatalf("statement effect %+v", eff)
			}
			tl := d.Timeline
			if tl == nil || tl.Step != "1m" || !tl.From.Equal(at(150)) || len(tl.Points) < 60 || tl.Points[30].Negative != 50 {
				t.Fatalf("timeline %+v", tl)
			}
		}
	})
}

func TestDetailWatchesTheAfterCare(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		ctx := context.Background()
		// Posts that say they are leaving: two about checkout in the hour
		// after the end (the watch counts them), one in the hour that
		// began during the incident (it does not), one about search.
		if err := e.store.AddLeaveIntent(ctx, map[impactmatrix.IntentCell]int64{
			{Feature: "checkout", Hour: impactmatrix.HourOf(at(240))}:     2,
			{Feature: "availability", Hour: impactmatrix.HourOf(at(180))}: 1,
			{Feature: "search", Hour: impactmatrix.HourOf(at(240))}:       5,
		}); err != nil {
			t.Fatal(err)
		}
		r := e.do(t, http.MethodGet, "/api/v1/incidents/checkout-1", readToken, "", "")
		var d incidents.Detail
		r.json(t, &d)
		w := d.AfterCare
		if w == nil || len(d.Warnings) != 0 {
			t.Fatalf("after-care %+v, warnings %v", w, d.Warnings)
		}
		// The incident ended at minute 205; the matrix holds minutes
		// 205-239 after it, at the baseline's 10 negative of 100.
		if !w.From.Equal(at(205)) || !w.To.Equal(at(205).Add(30*24*time.Hour)) || w.BaselineShare != 0.1 || len(w.Days) != 1 || w.Complete {
			t.Fatalf("watch %+v", w)
		}
		day := w.Days[0]
		if day.Negative != 350 || day.Scored != 3500 || day.Share != 0.1 || day.Above || day.Complete || !day.Available ||
			day.LeaveIntent != 2 || w.LeaveIntent != 2 || w.DaysAbove != 0 {
			t.Fatalf("first day %+v (watch leave intent %d, days above %d)", day, w.LeaveIntent, w.DaysAbove)
		}
	})
}

// annotator records the milestones it is told of, failing when told to.
type annotator struct {
	got  []string
	fail bool
}

func (a *annotator) AnnotateMilestone(_ context.Context, incident string, m alert.Milestone) (int64, error) {
	a.got = append(a.got, incident+" "+m.Type)
	if a.fail {
		return 0, errors.New("grafana down")
	}
	return 1, nil
}

func TestMilestonesAreAnnotatedUnderTheIncidentLabel(t *testing.T) {
	cases := []struct {
		name string
		fail bool
	}{
		{"grafana up", false},
		{"grafana down: the milestone is still recorded", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
				ann := &annotator{fail: c.fail}
				e := newEnv(t, rdb, prefix, func(o *incidents.Options) { o.Annotator = ann })
				r := e.do(t, http.MethodPost, "/api/v1/incidents/availability-1/milestones", writeToken, "application/json",
					`{"type": "statement", "text": "We know"}`)
				if r.status != http.StatusCreated {
					t.Fatalf("post: %d %s", r.status, r.body)
				}
				// The spikes were raised before incidents were labelled: the
				// spike's own id is the label.
				if len(ann.got) != 1 || ann.got[0] != "availability-1 statement" {
					t.Errorf("annotations %v", ann.got)
				}
			})
		})
	}
}

func TestRequestsAreChecked(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newEnv(t, rdb, prefix)
		future := rfc(time.Now().Add(time.Hour))
		cases := []struct {
			name, method, path, token, ctype, body string
			status                                 int
			param                                  string
		}{
			{"an unknown list parameter", "GET", "/api/v1/incidents?limit=3", readToken, "", "", 400, "limit"},
			{"a bad from", "GET", "/api/v1/incidents?from=yesterday", readToken, "", "", 400, "from"},
			{"from after to", "GET", "/api/v1/incidents?from=" + rfc(at(10)) + "&to=" + rfc(at(5)), readToken, "", "", 400, "from"},
			{"a range over 31 days", "GET", "/api/v1/incidents?from=" + rfc(at(0).Add(-800*time.Hour)), readToken, "", "", 400, "from"},
			{"a bad state", "GET", "/api/v1/incidents?state=closed", readToken, "", "", 400, "state"},
			{"a detail parameter", "GET", "/api/v1/incidents/checkout-1?x=1", readToken, "", "", 400, "x"},
			{"an unknown incident", "GET", "/api/v1/incidents/nope", readToken, "", "", 404, ""},
			{"no token", "GET", "/api/v1/incidents", "", "", "", 401, ""},
			{"a read token posting", "POST", "/api/v1/incidents/checkout-1/milestones", readToken, "application/json", `{"text": "x"}`, 403, ""},
			{"not JSON", "POST", "/api/v1/incidents/checkout-1/milestones", writeToken, "text/plain", `{"text": "x"}`, 415, ""},
			{"an unknown type", "POST", "/api/v1/incidents/checkout-1/milestones", writeToken, "application/json", `{"type": "tweet", "text": "x"}`, 400, "type"},
			{"a note without text", "POST", "/api/v1/incidents/checkout-1/milestones", writeToken, "application/json", `{}`, 400, "text"},
			{"an unknown field", "POST", "/api/v1/incidents/checkout-1/milestones", writeToken, "application/json", `{"text": "x", "when": "now"}`, 400, "when"},
			{"a time in the future", "POST", "/api/v1/incidents/checkout-1/milestones", writeToken, "application/json", `{"type": "statement", "time": "` + future + `"}`, 400, "time"},
			{"a bad time", "POST", "/api/v1/incidents/checkout-1/milestones", writeToken, "application/json", `{"type": "statement", "time": "noon"}`, 400, "time"},
			{"a control character", "POST", "/api/v1/incidents/checkout-1/milestones", writeToken, "application/json", `{"text": "a\u0007b"}`, 400, "text"},
			{"an unknown spike", "POST", "/api/v1/incidents/nope/milestones", writeToken, "application/json", `{"text": "x"}`, 404, ""},
			{"a note defaults its type", "POST", "/api/v1/incidents/checkout-1/milestones", writeToken, "application/json", `{"text": "x"}`, 201, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do(t, c.method, c.path, c.token, c.ctype, c.body)
				if r.status != c.status {
					t.Fatalf("%d %s, want %d", r.status, r.body, c.status)
				}
				if c.param != "" {
					var er struct{ Parameter string }
					r.json(t, &er)
					if er.Parameter != c.param {
						t.Fatalf("parameter %q, want %q: %s", er.Parameter, c.param, r.body)
					}
				}
			})
		}
	})
}

func TestOpenAPIDocumentsTheRoutes(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	e := newEnv(t, rdb, "t")
	documented, err := spikes.DocumentedRoutes()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	if _, err := incidents.New(incidents.Options{}); err == nil {
		t.Fatal("New accepted missing options")
	}
}
