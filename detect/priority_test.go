package detect

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestPriority(t *testing.T) {
	w := DefaultPriorityWeights()
	tests := []struct {
		name      string
		in        PriorityInput
		wantLevel int
	}{
		{"payment outage at 10x with high reach is P1",
			PriorityInput{Growth: 10, NegativeVolume: 150, Reach: 500_000, Criticality: 5, Persistence: 5 * time.Minute}, 1},
		{"mild 2x blip on a criticality-1 feature is P4",
			PriorityInput{Growth: 2, NegativeVolume: 10, Reach: 2_000, Criticality: 1}, 4},
		{"4x surge on a core feature with moderate reach is P2",
			PriorityInput{Growth: 4, NegativeVolume: 60, Reach: 50_000, Criticality: 4, Persistence: 2 * time.Minute}, 2},
		{"3x surge on a minor feature is P3",
			PriorityInput{Growth: 3, NegativeVolume: 40, Reach: 20_000, Criticality: 2, Persistence: 10 * time.Minute}, 3},
		{"growth below baseline counts as none",
			PriorityInput{Growth: 0.5, NegativeVolume: 1, Criticality: 1}, 4},
		{"non-finite inputs count as zero",
			PriorityInput{Growth: math.NaN(), NegativeVolume: math.Inf(-1), Reach: math.NaN(), Criticality: 99}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			level, score := Priority(tt.in, w)
			if level != tt.wantLevel {
				t.Errorf("Priority = P%d (score %.3f), want P%d", level, score, tt.wantLevel)
			}
			if math.IsNaN(score) || score < 0 || score > 1 {
				t.Errorf("score %v outside [0,1]", score)
			}
		})
	}
}

func TestPriorityDocumentedExamples(t *testing.T) {
	w := DefaultPriorityWeights()
	_, hi := Priority(PriorityInput{Growth: 10, NegativeVolume: 150, Reach: 500_000, Criticality: 5, Persistence: 5 * time.Minute}, w)
	_, lo := Priority(PriorityInput{Growth: 2, NegativeVolume: 10, Reach: 2_000, Criticality: 1}, w)
	if math.Abs(hi-0.89) > 0.01 || math.Abs(lo-0.26) > 0.01 {
		t.Errorf("scores %.3f and %.3f, the doc comment says about 0.89 and 0.26", hi, lo)
	}
}

func TestPriorityIsMonotoneInEachComponent(t *testing.T) {
	w := DefaultPriorityWeights()
	base := PriorityInput{Growth: 3, NegativeVolume: 30, Reach: 10_000, Criticality: 3, Persistence: 10 * time.Minute}
	_, s0 := Priority(base, w)
	more := []PriorityInput{base, base, base, base, base}
	more[0].Growth = 6
	more[1].NegativeVolume = 100
	more[2].Reach = 100_000
	more[3].Criticality = 4
	more[4].Persistence = 30 * time.Minute
	for i, in := range more {
		if _, s := Priority(in, w); s <= s0 {
			t.Errorf("component %d: score %.3f not above %.3f", i, s, s0)
		}
	}
}

func TestPriorityWeightsAreConfigurable(t *testing.T) {
	in := PriorityInput{Growth: 2, NegativeVolume: 10, Reach: 2_000, Criticality: 5}
	w := DefaultPriorityWeights()
	if l, _ := Priority(in, w); l == 1 {
		t.Fatal("defaults already P1")
	}
	w.Growth, w.Volume, w.Reach, w.Persistence = 0, 0, 0, 0 // criticality only
	if l, s := Priority(in, w); l != 1 || s != 1 {
		t.Errorf("criticality-only weights: P%d score %v, want P1 score 1", l, s)
	}
}

func TestPriorityWeightsValidate(t *testing.T) {
	if err := DefaultPriorityWeights().Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field string
		mod   func(*PriorityWeights)
	}{
		{"Growth", func(w *PriorityWeights) { w.Growth = -1 }},
		{"Reach", func(w *PriorityWeights) { w.Reach = math.NaN() }},
		{"GrowthFull", func(w *PriorityWeights) { w.GrowthFull = 1 }},
		{"PersistenceFull", func(w *PriorityWeights) { w.PersistenceFull = 0 }},
		{"P1, P2, P3", func(w *PriorityWeights) { w.P1, w.P2 = 0.4, 0.6 }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			w := DefaultPriorityWeights()
			tt.mod(&w)
			if err := w.Validate(); err == nil || !strings.Contains(err.Error(), "PriorityWeights."+tt.field+" ") {
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.field)
			}
		})
	}
}
