package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/backtest"
	"github.com/socialpulse/socialpulse/synth"
)

// A recorded incident replayed through scorer, tagger and detector fires
// once for its feature and resolves; nothing fires outside the incident
// (features its complaints also mention, such as billing for "charged
// twice", may fire with it).
func TestBacktestPostsFindsTheIncident(t *testing.T) {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	g := synth.New(11)
	g.Incidents = []synth.Incident{{Feature: "payment", Start: start.Add(3 * time.Hour), End: start.Add(3*time.Hour + 20*time.Minute), Share: 0.6}}
	var in bytes.Buffer
	for i := range 4 * 60 * 60 { // one post a second for four hours
		in.Write(g.JSON(start.Add(time.Duration(i) * time.Second)))
		in.WriteByte('\n')
	}
	in.WriteString("{\"id\":\"no-time\",\"text\":\"checkout broken\"}\nnot json\n")

	var out, errb bytes.Buffer
	if err := runBacktest(context.Background(), []string{"--posts", "-"}, &in, &out, &errb); err != nil {
		t.Fatalf("backtest: %v\n%s", err, errb.String())
	}
	var events []backtest.Alert
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var a backtest.Alert
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("bad output line %q: %v", line, err)
		}
		events = append(events, a)
	}
	var fires, resolves int
	incStart, incEnd := start.Add(3*time.Hour), start.Add(3*time.Hour+20*time.Minute)
	for _, e := range events {
		if e.Feature != "payment" {
			if e.Event == "fire" && (e.Since.Before(incStart) || e.Since.After(incEnd)) {
				t.Errorf("false alarm: %s fired at %v outside the incident (current %.0f, baseline %.1f)", e.Feature, e.Since, e.Current, e.Baseline)
			}
			continue
		}
		switch e.Event {
		case "fire":
			fires++
			if d := e.Time.Sub(start.Add(3 * time.Hour)); d < 0 || d > 3*time.Minute {
				t.Errorf("fired %v after the incident began, want within 3m", d)
			}
			if e.Owner == "" || len(e.Samples) == 0 || e.Priority < 1 || e.Priority > 4 {
				t.Errorf("fire event lacks evidence: %+v", e)
			}
		case "resolve":
			resolves++
		}
	}
	if fires != 1 || resolves != 1 {
		t.Fatalf("payment fired %d and resolved %d times, want once each; events: %+v", fires, resolves, events)
	}
	if !strings.Contains(errb.String(), "2 without a usable created_at skipped") {
		t.Errorf("summary does not count the skipped lines: %s", errb.String())
	}
}
