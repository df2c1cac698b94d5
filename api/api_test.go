package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/socialpulse/socialpulse/impactmatrix"
)

type fakeMatrix struct {
	from, to time.Time
	err      error
}

func (f *fakeMatrix) Window(_ context.Context, from, to time.Time) (*impactmatrix.Matrix, error) {
	f.from, f.to = from, to
	if f.err != nil {
		return nil, f.err
	}
	m := &impactmatrix.Matrix{From: from, To: to}
	m.Row("checkout")[impactmatrix.Negative] = impactmatrix.Cell{Count: 3, ScoreSum: -1.5, ReachSum: 4}
	m.Row("checkout")[impactmatrix.Positive] = impactmatrix.Cell{Count: 1, ScoreSum: 0.5, ReachSum: 1}
	return m, nil
}

func (f *fakeMatrix) WindowEnd(t time.Time) time.Time {
	return t.Truncate(time.Minute).Add(time.Minute)
}

var now = time.Date(2026, 11, 23, 10, 7, 30, 0, time.UTC)

func start(t *testing.T, o Options) string {
	t.Helper()
	o.Listen = "127.0.0.1:0"
	o.ReadTimeout, o.WriteTimeout, o.IdleTimeout, o.MaxBodyBytes = time.Second, time.Second, time.Second, 1024
	if o.Windows == nil {
		o.Windows = []time.Duration{15 * time.Minute, time.Hour}
	}
	o.Now = func() time.Time { return now }
	o.Gatherer = prometheus.NewRegistry()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "http://" + s.Addr()
}

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: not JSON: %s", url, body)
	}
	return resp.StatusCode, v
}

func TestMatrixEndpoint(t *testing.T) {
	fm := &fakeMatrix{}
	base := start(t, Options{Matrix: fm})

	t.Run("default window ends after the current bucket", func(t *testing.T) {
		code, v := get(t, base+"/api/v1/matrix")
		if code != 200 || v["window"] != "15m" {
			t.Fatalf("code %d body %v", code, v)
		}
		if want := time.Date(2026, 11, 23, 10, 8, 0, 0, time.UTC); !fm.to.Equal(want) || !fm.from.Equal(want.Add(-15*time.Minute)) {
			t.Fatalf("read [%v, %v)", fm.from, fm.to)
		}
		rows := v["matrix"].(map[string]any)["rows"].([]any)
		row := rows[0].(map[string]any)
		if row["feature"] != "checkout" || row["total"].(float64) != 4 || row["negativeShare"].(float64) != 0.75 {
			t.Fatalf("row = %v", row)
		}
	})
	t.Run("configured window", func(t *testing.T) {
		if code, _ := get(t, base+"/api/v1/matrix?window=1h"); code != 200 || fm.to.Sub(fm.from) != time.Hour {
			t.Fatalf("code %d span %v", code, fm.to.Sub(fm.from))
		}
	})
	t.Run("explicit end", func(t *testing.T) {
		code, _ := get(t, base+"/api/v1/matrix?end=2026-11-23T09:00:00Z")
		if code != 200 || !fm.to.Equal(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("code %d to %v", code, fm.to)
		}
	})
	t.Run("lists the windows it accepts, the default first", func(t *testing.T) {
		code, v := get(t, base+"/api/v1/matrix/windows")
		ws, _ := v["windows"].([]any)
		if code != 200 || v["default"] != "15m" || len(ws) == 0 || ws[0] != "15m" {
			t.Fatalf("code %d body %v", code, v)
		}
		for _, w := range ws {
			if c, _ := get(t, base+"/api/v1/matrix?window="+w.(string)); c != 200 {
				t.Errorf("listed window %v refused: %d", w, c)
			}
		}
	})
	for _, bad := range []struct{ query, param string }{
		{"window=7m", "window"}, {"window=soon", "window"}, {"end=yesterday", "end"},
		{"window=15m&window=1h", "window"},
	} {
		t.Run("rejects "+bad.query, func(t *testing.T) {
			code, v := get(t, base+"/api/v1/matrix?"+bad.query)
			if code != 400 || v["parameter"] != bad.param || !strings.Contains(v["error"].(string), bad.param) {
				t.Fatalf("code %d body %v", code, v)
			}
		})
	}
}

func TestUnknownRoutesAndMethodsAnswerJSON(t *testing.T) {
	base := start(t, Options{Matrix: &fakeMatrix{}})
	tests := []struct {
		name, method, path string
		code               int
		allow              string
	}{
		{"unknown path", http.MethodGet, "/api/v1/nosuch", http.StatusNotFound, ""},
		{"unknown nested path", http.MethodGet, "/api/v1/matrix/nosuch/deeper", http.StatusNotFound, ""},
		{"wrong method", http.MethodPost, "/api/v1/matrix", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"wrong method on windows", http.MethodDelete, "/api/v1/matrix/windows", http.StatusMethodNotAllowed, "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body Error
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("body is not a JSON error: %v", err)
			}
			if resp.StatusCode != tt.code || body.Error == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("%d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body.Error)
			}
			if got := resp.Header.Get("Allow"); got != tt.allow {
				t.Fatalf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestMatrixUnavailableIs503(t *testing.T) {
	base := start(t, Options{Matrix: &fakeMatrix{err: errors.New("redis down")}})
	code, v := get(t, base+"/api/v1/matrix")
	if code != 503 || strings.Contains(v["error"].(string), "redis down") {
		t.Fatalf("code %d body %v (internal errors must not leak)", code, v)
	}
}

func TestReadinessReportsEachCheck(t *testing.T) {
	var redisDown atomic.Bool
	base := start(t, Options{Matrix: &fakeMatrix{}, Ready: []Check{
		{"kafka", func(context.Context) error { return nil }},
		{"redis", func(context.Context) error {
			if !redisDown.Load() {
				return nil
			}
			return errors.New("dial tcp 10.1.2.3:6379: connection refused")
		}},
	}, ShowDetails: func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer known" }})
	if code, v := get(t, base+"/readyz"); code != 200 || v["ready"] != true {
		t.Fatalf("ready: %d %v", code, v)
	}
	redisDown.Store(true)
	tests := []struct {
		name, auth, want string
	}{
		{"anonymous callers see which check failed, not its address", "", "unavailable"},
		{"a known caller sees the error", "Bearer known", "dial tcp 10.1.2.3:6379: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+"/readyz", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var v struct {
				Checks map[string]string `json:"checks"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 503 || v.Checks["redis"] != tt.want || v.Checks["kafka"] != "ok" {
				t.Fatalf("not ready: %d %v, want redis %q", resp.StatusCode, v.Checks, tt.want)
			}
		})
	}
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Fatalf("healthz %d while not ready; liveness must not depend on dependencies", code)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{5 * time.Minute: "5m", 10 * time.Minute: "10m", time.Hour: "1h", 24 * time.Hour: "24h", 90 * time.Minute: "1h30m", 90 * time.Second: "1m30s"} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestNewRefusesMissingOptions(t *testing.T) {
	windows := []time.Duration{15 * time.Minute}
	for _, tt := range []struct {
		name string
		o    Options
	}{
		{"no gatherer (never the global registry)", Options{Listen: "127.0.0.1:0", Windows: windows, Matrix: &fakeMatrix{}}},
		{"no matrix", Options{Listen: "127.0.0.1:0", Windows: windows, Gatherer: prometheus.NewRegistry()}},
		{"no windows", Options{Listen: "127.0.0.1:0", Matrix: &fakeMatrix{}, Gatherer: prometheus.NewRegistry()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := New(tt.o); err == nil {
				_ = s.ln.Close()
				t.Fatal("New accepted the options")
			}
		})
	}
}

func TestParamErrorAnswersA400NamingTheParameter(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteParamError(rec, BadParam("limit", "want 1..%d, got %q", 500, "x"))
	var e Error
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatal(err)
	}
	want := Error{Error: `invalid parameter limit: want 1..500, got "x"`, Parameter: "limit"}
	if rec.Code != http.StatusBadRequest || e != want {
		t.Fatalf("%d %+v, want 400 %+v", rec.Code, e, want)
	}
}
