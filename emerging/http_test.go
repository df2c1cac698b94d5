package emerging

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/api"
)

func TestHandlerRejectsBadParameters(t *testing.T) {
	m, err := New(Options{Heuristic: true, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, query, param string
	}{
		{"limit not a number", "limit=ten", "limit"},
		{"limit zero", "limit=0", "limit"},
		{"limit too large", "limit=100000", "limit"},
		{"window not a duration", "window=soon", "window"},
		{"window under a bucket", "window=30s", "window"},
		{"window not whole buckets", "window=90s", "window"},
		{"window over the baseline", "window=2h", "window"},
		{"malformed escape is refused, not dropped", "window=5m%", "window"},
		{"semicolon separator is refused, not dropped", "limit=1;window=2m", "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/emerging?"+tc.query, nil))
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", rec.Code)
			}
			var body api.Error
			if err := json.NewDecoder(rec.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if body.Parameter != tc.param || !strings.Contains(body.Error, tc.param) {
				t.Errorf("error %+v does not name %q", body, tc.param)
			}
		})
	}
}

func TestHandlerServesRisingTerms(t *testing.T) {
	clk := newClock(t0)
	m, err := New(Options{Window: 2 * time.Minute, Baseline: 2 * time.Minute, MinCount: 2, MinZ: 1,
		Heuristic: true, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		m.st.add(nil, "", t0.Add(time.Duration(i)*time.Minute))
	}
	for range 3 {
		m.st.add([]candidate{{"loyalty point", KindPhrase}, {"vanished", KindWord}}, "my loyalty points vanished", t0.Add(3*time.Minute))
	}
	clk.set(t0.Add(3*time.Minute + 30*time.Second))

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/emerging?limit=1&window=2m", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var body struct {
		GeneratedAt time.Time `json:"generatedAt"`
		Terms       []Term    `json:"terms"`
	}
	if err := json.NewDecoder(rec.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if !body.GeneratedAt.Equal(clk.now()) || len(body.Terms) != 1 || body.Terms[0].Count != 3 ||
		len(body.Terms[0].Samples) == 0 {
		t.Errorf("body = %+v", body)
	}
}

func TestHandlerEmptyTermsIsAnArray(t *testing.T) {
	m, err := New(Options{Heuristic: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/emerging", nil))
	var body map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusOK || string(body["terms"]) != "[]" {
		t.Errorf("status %d body %s; want terms to be an empty array, not null", rec.Code, rec.Body)
	}
}

func TestHandlerRefusesPost(t *testing.T) {
	m, err := New(Options{Heuristic: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/emerging", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("status %d, want 405", rec.Code)
	}
}
