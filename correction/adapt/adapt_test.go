package adapt

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/correction"
)

const corrections = `{"id":"1-a","postId":"p1","text":"checkout is sick now","label":"positive","previous":"negative","who":"pr","when":"2026-03-01T00:00:00Z"}
{"id":"1-b","postId":"p2","text":"Great, my flight got moved again","label":"negative","previous":"positive","who":"pr","when":"2026-03-01T00:00:01Z"}
`

func readCorrections(t *testing.T) []correction.Correction {
	t.Helper()
	cs, err := correction.ReadJSONL(strings.NewReader(corrections))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestTrainRefusesWhatItCannotTrainOn(t *testing.T) {
	cs := readCorrections(t)
	for _, tc := range []struct {
		name    string
		o       Options
		wantErr string
	}{
		{"a zero weight", Options{Corrections: cs, Weight: 0}, "want > 0"},
		{"no corrections", Options{Weight: 5}, "no corrections"},
		{"a missing data dir", Options{Corrections: cs, Weight: 5, Data: filepath.Join(t.TempDir(), "missing")}, "missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Train(tc.o); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestTrainIsReproducibleAndCountsAgreement(t *testing.T) {
	o := Options{Corrections: readCorrections(t), Weight: 5, Seed: 1}
	a, err := Train(o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Model) == 0 || !bytes.Equal(a.Model, b.Model) {
		t.Fatalf("two runs gave different models (%d and %d bytes)", len(a.Model), len(b.Model))
	}
	if a.Examples != 2 || a.Agree < 0 || a.Agree > 2 {
		t.Fatalf("examples %d, agree %d", a.Examples, a.Agree)
	}
}

func TestSummarySaysHowTheModelWasTrained(t *testing.T) {
	r := Result{Examples: 12, Agree: 11}
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"fine-tuned", Options{Weight: 5}, "adapt: fine-tuned the embedded model 12 corrections (weight 5) in 2.5 s; the model gives 11 of them the corrected label"},
		{"with the SemEval tweets", Options{Data: "data", Weight: 2.5}, "adapt: trained on the SemEval tweets plus 12 corrections (weight 2.5) in 2.5 s; the model gives 11 of them the corrected label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Summary(tt.o, 2500*time.Millisecond); got != tt.want {
				t.Fatalf("Summary = %q, want %q", got, tt.want)
			}
		})
	}
}
