package apiclient

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/api/spikes"
)

func TestFiltersBecomeTheAPIsQuery(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	q := func(query func(time.Time) (url.Values, error)) func() (url.Values, error) {
		return func() (url.Values, error) { return query(now) }
	}
	tests := []struct {
		name    string
		query   func() (url.Values, error)
		want    string // encoded query
		wantErr string
	}{
		{"an empty spike filter sends nothing",
			q(SpikeFilter{Order: "desc"}.Query), "", ""},
		{"every spike filter is sent, desc order is the default",
			q(SpikeFilter{Range: Range{From: "2026-03-01T00:00:00Z", To: "2026-03-02T00:00:00Z"}, Feature: "checkout", Priority: "P1", State: "firing", Text: "card", Order: "desc"}.Query),
			"feature=checkout&from=2026-03-01T00%3A00%3A00Z&priority=P1&q=card&state=firing&to=2026-03-02T00%3A00%3A00Z", ""},
		{"asc order is sent",
			q(SpikeFilter{Order: "asc"}.Query), "order=asc", ""},
		{"since counts back from now",
			q(SpikeFilter{Range: Range{Since: 48 * time.Hour}, Order: "desc"}.Query), "from=2026-03-08T12%3A00%3A00Z", ""},
		{"since with from is refused",
			q(SpikeFilter{Range: Range{Since: time.Hour, From: "2026-03-01T00:00:00Z"}}.Query), "", "not combined with --from"},
		{"a negative since is refused",
			q(IncidentFilter{Range: Range{Since: -time.Hour}}.Query), "", "must be positive"},
		{"the incident filter sends its range and state",
			q(IncidentFilter{Range: Range{Since: time.Hour, To: "2026-03-10T12:00:00Z"}, State: "open"}.Query),
			"from=2026-03-10T11%3A00%3A00Z&state=open&to=2026-03-10T12%3A00%3A00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := tt.query()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || q.Encode() != tt.want {
				t.Fatalf("query %q, %v; want %q", q.Encode(), err, tt.want)
			}
		})
	}
}

func TestRequestsOfTheSpikeAndIncidentCommands(t *testing.T) {
	at := "2026-03-10T12:00:00Z"
	tests := []struct {
		name, body, wantMethod, wantPath string
		call                             func(*Client) (string, error)
		want                             string
	}{
		{"a spike's detail", `{"id":"s1"}`, "GET", "/api/v1/spikes/s%201", func(c *Client) (string, error) {
			d, raw, err := c.Spike(context.Background(), "s 1")
			return d.Spike.ID + " " + string(raw), err
		}, `s1 {"id":"s1"}`},
		{"the spike CSV", "id\ns1\n", "GET", "/api/v1/spikes.csv", func(c *Client) (string, error) {
			body, err := c.SpikesCSV(context.Background(), url.Values{"limit": {"5"}})
			if err != nil {
				return "", err
			}
			defer body.Close()
			b := new(strings.Builder)
			_, err = io.Copy(b, body)
			return b.String(), err
		}, "id\ns1\n"},
		{"a note", `{"note":{"author":"ann","text":"hi","time":"` + at + `"}}`, "POST", "/api/v1/spikes/s1/notes", func(c *Client) (string, error) {
			n, err := c.AddNote(context.Background(), "s1", spikes.NoteInput{Text: "hi"})
			return n.Author + " " + n.Text + " " + n.Time.Format(time.RFC3339), err
		}, "ann hi " + at},
		{"the incident list", `{"incidents":[{"id":"i1"}],"truncated":true}`, "GET", "/api/v1/incidents", func(c *Client) (string, error) {
			l, err := c.Incidents(context.Background(), url.Values{"state": {"open"}})
			return fmt.Sprintln(len(l.Incidents), l.Incidents[0].ID, l.Truncated), err
		}, "1 i1 true\n"},
		{"a milestone", `{"milestone":{"type":"statement","author":"pr","text":"sorry","time":"` + at + `"}}`, "POST", "/api/v1/incidents/i1/milestones", func(c *Client) (string, error) {
			m, err := c.AddMilestone(context.Background(), "i1", incidents.MilestoneInput{Type: "statement", Text: "sorry"})
			return m.Type + " " + m.Author + " " + m.Text + " " + m.Time.Format(time.RFC3339), err
		}, "statement pr sorry " + at},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, last := server(t, 200, tt.body)
			got, err := tt.call(New(Options{Base: u, Token: "tok"}))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if last.Method != tt.wantMethod || last.URL.EscapedPath() != tt.wantPath {
				t.Errorf("request %s %s, want %s %s", last.Method, last.URL.EscapedPath(), tt.wantMethod, tt.wantPath)
			}
		})
	}
}

func TestSpikeRefusesAnAnswerThatIsNotJSON(t *testing.T) {
	u, _ := server(t, 200, "<html>")
	if _, _, err := New(Options{Base: u}).Spike(context.Background(), "s1"); err == nil || !strings.Contains(err.Error(), "bad response") {
		t.Fatalf("err = %v, want a bad response", err)
	}
}
