package spikes

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

// Routes FuzzSpikesQuery sends its query to, picked by its first argument.
var fuzzRoutes = []string{"/api/v1/spikes", "/api/v1/spikes.csv", "/api/v1/spikes/", "/api/v1/features"}

// FuzzSpikesQuery sends arbitrary query strings, spike ids and cursors to
// the real handlers over a real history in miniredis. Bad parameters must
// get a 400 that names them in the API's JSON error shape, never a 5xx; an
// unknown spike a JSON 404; anything else a 200 whose body is what the
// endpoint promises, with the filters applied.
//
// The cursor argument, when set, is sealed for the request's own filters
// (as a previous page would have), so that arbitrary inner cursors reach
// the history rather than stopping at the seal check.
func FuzzSpikesQuery(f *testing.F) {
	mux, ids := fuzzHandler(f)
	for _, s := range []struct {
		route             uint8
		query, id, cursor string
	}{
		{0, "", "", ""},
		{0, "feature=checkout&priority=P1&state=firing&order=asc&limit=2", "", ""},
		{0, "from=2026-11-23T10:00:00Z&to=2026-11-23T11:00:00%2B01:00&q=Declined", "", ""},
		{0, "limit=1", "", "1700000000000|checkout-1"},
		{0, "order=desc&limit=1", "", "-9223372036854775808|\xff"},
		{0, "cursor=MS5hYmMuMTI", "", ""},
		{0, "feature=Check-Out&priority=9&state=open&limit=0&order=up&q=%ff", "", ""},
		{0, "limit=1&limit=2&bogus=1&=x&a;b=c&from=%zz", "", ""},
		{0, "from=9999-12-31T23:59:59Z&to=0000-01-01T00:00:00Z", "", "x"},
		{1, "state=resolved&limit=10000", "", ""},
		{1, "limit=10001", "", "0|a"},
		{2, "", ids[0], ""},
		{2, "", ids[1], ""},
		{2, "x=1", ids[0], ""},
		{2, "", "no-such-spike", ""},
		{2, "", "a|b\r\n", ""},
		{2, "", strings.Repeat("x", 257), ""},
		{2, "", "a/b%2F..", ""},
		{3, "", "", ""},
		{3, "version=1", "", ""},
	} {
		f.Add(s.route, s.query, s.id, s.cursor)
	}
	f.Fuzz(func(t *testing.T, route uint8, rawQuery, id, cursor string) {
		r := int(route) % len(fuzzRoutes)
		u := &url.URL{Path: fuzzRoutes[r], RawQuery: rawQuery}
		if r == 2 {
			if id == "." || id == ".." {
				return // the mux redirects dot segments before any handler runs
			}
			u.Path += id
			u.RawPath = fuzzRoutes[r] + url.PathEscape(id)
		}
		if cursor != "" && r < 2 {
			if v, err := url.ParseQuery(rawQuery); err == nil {
				v.Del("cursor")
				if lr, perr := parseList(v, 1, 1<<30); perr == nil {
					u.RawQuery += "&cursor=" + url.QueryEscape(sealCursor(cursor, lr.key))
				}
			}
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL, req.RequestURI = u, u.RequestURI()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)

		switch res.StatusCode {
		case http.StatusOK:
			checkOK(t, r, u, id, res.Header, body)
		case http.StatusBadRequest:
			e := checkJSONError(t, u, res.Header, body)
			if e.Parameter == "" || !strings.HasPrefix(e.Error, "invalid parameter "+e.Parameter+": ") {
				t.Fatalf("%s: 400 %q does not name its parameter (%q)", u, e.Error, e.Parameter)
			}
		case http.StatusNotFound:
			if r == 2 && string(body) == "404 page not found\n" {
				return // the mux has no route for an empty id, or one of only "/"
			}
			checkJSONError(t, u, res.Header, body)
			if r != 2 {
				t.Fatalf("%s: 404 %s", u, body)
			}
		default:
			t.Fatalf("%s: status %d: %s", u, res.StatusCode, body)
		}
		// A query that does not decode is never taken as some other query.
		if _, err := url.ParseQuery(rawQuery); err != nil && res.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: malformed query (%v) answered %d", u, err, res.StatusCode)
		}
	})
}

// Queries that broke FuzzSpikesQuery's properties: a pair without a name was
// refused naming no parameter, and pairs that do not decode were dropped,
// so that a mistyped filter answered for everything.
func TestMalformedQueryIsRefusedNamingItsParameter(t *testing.T) {
	mux, ids := fuzzHandler(t)
	tests := []struct {
		name, target, param string
	}{
		{"value without a name", "/api/v1/spikes?=x", "=x"},
		{"bad escape in a filter value", "/api/v1/spikes?feature=checkout%", "feature"},
		{"bad escape in a name", "/api/v1/spikes.csv?fea%zzture=checkout", "fea%zzture"},
		{"semicolon separator", "/api/v1/spikes?state=firing;limit=1", "state"},
		{"bad escape on the detail", "/api/v1/spikes/" + ids[0] + "?%", "%"},
		{"bad escape on the features", "/api/v1/features?x=%2", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.target, nil))
			var e fuzzError
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != http.StatusBadRequest || e.Parameter != tt.param {
				t.Errorf("GET %s = %d %s, want 400 naming %q", tt.target, rec.Code, rec.Body, tt.param)
			}
		})
	}
}

// fuzzError is the API's JSON error body, read strictly.
type fuzzError struct {
	Error     string `json:"error"`
	Parameter string `json:"parameter"`
}

func checkJSONError(t *testing.T, u *url.URL, h http.Header, body []byte) fuzzError {
	t.Helper()
	var e fuzzError
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if !strings.HasPrefix(h.Get("Content-Type"), "application/json") || dec.Decode(&e) != nil || e.Error == "" {
		t.Fatalf("%s: error body is not the JSON error shape: %s", u, body)
	}
	return e
}

// checkOK checks a 200: the body the route promises, filtered as asked.
func checkOK(t *testing.T, route int, u *url.URL, id string, h http.Header, body []byte) {
	t.Helper()
	q := u.Query()
	switch route {
	case 0:
		var l SpikeList
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatalf("%s: list is not JSON: %v", u, err)
		}
		limit := DefaultPageSize
		if s := q.Get("limit"); s != "" {
			limit, _ = strconv.Atoi(s)
		}
		if len(l.Spikes) > limit {
			t.Fatalf("%s: %d spikes on a page of %d", u, len(l.Spikes), limit)
		}
		for _, s := range l.Spikes {
			if f := q.Get("feature"); f != "" && s.Feature != f || q.Get("state") != "" && string(s.State) != q.Get("state") {
				t.Fatalf("%s: spike %+v does not match the filters", u, s)
			}
		}
	case 1:
		if !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: export Content-Type %q", u, h.Get("Content-Type"))
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(rows) == 0 || !slices.Equal(rows[0], csvHeader) {
			t.Fatalf("%s: export is not CSV under its header (%v): %s", u, err, body)
		}
		for _, row := range rows[1:] {
			if f := q.Get("feature"); f != "" && row[4] != f || q.Get("state") != "" && row[8] != q.Get("state") {
				t.Fatalf("%s: row %q does not match the filters", u, row)
			}
		}
	case 2:
		var d Detail
		if err := json.Unmarshal(body, &d); err != nil || d.ID != id || d.Timeline == nil || len(d.Warnings) > 0 {
			t.Fatalf("%s: detail of %q is not complete JSON (%v): %s", u, id, err, body)
		}
	case 3:
		var l FeatureList
		if err := json.Unmarshal(body, &l); err != nil || len(l.Features) == 0 {
			t.Fatalf("%s: features are not JSON (%v): %s", u, err, body)
		}
	}
}

// fuzzHandler serves the spike API over a small history in miniredis,
// built once for the whole fuzz run. It returns the handler and the ids of
// the stored spikes.
func fuzzHandler(f testing.TB) (http.Handler, []string) {
	mr := miniredis.RunT(f)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	f.Cleanup(func() { _ = rdb.Close() })
	ob, err := alert.NewOutbox(rdb, alert.OutboxOptions{Prefix: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	st, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: "fuzz", Bucket: time.Minute, Retention: 24 * time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Hour)
	var ids []string
	for i, s := range []struct {
		feature string
		state   alert.State
	}{{"checkout", alert.StateFiring}, {"login", alert.StateResolved}, {"payment", alert.StateFiring}, {"checkout", alert.StateResolved}} {
		start := now.Add(-time.Duration(3*i+1) * time.Hour)
		a := alert.Alert{
			ID: s.feature + "-" + strconv.Itoa(i), Fingerprint: alert.Fingerprint(s.feature, alert.KindNegativeSurge),
			Kind: alert.KindNegativeSurge, State: s.state, Priority: 1 + i%4, Sequence: 1, StartsAt: start, UpdatedAt: start,
			Summary: "=" + s.feature + ": +310% negative posts",
			Evidence: alert.Evidence{Feature: s.feature, Window: 15 * time.Minute, Current: 40, Baseline: 9, ChangePct: 310,
				TopWords: []string{"failing", "declined"},
				Samples:  []alert.Sample{{ID: "p" + strconv.Itoa(i), Text: "card declined, checkout failing", Time: start}}},
		}
		if s.state == alert.StateResolved {
			a.EndsAt = start.Add(30 * time.Minute)
			a.UpdatedAt = a.EndsAt
		}
		if _, err := ob.Publish(context.Background(), a); err != nil {
			f.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	h, err := New(Options{History: ob, Matrix: st, Taxonomy: func() *feature.Tagger { return tg }, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	mux := api.Mux(api.Routes(api.Endpoints{Spikes: h}))
	return mux, ids
}
