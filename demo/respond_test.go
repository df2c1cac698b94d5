package demo

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/synth"
)

func TestRecordStatementPostsToTheIncidentOfTheFeature(t *testing.T) {
	start := time.Date(2026, 5, 1, 12, 0, 30, 0, time.UTC)
	inc := synth.Incident{Feature: "checkout", Start: start, End: start.Add(10 * time.Minute)}
	at := start.Add(4 * time.Minute)
	tests := []struct {
		name      string
		incidents string
		wantID    string
	}{
		{"none listed yet", `[]`, ""},
		{"another feature's incident", `[{"id":"s1","features":["login"],"start":"2026-05-01T12:01:00Z"}]`, ""},
		{"an earlier incident of the feature", `[{"id":"s1","features":["checkout"],"start":"2026-05-01T11:30:00Z"}]`, ""},
		{"the incident, joined with availability", `[{"id":"s2","features":["availability","checkout"],"start":"2026-05-01T12:00:00Z"},
			{"id":"s1","features":["checkout"],"start":"2026-05-01T11:30:00Z"}]`, "s2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var posted map[string]string
			postedTo := ""
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodGet && r.URL.Path == "/api/v1/incidents":
					if _, err := time.Parse(time.RFC3339, r.URL.Query().Get("from")); err != nil {
						t.Errorf("from: %v", err)
					}
					_, _ = io.WriteString(w, `{"incidents":`+tt.incidents+`}`)
				case r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/json":
					postedTo = r.URL.Path
					if err := json.NewDecoder(r.Body).Decode(&posted); err != nil {
						t.Error(err)
					}
					w.WriteHeader(http.StatusCreated)
				default:
					http.Error(w, "unexpected", http.StatusTeapot)
				}
			}))
			defer srv.Close()
			id, err := recordStatement(context.Background(), srv.Client(), srv.URL, inc, at, "we are on it")
			if err != nil {
				t.Fatal(err)
			}
			if id != tt.wantID {
				t.Fatalf("id %q, want %q", id, tt.wantID)
			}
			if tt.wantID == "" {
				if postedTo != "" {
					t.Errorf("posted to %s with no incident to record on", postedTo)
				}
				return
			}
			want := map[string]string{"type": "statement", "text": "we are on it", "author": synth.Handle, "time": "2026-05-01T12:04:30Z"}
			if postedTo != "/api/v1/incidents/"+tt.wantID+"/milestones" || len(posted) != len(want) {
				t.Fatalf("posted %v to %s", posted, postedTo)
			}
			for k, v := range want {
				if posted[k] != v {
					t.Errorf("%s = %q, want %q", k, posted[k], v)
				}
			}
		})
	}
}

func TestRecordStatementReportsAnAPIError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"spike history unavailable"}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	if _, err := recordStatement(context.Background(), srv.Client(), srv.URL, synth.Incident{Feature: "checkout"}, time.Now(), "x"); err == nil {
		t.Error("no error from a 503")
	}
}
