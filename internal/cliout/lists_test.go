package cliout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/api/spikes"
)

func TestSpikeListPrintsPagesAndSaysWhatIsLeft(t *testing.T) {
	page := spikes.SpikeList{Spikes: []spikes.Spike{{ID: "s1", Feature: "checkout", Summary: "checkout down"}}}
	tests := []struct {
		name      string
		asJSON    bool
		pages     []spikes.SpikeList
		next      string
		wantOut   []string // substrings of stdout, in any order
		wantLines int      // lines of stdout
		wantMsg   string
	}{
		{"a table with its header", false, []spikes.SpikeList{page, page}, "", []string{"STARTED", "s1", "checkout down"}, 3, ""},
		{"one JSON object per page", true, []spikes.SpikeList{page, page}, "", []string{`"id":"s1"`}, 2, ""},
		{"more pages name the cursor", false, []spikes.SpikeList{page}, "c2", []string{"s1"}, 2, "more: add --cursor c2 (or --all)\n"},
		{"an empty table says so", false, []spikes.SpikeList{{}}, "", []string{"STARTED"}, 1, "no spikes match\n"},
		{"empty JSON is only JSON", true, []spikes.SpikeList{{}}, "", []string{`"spikes":null`}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, msgs bytes.Buffer
			l := NewSpikeList(&out, &msgs, tt.asJSON)
			for _, p := range tt.pages {
				if err := l.Page(p); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.Close(tt.next); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			if n := strings.Count(out.String(), "\n"); n != tt.wantLines {
				t.Errorf("%d lines, want %d:\n%s", n, tt.wantLines, out.String())
			}
			if msgs.String() != tt.wantMsg {
				t.Errorf("messages %q, want %q", msgs.String(), tt.wantMsg)
			}
		})
	}
}

func TestIncidentListPrintsATableOrJSONAndWarns(t *testing.T) {
	one := incidents.List{Incidents: []incidents.Summary{{ID: "i1", Title: "checkout outage", State: "open"}}}
	tests := []struct {
		name          string
		l             incidents.List
		asJSON        bool
		wantOut, want string
	}{
		{"a table", one, false, "checkout outage", ""},
		{"JSON", one, true, `"id":"i1"`, ""},
		{"nothing matched", incidents.List{}, false, "STARTED", "no incidents match\n"},
		{"a truncated range warns", incidents.List{Incidents: one.Incidents, Truncated: true}, false, "i1", "warning: the range holds more spikes than one request groups; narrow it with --from and --to\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, msgs bytes.Buffer
			if err := IncidentList(&out, &msgs, tt.l, tt.asJSON); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tt.wantOut) || msgs.String() != tt.want {
				t.Fatalf("stdout %q, messages %q; want %q in stdout, messages %q", out.String(), msgs.String(), tt.wantOut, tt.want)
			}
		})
	}
}
