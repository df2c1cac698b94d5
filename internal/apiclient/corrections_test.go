package apiclient

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/api/corrections"
	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/sentiment"
)

func testCorrection(t *testing.T) (correction.Correction, string) {
	t.Helper()
	cr := correction.Correction{ID: "1767225600000-ab", PostID: "p1", Text: "checkout is broken", Label: sentiment.Negative,
		Previous: sentiment.Positive, Who: "ann", When: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b, err := json.Marshal(cr)
	if err != nil {
		t.Fatal(err)
	}
	return cr, string(b)
}

func TestExportCorrectionsRefusesACutShortExport(t *testing.T) {
	_, line := testCorrection(t)
	tests := []struct {
		name    string
		status  int
		body    string
		want    int    // corrections read
		wantErr string // empty: success
	}{
		{"every line a correction", 200, line + "\n" + line + "\n", 2, ""},
		{"a last line that is an error is refused", 200, line + "\n" + `{"error":"store failed"}` + "\n", 0, "export: "},
		{"the API's error is in the error", 403, `{"error":"needs a read token"}`, 0, "needs a read token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, last := server(t, tt.status, tt.body)
			c := New(Options{Base: u, Token: "tok"})
			b, cs, err := c.ExportCorrections(context.Background())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != tt.want || string(b) != tt.body || last.URL.Path != "/api/v1/corrections.jsonl" {
				t.Fatalf("got %d corrections, body %q from %s", len(cs), b, last.URL.Path)
			}
		})
	}
}

func TestCorrectReturnsTheStoredCorrection(t *testing.T) {
	want, line := testCorrection(t)
	u, last := server(t, 201, `{"correction":`+line+`}`)
	c := New(Options{Base: u, Token: "tok"})
	got, err := c.Correct(context.Background(), corrections.Input{PostID: "p1", Text: want.Text, Label: "negative", Previous: "positive"})
	if err != nil {
		t.Fatal(err)
	}
	if got.PostID != want.PostID || got.Who != want.Who || !got.When.Equal(want.When) || last.URL.Path != "/api/v1/corrections" {
		t.Fatalf("got %+v from %s", got, last.URL.Path)
	}
}
