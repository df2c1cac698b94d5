package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/internal/cli"
)

// seriesCSV writes a 1-minute series: background of 5 with a surge of 40 at
// rows surge..surge+9, in the given timestamp layout; row gap is left out.
func seriesCSV(t *testing.T, layout string, rows, surge, gap int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		if i == gap {
			continue
		}
		v := 4 + i%3 // 4, 5, 6: flat
		if i >= surge && i < surge+10 {
			v = 40
		}
		fmt.Fprintf(&b, "%s,%d\n", start.Add(time.Duration(i)*time.Minute).Format(layout), v)
	}
	path := filepath.Join(t.TempDir(), "series.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBacktestSeries(t *testing.T) {
	for _, layout := range []string{"2006-01-02 15:04:05", time.RFC3339} {
		t.Run(layout, func(t *testing.T) {
			const rows, surge, gap = 600, 400, 100
			path := seriesCSV(t, layout, rows, surge, gap)
			var out, errb bytes.Buffer
			if err := runBacktest(context.Background(), []string{"--series", path}, nil, &out, &errb); err != nil {
				t.Fatalf("backtest: %v (stderr %s)", err, errb.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != rows-1 {
				t.Fatalf("%d lines, want one per input row (%d)", len(lines), rows-1)
			}
			var alerts []int
			for i, l := range lines {
				var r struct {
					Timestamp *string  `json:"timestamp"`
					Value     *float64 `json:"value"`
					Baseline  *float64 `json:"baseline"`
					Score     *float64 `json:"score"`
					Alert     *bool    `json:"alert"`
				}
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatalf("line %d: %v: %s", i, err, l)
				}
				if r.Timestamp == nil || r.Value == nil || r.Baseline == nil || r.Score == nil || r.Alert == nil {
					t.Fatalf("line %d lacks a field: %s", i, l)
				}
				if *r.Score < 0 || *r.Score > 1 {
					t.Errorf("line %d: score %v", i, *r.Score)
				}
				if *r.Alert {
					alerts = append(alerts, i)
				}
				if i == 0 && !strings.HasPrefix(*r.Timestamp, "2026-03-02") {
					t.Errorf("timestamp %q not as in the input", *r.Timestamp)
				}
			}
			// Row index in the output is one less after the gap row.
			if len(alerts) != 1 || alerts[0] < surge-1 || alerts[0] > surge {
				t.Errorf("alerts on lines %v, want one at the surge (line %d)", alerts, surge-1)
			}
			if !strings.Contains(errb.String(), "step 1m0s") {
				t.Errorf("stderr %q does not report the inferred step", errb.String())
			}
		})
	}
}

func TestBacktestUsageErrors(t *testing.T) {
	good := seriesCSV(t, time.RFC3339, 20, 100, -1)
	badHeader := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(badHeader, []byte("time,count\n2026-03-02 00:00:00,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badValue := filepath.Join(t.TempDir(), "neg.csv")
	if err := os.WriteFile(badValue, []byte("timestamp,value\n2026-03-02 00:00:00,1\n2026-03-02 00:01:00,-4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
		wantErr   string
	}{
		{"posts file must exist", []string{"--posts", filepath.Join(t.TempDir(), "missing.jsonl")}, false, "missing.jsonl"},
		{"bucket must divide an hour", []string{"--posts", good, "--bucket", "7m"}, true, "--bucket"},
		{"series is required", nil, true, "--series"},
		{"series and posts are exclusive", []string{"--series", good, "--posts", "x"}, true, "exclusive"},
		{"header must name timestamp and value", []string{"--series", badHeader}, false, "timestamp and value"},
		{"negative values are rejected with their line", []string{"--series", badValue}, false, "line 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runBacktest(context.Background(), tt.args, nil, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if errors.Is(err, cli.ErrUsage) != tt.wantUsage {
				t.Errorf("usage error: %v, want %v", errors.Is(err, cli.ErrUsage), tt.wantUsage)
			}
		})
	}
}

func TestBacktestReadsStdin(t *testing.T) {
	in := "timestamp,value\n2015-02-26 21:42:53,3\n2015-02-26 21:47:53,4\n"
	var out, errb bytes.Buffer
	if err := runBacktest(context.Background(), []string{"--series", "-"}, strings.NewReader(in), &out, &errb); err != nil {
		t.Fatal(err)
	}
	want := `{"timestamp":"2015-02-26 21:42:53","value":3,`
	if !strings.HasPrefix(out.String(), want) {
		t.Errorf("output %q, want it to start with %q", out.String(), want)
	}
}
