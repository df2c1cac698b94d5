package demo

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/synth"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor polls cond every 200ms until it returns true or the deadline
// passes; cond's last message explains a timeout.
func waitFor(t *testing.T, deadline time.Time, what string, cond func() (bool, string)) {
	t.Helper()
	var last string
	for time.Now().Before(deadline) {
		ok, msg := cond()
		if ok {
			return
		}
		last = msg
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last: %s", what, last)
}

// negatives reads the API's matrix for window and returns each feature's
// negative count.
func apiNegatives(t *testing.T, base, window string) (map[string]int64, error) {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/matrix?window=" + window)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	var body struct {
		Matrix struct {
			Rows []struct {
				Feature string `json:"feature"`
				Classes map[string]struct {
					Count int64 `json:"count"`
				} `json:"classes"`
			} `json:"rows"`
		} `json:"matrix"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range body.Matrix.Rows {
		out[r.Feature] = r.Classes["negative"].Count
	}
	return out, nil
}

// metricSum adds up every sample of a metric family on /metrics.
func metricSum(base, name string) (float64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("metric line %q: %w", line, err)
		}
		sum += v
	}
	return sum, sc.Err()
}

func TestDemoShowsTheIncidentFeatureClimbingAboveTheRest(t *testing.T) {
	const feature = "checkout"
	d, err := New(Options{
		Listen:            "127.0.0.1:0",
		Rate:              300,
		Seed:              7,
		IncidentFeature:   feature,
		IncidentAfter:     6 * time.Second,
		Backfill:          20 * time.Minute,
		BackfillPerMinute: 30,
		MalformedEvery:    50,
		ReportEvery:       2 * time.Second,
		Logger:            zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("demo did not stop within 20s of cancel")
		}
	}
	t.Cleanup(stop)

	base := "http://" + d.Addr()
	inc, ok := d.Incident()
	if !ok {
		t.Fatal("no incident configured")
	}

	// Before the incident: the backfill is counted and the feature's level
	// is recorded.
	var baseline int64
	waitFor(t, inc.Start.Add(-300*time.Millisecond), "the backfill to be counted before the incident", func() (bool, string) {
		neg, err := apiNegatives(t, base, "15m")
		if err != nil {
			return false, err.Error()
		}
		var total int64
		for _, n := range neg {
			total += n
		}
		// 15 minutes of backfill at 30/min with ~a quarter negative
		return total >= 40, fmt.Sprintf("negatives in 15m: %v", neg)
	})
	for time.Now().Before(inc.Start.Add(-300 * time.Millisecond)) {
		if neg, err := apiNegatives(t, base, "5m"); err == nil {
			baseline = neg[feature]
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("pre-incident %s negatives in 5m: %d", feature, baseline)

	// During the incident: the feature climbs well above its own level,
	// above the features the outage spills over to (availability and
	// payment for checkout) and to twice every other feature.
	spill := map[string]bool{}
	for _, s := range synth.Spillover[feature] {
		spill[s.Feature] = true
	}
	waitFor(t, time.Now().Add(15*time.Second), feature+" to climb", func() (bool, string) {
		neg, err := apiNegatives(t, base, "5m")
		if err != nil {
			return false, err.Error()
		}
		got := neg[feature]
		if got < 2*baseline+50 {
			return false, fmt.Sprintf("%s at %d, want >= %d: %v", feature, got, 2*baseline+50, neg)
		}
		for f, n := range neg {
			switch {
			case f == feature:
			case spill[f] && n >= got:
				return false, fmt.Sprintf("%s at %d, not yet above %s at %d", feature, got, f, n)
			case !spill[f] && 2*n >= got:
				return false, fmt.Sprintf("%s at %d, not yet twice %s at %d", feature, got, f, n)
			}
		}
		t.Logf("5m negatives during the incident: %v", neg)
		return true, ""
	})

	// The web page is served: GET / lands on it.
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/ui/" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET / ended at %s with %d %s, want the web page at /ui/", resp.Request.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// Malformed records went to the dead-letter topic.
	waitFor(t, time.Now().Add(5*time.Second), "dead letters", func() (bool, string) {
		n, err := metricSum(base, "socialpulse_pipeline_dead_letters_total")
		if err != nil {
			return false, err.Error()
		}
		return n > 0, fmt.Sprintf("dead letters: %v", n)
	})
	stop()
}

func TestTopNegativesRanksFeaturesByShortWindowThenMedium(t *testing.T) {
	mk := func(counts map[string]int64) *impactmatrix.Matrix {
		m := &impactmatrix.Matrix{}
		for f, n := range counts {
			m.Row(f)[impactmatrix.Negative].Count = n
		}
		return m
	}
	tests := []struct {
		name          string
		short, medium map[string]int64
		n             int
		want          string
	}{
		{"empty matrices", nil, nil, 5, "(no posts counted yet)"},
		{"short window decides", map[string]int64{"login": 3, "checkout": 9}, map[string]int64{"login": 30, "checkout": 10}, 5, "checkout 9/10  login 3/30"},
		{"medium window breaks ties", map[string]int64{"a": 1, "b": 1}, map[string]int64{"a": 1, "b": 4}, 5, "b 1/4  a 1/1"},
		{"feature only in the medium window", nil, map[string]int64{"search": 2}, 5, "search 0/2"},
		{"other row left out", map[string]int64{"other": 99, "login": 1}, nil, 5, "login 1/0"},
		{"cut to n", map[string]int64{"a": 3, "b": 2, "c": 1}, nil, 2, "a 3/0  b 2/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := formatNegatives(TopNegatives(mk(tt.short), mk(tt.medium), tt.n))
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"negative rate", Options{Rate: -1}},
		{"unknown incident feature", Options{IncidentFeature: "teleport"}},
		{"share above one", Options{IncidentShare: 1.5}},
		{"negative duration", Options{Duration: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Listen = "127.0.0.1:0"
			d, err := New(tt.o)
			if err == nil {
				d.Close()
				t.Fatal("New accepted bad options")
			}
		})
	}
}
