package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/internal/testenv"
	"time"
)

// writeNABData writes a tiny NAB-shaped data directory: three flat series,
// each with one labelled window around a surge.
func writeNABData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	tweets := filepath.Join(dir, "nab", "realTweets")
	labels := filepath.Join(dir, "nab", "labels")
	for _, d := range []string{tweets, labels} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2015, 2, 26, 21, 42, 53, 0, time.UTC)
	const rows, surge = 2000, 1500
	var windows []string
	for _, name := range nabSeries {
		var b strings.Builder
		b.WriteString("timestamp,value\n")
		for i := range rows {
			v := 40 + i%5
			if i >= surge && i < surge+6 {
				v = 600
			}
			fmt.Fprintf(&b, "%s,%d\n", start.Add(time.Duration(i)*5*time.Minute).Format("2006-01-02 15:04:05"), v)
		}
		if err := os.WriteFile(filepath.Join(dir, "nab", filepath.FromSlash(name)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		ws := start.Add((surge - 20) * 5 * time.Minute).Format("2006-01-02 15:04:05.000000")
		we := start.Add((surge + 20) * 5 * time.Minute).Format("2006-01-02 15:04:05.000000")
		windows = append(windows, fmt.Sprintf("%q: [[%q, %q]]", name, ws, we))
	}
	js := "{" + strings.Join(windows, ", ") + "}"
	if err := os.WriteFile(filepath.Join(labels, "combined_windows.json"), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEvalNABOnTinyData(t *testing.T) {
	dir := writeNABData(t)
	var out, errb bytes.Buffer
	if err := runEval(context.Background(), []string{"nab", "--data", dir}, nil, &out, &errb); err != nil {
		t.Fatalf("eval nab: %v (stderr %s)", err, errb.String())
	}
	s := out.String()
	for _, want := range []string{"| Twitter_volume_AAPL |", "| **total** |", "1/1", "| 100 |"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

func TestEvalNABMissingData(t *testing.T) {
	var out, errb bytes.Buffer
	err := runEval(context.Background(), []string{"nab", "--data", t.TempDir()}, nil, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "--data") {
		t.Errorf("err = %v, want a hint to pass --data", err)
	}
}

func TestEvalNABOnDevData(t *testing.T) {
	dir := testenv.DevData(t, filepath.Join("nab", "labels", "combined_windows.json"))
	var out, errb bytes.Buffer
	if err := runEval(context.Background(), []string{"nab", "--data", dir}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "9/9") {
		t.Errorf("not every labelled window was detected:\n%s", out.String())
	}
}
