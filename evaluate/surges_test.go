package evaluate

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeFlatNABData writes NAB-shaped dev data whose three series are flat
// Poisson noise around 20 posts per 5 minutes for six weeks.
func writeFlatNABData(t *testing.T) string {
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
	rows := 6 * 7 * 24 * 12
	var windows []string
	for si, name := range nabSeries {
		r := rand.New(rand.NewPCG(uint64(si), 9))
		var b strings.Builder
		b.WriteString("timestamp,value\n")
		for i := range rows {
			fmt.Fprintf(&b, "%s,%g\n", start.Add(time.Duration(i)*5*time.Minute).Format("2006-01-02 15:04:05"), poissonDraw(r, 20))
		}
		if err := os.WriteFile(filepath.Join(dir, "nab", filepath.FromSlash(name)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		windows = append(windows, fmt.Sprintf("%q: []", name))
	}
	js := "{" + strings.Join(windows, ", ") + "}"
	if err := os.WriteFile(filepath.Join(labels, "combined_windows.json"), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEvalSurgesOnFlatNoise(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the detector over 6 weeks of minutes, 300 times")
	}
	dir := writeFlatNABData(t)
	var out bytes.Buffer
	if err := Surges(context.Background(), SurgesOptions{Data: dir, Seed: 1, Out: &out}); err != nil {
		t.Fatalf("eval surges: %v", err)
	}
	s := out.String()
	// Over flat noise every ×3 and ×5 surge is caught and the untouched
	// series raise nothing.
	for _, want := range []string{"| ×3 for 10 min | 27/27 |", "| ×5 for 10 min | 27/27 | 1 (2) |", "| **all** | whole volume | 17.6 | 0.00 | 0.00 |"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}
