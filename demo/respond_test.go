package demo

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/synth"
)

func TestFindIncidentFindsTheIncidentOfTheFeature(t *testing.T) {
	start := time.Date(2026, 5, 1, 12, 0, 30, 0, time.UTC)
	inc := synth.Incident{Feature: "checkout", Start: start, End: start.Add(10 * time.Minute)}
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
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet || r.URL.Path != "/api/v1/incidents" {
					http.Error(w, "unexpected", http.StatusTeapot)
					return
				}
				if _, err := time.Parse(time.RFC3339, r.URL.Query().Get("from")); err != nil {
					t.Errorf("from: %v", err)
				}
				_, _ = io.WriteString(w, `{"incidents":`+tt.incidents+`}`)
			}))
			defer srv.Close()
			id, err := findIncident(context.Background(), srv.Client(), srv.URL, inc)
			if err != nil || id != tt.wantID {
				t.Fatalf("findIncident = %q, %v; want %q", id, err, tt.wantID)
			}
		})
	}
}

func TestStatementRecordedWantsTheShopsBrandPost(t *testing.T) {
	tests := []struct {
		name       string
		milestones string
		want       bool
	}{
		{"none yet", `[]`, false},
		{"a statement typed by PR", `[{"type":"statement","author":"pr","text":"x"}]`, false},
		{"the shop's post", `[{"type":"statement","author":"` + synth.Handle + `","source":"brand_post"}]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/v1/incidents/s2" {
					http.Error(w, "unexpected", http.StatusTeapot)
					return
				}
				_, _ = io.WriteString(w, `{"id":"s2","milestones":`+tt.milestones+`}`)
			}))
			defer srv.Close()
			got, err := statementRecorded(context.Background(), srv.Client(), srv.URL, "s2")
			if err != nil || got != tt.want {
				t.Fatalf("statementRecorded = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestFindIncidentReportsAnAPIError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"spike history unavailable"}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	if _, err := findIncident(context.Background(), srv.Client(), srv.URL, synth.Incident{Feature: "checkout"}); err == nil {
		t.Error("no error from a 503")
	}
	if _, err := statementRecorded(context.Background(), srv.Client(), srv.URL, "s2"); err == nil {
		t.Error("no error from a 503")
	}
}
