package detect

import (
	"fmt"
	"math"
	"time"
)

// PriorityInput describes one firing spike for Priority.
type PriorityInput struct {
	// Growth is the spike's growth over baseline, Decision.Ratio (1 = flat).
	Growth float64
	// NegativeVolume is the number of negative posts in the evaluation
	// window, Decision.Value.
	NegativeVolume float64
	// Reach is the summed audience of those posts (for example the authors'
	// follower counts).
	Reach float64
	// Criticality is the feature's criticality from the taxonomy, 1 (cosmetic)
	// to 5 (business-critical, such as payments); values outside are clamped.
	Criticality int
	// Persistence is how long the spike has been firing (now − Decision.Since).
	Persistence time.Duration
}

// PriorityWeights weighs and scales the components of Priority. Weights are
// relative (they need not sum to 1); each *Full value is where its component
// saturates at 1.
type PriorityWeights struct {
	Growth, Volume, Reach, Criticality, Persistence float64
	// GrowthFull is the growth that scores 1 (log scale). Default: 10.
	GrowthFull float64
	// VolumeFull is the negative volume that scores 1 (log scale). Default: 200.
	VolumeFull float64
	// ReachFull is the reach that scores 1 (log scale). Default: 1e6.
	ReachFull float64
	// PersistenceFull is the firing time that scores 1 (linear). Default: 1h.
	PersistenceFull time.Duration
	// P1, P2 and P3 are the least scores for those levels, descending; lower
	// scores are P4. Defaults: 0.7, 0.5, 0.3.
	P1, P2, P3 float64
}

// DefaultPriorityWeights returns the default weights: growth 0.30, volume
// 0.20, reach 0.15, criticality 0.25, persistence 0.10.
func DefaultPriorityWeights() PriorityWeights {
	return PriorityWeights{
		Growth: 0.30, Volume: 0.20, Reach: 0.15, Criticality: 0.25, Persistence: 0.10,
		GrowthFull: 10, VolumeFull: 200, ReachFull: 1e6, PersistenceFull: time.Hour,
		P1: 0.7, P2: 0.5, P3: 0.3,
	}
}

// Validate reports the first invalid field of w, by name.
func (w PriorityWeights) Validate() error {
	bad := func(field, want string, got any) error {
		return fmt.Errorf("detect: PriorityWeights.%s must be %s, got %v", field, want, got)
	}
	ok := func(v float64) bool { return v >= 0 && !math.IsInf(v, 0) } // false for NaN
	switch {
	case !ok(w.Growth):
		return bad("Growth", "finite and ≥ 0", w.Growth)
	case !ok(w.Volume):
		return bad("Volume", "finite and ≥ 0", w.Volume)
	case !ok(w.Reach):
		return bad("Reach", "finite and ≥ 0", w.Reach)
	case !ok(w.Criticality):
		return bad("Criticality", "finite and ≥ 0", w.Criticality)
	case !ok(w.Persistence):
		return bad("Persistence", "finite and ≥ 0", w.Persistence)
	case w.Growth+w.Volume+w.Reach+w.Criticality+w.Persistence <= 0:
		return bad("Growth+Volume+Reach+Criticality+Persistence", "> 0", 0)
	case !ok(w.GrowthFull) || w.GrowthFull <= 1:
		return bad("GrowthFull", "finite and > 1", w.GrowthFull)
	case !ok(w.VolumeFull) || w.VolumeFull <= 0:
		return bad("VolumeFull", "finite and > 0", w.VolumeFull)
	case !ok(w.ReachFull) || w.ReachFull <= 0:
		return bad("ReachFull", "finite and > 0", w.ReachFull)
	case w.PersistenceFull <= 0:
		return bad("PersistenceFull", "> 0", w.PersistenceFull)
	case !(w.P1 >= w.P2 && w.P2 >= w.P3 && w.P3 >= 0 && w.P1 <= 1):
		return bad("P1, P2, P3", "descending in [0,1]", [3]float64{w.P1, w.P2, w.P3})
	}
	return nil
}

// Priority ranks a spike from P1 (act now) to P4 (informational) and returns
// the underlying score in [0,1]. It is pure and does not validate w (call
// PriorityWeights.Validate once when loading configuration); non-finite or
// negative inputs count as 0.
//
// Each component is scaled to [0,1]:
//
//	g = clamp(log(Growth) / log(GrowthFull))            growth over baseline
//	v = clamp(log(1+NegativeVolume) / log(1+VolumeFull)) negative posts in the window
//	r = clamp(log(1+Reach) / log(1+ReachFull))          audience of those posts
//	c = (clamp(Criticality, 1, 5) − 1) / 4              taxonomy criticality
//	p = clamp(Persistence / PersistenceFull)            time firing
//
//	score = (wG·g + wV·v + wR·r + wC·c + wP·p) / (wG + wV + wR + wC + wP)
//
// and the level is 1 if score ≥ P1, 2 if ≥ P2, 3 if ≥ P3, else 4. With the
// default weights (0.30, 0.20, 0.15, 0.25, 0.10) and thresholds (0.7, 0.5,
// 0.3), a 10× spike of 150 complaints reaching 500k people on a
// criticality-5 feature scores about 0.89 (P1); a 2× blip of 10 posts
// reaching 2k people on a criticality-1 feature scores about 0.26 (P4).
func Priority(in PriorityInput, w PriorityWeights) (level int, score float64) {
	clamp := func(x float64) float64 {
		switch {
		case !(x > 0): // also NaN
			return 0
		case x > 1:
			return 1
		}
		return x
	}
	pos := func(x float64) float64 { // NaN and x ≤ 0 → 0; +Inf → largest finite
		switch {
		case !(x > 0):
			return 0
		case math.IsInf(x, 1):
			return math.MaxFloat64
		}
		return x
	}
	var g float64
	if w.GrowthFull > 1 && in.Growth > 1 {
		g = clamp(math.Log(pos(in.Growth)) / math.Log(w.GrowthFull))
	}
	v := clamp(math.Log1p(pos(in.NegativeVolume)) / math.Log1p(w.VolumeFull))
	r := clamp(math.Log1p(pos(in.Reach)) / math.Log1p(w.ReachFull))
	c := float64(min(max(in.Criticality, 1), 5)-1) / 4
	var p float64
	if w.PersistenceFull > 0 {
		p = clamp(float64(in.Persistence) / float64(w.PersistenceFull))
	}
	total := w.Growth + w.Volume + w.Reach + w.Criticality + w.Persistence
	if !(total > 0) || math.IsInf(total, 0) {
		return 4, 0
	}
	score = clamp((w.Growth*g + w.Volume*v + w.Reach*r + w.Criticality*c + w.Persistence*p) / total)
	switch {
	case score >= w.P1:
		return 1, score
	case score >= w.P2:
		return 2, score
	case score >= w.P3:
		return 3, score
	}
	return 4, score
}
