package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/impactmatrix"
)

// fuzzWindows are the windows of the fuzzed matrix endpoint, the
// configuration's default.
var fuzzWindows = []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour, 24 * time.Hour}

// FuzzMatrixQuery sends arbitrary query strings to the matrix endpoint of
// the real server, over a real matrix store in miniredis. A bad window or
// end must get a 400 that names it in the API's JSON error shape, never a
// 5xx; anything else a 200 whose body is JSON for one configured window.
func FuzzMatrixQuery(f *testing.F) {
	h := fuzzServer(f)
	for _, q := range []string{
		"",
		"window=1h",
		"window=15m&end=2026-11-23T09:00:00Z",
		"window=24h&end=2026-11-23T09:00:00.5%2B05:30",
		"end=9999-12-31T23:59:59Z",
		"end=0000-01-01T00:00:00Z",
		"window=86400s&end=0000-01-01T00:00:00%2B23:59",
		"window=7m",
		"window=%zz",
		"end=yesterday&window=-1h",
		"window=1h;end=x",
		"=1h",
		"other=1&window=1h&window=15m",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		u := &url.URL{Path: "/api/v1/matrix", RawQuery: rawQuery}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL, req.RequestURI = u, u.RequestURI()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s: %d with Content-Type %q: %s", u, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		switch res.StatusCode {
		case http.StatusOK:
			var v struct {
				Window string `json:"window"`
				Matrix struct {
					From, To string
					Rows     []json.RawMessage
				} `json:"matrix"`
			}
			if err := dec.Decode(&v); err != nil || v.Matrix.Rows == nil {
				t.Fatalf("%s: 200 body is not the matrix JSON (%v): %s", u, err, body)
			}
			d, err := time.ParseDuration(v.Window)
			if err != nil || !slices.Contains(fuzzWindows, d) {
				t.Fatalf("%s: answered for window %q", u, v.Window)
			}
			// The bounds are times a client can read back: RFC 3339, one
			// window apart.
			from, err1 := time.Parse(time.RFC3339, v.Matrix.From)
			to, err2 := time.Parse(time.RFC3339, v.Matrix.To)
			if err1 != nil || err2 != nil || to.Sub(from) != d {
				t.Fatalf("%s: matrix from %q to %q is not an RFC 3339 window of %s", u, v.Matrix.From, v.Matrix.To, v.Window)
			}
		case http.StatusBadRequest:
			var e Error
			if err := dec.Decode(&e); err != nil || e.Parameter == "" || !strings.HasPrefix(e.Error, "invalid parameter "+e.Parameter+": ") {
				t.Fatalf("%s: 400 body does not name its parameter: %s", u, body)
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

// Queries that broke FuzzMatrixQuery's properties: an end whose window
// reaches past year 9999 or before year 0 answered 200 with bounds that are
// not RFC 3339 ("10000-01-01T00:00:00Z"), and pairs that do not decode were
// dropped.
func TestMatrixQueryEdges(t *testing.T) {
	h := fuzzServer(t)
	tests := []struct {
		name, query string
		status      int
		param       string
	}{
		{"end whose window closes after year 9999", "end=9999-12-31T23:59:59Z", 400, "end"},
		{"end whose window opens before year 0", "end=0000-01-01T00:00:00Z", 400, "end"},
		{"end at the first representable window", "window=15m&end=0000-01-01T00:15:00Z", 200, ""},
		{"end at the last representable window", "window=24h&end=9999-12-31T23:59:00Z", 200, ""},
		{"bad escape in the window", "window=1h%", 400, "window"},
		{"value without a name", "=1h", 400, "=1h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/matrix?"+tt.query, nil))
			var v map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || rec.Code != tt.status {
				t.Fatalf("GET ?%s = %d %s, want %d with a JSON body", tt.query, rec.Code, rec.Body, tt.status)
			}
			if tt.param != "" && v["parameter"] != tt.param {
				t.Errorf("GET ?%s names %v, want %q", tt.query, v["parameter"], tt.param)
			}
		})
	}
}

// fuzzServer returns the handler of a server (not serving) over a matrix
// store in miniredis with a registered source and one bucket of counts.
func fuzzServer(tb testing.TB) http.Handler {
	mr := miniredis.RunT(tb)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	tb.Cleanup(func() { _ = rdb.Close() })
	st, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: "fuzz", Bucket: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		tb.Fatal(err)
	}
	src := impactmatrix.Source{Topic: "posts", Partition: 0}
	d := impactmatrix.NewDelta(time.Minute)
	d.Add(now.Add(-5*time.Minute), "checkout", impactmatrix.Negative, -0.5, 2)
	if err := st.Register(context.Background(), src); err != nil {
		tb.Fatal(err)
	}
	if err := st.Apply(context.Background(), src, -1, 0, d); err != nil {
		tb.Fatal(err)
	}
	s, err := New(Options{Listen: "127.0.0.1:0", Windows: fuzzWindows, Matrix: st, Gatherer: prometheus.NewRegistry(),
		MaxBodyBytes: 1024, Now: func() time.Time { return now }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.ln.Close() })
	return s.srv.Handler
}
