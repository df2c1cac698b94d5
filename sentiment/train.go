package sentiment

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Example is one labelled text for Train.
type Example struct {
	Text  string
	Label Label // Negative, Neutral or Positive
	// Weight scales the example's loss; 0 means 1.
	Weight float64
}

// TrainConfig holds the hyperparameters of Train.
type TrainConfig struct {
	Seed    uint64  // shuffling order
	Epochs  int     // passes over the examples
	Rate    float64 // AdaGrad learning rate
	L2      float64 // L2 penalty, applied to the weights an example touches
	Bits    int     // log2 of the hash buckets (10..24)
	CharMin int     // shortest character n-gram (0: no character n-grams)
	CharMax int     // longest character n-gram
	// Balance weighs each class by n / (3 × its count), so that every
	// class carries the same total weight whatever the label mix.
	Balance bool
	// Average, when above 1, trains that many models with seeds Seed,
	// Seed+1, ... on the same features and averages their weights before
	// quantising them: one model, the same cost per post.
	Average int
	// Flags selects optional hashed features (feature* constants).
	Flags uint8
	// Dropout is the chance that a hashed feature is left out of an
	// example's pass (the kept ones count 1/(1-Dropout)), so that the
	// lexicon's dense features carry more of the decision.
	Dropout float64
	// NeutralShift is added to the neutral class's bias after training.
	NeutralShift float64
	// Init, when set, is the model training starts from (fine-tuning)
	// instead of zero weights. Bits, CharMin and CharMax must equal its
	// own (Init.Config gives them). Init is not modified.
	Init *Model
}

// FineTuneConfig returns the settings adapt uses to fine-tune m on a small
// set of examples (corrections) without the base data: m's hash size and
// n-grams, 5 epochs at learning rate 0.05, no class balancing (the
// corrections' own label mix is what should be learned). The AdaGrad
// accumulators start at zero, so the first passes move the weights the
// corrections touch by about the learning rate each.
func FineTuneConfig(m *Model) TrainConfig {
	return TrainConfig{Seed: 1, Epochs: 5, Rate: 0.05, L2: 1e-6, Bits: int(m.bits),
		CharMin: m.spec.charMin, CharMax: m.spec.charMax, Flags: m.spec.flags, Init: m}
}

// DefaultTrainConfig returns the settings the embedded model was trained
// with.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{Seed: 1, Epochs: 5, Rate: 0.01, L2: 1e-6, Bits: 18, Balance: true, Flags: FeatureHashtag}
}

// Train fits a Model to examples. It is deterministic: the same examples
// and config give a model that WriteTo writes to the same bytes. It runs on
// the calling goroutine and does no I/O. Products are rounded before they
// are added (explicit conversions), so no platform fuses them.
func Train(examples []Example, c TrainConfig) (*Model, error) {
	if len(examples) == 0 {
		return nil, errors.New("sentiment: no training examples")
	}
	if c.Bits < minModelBits || c.Bits > maxModelBits {
		return nil, fmt.Errorf("sentiment: hash bits %d, want %d..%d", c.Bits, minModelBits, maxModelBits)
	}
	spec := featureSpec{charMin: c.CharMin, charMax: c.CharMax, flags: c.Flags}
	if c.Flags&^featureAll != 0 {
		return nil, fmt.Errorf("sentiment: feature flags %#x, want a subset of %#x", c.Flags, featureAll)
	}
	if spec.charMin > spec.charMax || spec.charMax > 8 || (spec.charMin == 0) != (spec.charMax == 0) {
		return nil, fmt.Errorf("sentiment: character n-grams %d..%d", c.CharMin, c.CharMax)
	}
	if c.Epochs < 1 || !(c.Rate > 0) || c.L2 < 0 || math.IsInf(c.Rate, 0) || math.IsInf(c.L2, 0) {
		return nil, fmt.Errorf("sentiment: epochs %d, rate %g, l2 %g", c.Epochs, c.Rate, c.L2)
	}
	if c.Average < 0 || !(c.Dropout >= 0 && c.Dropout < 1) || math.IsNaN(c.NeutralShift) || math.IsInf(c.NeutralShift, 0) {
		return nil, fmt.Errorf("sentiment: average %d, dropout %g, neutral shift %g", c.Average, c.Dropout, c.NeutralShift)
	}
	if m := c.Init; m != nil && (int(m.bits) != c.Bits || m.spec != spec) {
		return nil, fmt.Errorf("sentiment: initial model has %d hash bits, character n-grams %d..%d and feature flags %#x, the config %d, %d..%d and %#x",
			m.bits, m.spec.charMin, m.spec.charMax, m.spec.flags, c.Bits, c.CharMin, c.CharMax, c.Flags)
	}
	var counts [3]float64
	for i, e := range examples {
		if e.Label > Positive {
			return nil, fmt.Errorf("sentiment: example %d: label %s, want negative, neutral or positive", i, e.Label)
		}
		if e.Weight < 0 || math.IsNaN(e.Weight) || math.IsInf(e.Weight, 0) {
			return nil, fmt.Errorf("sentiment: example %d: weight %g", i, e.Weight)
		}
		counts[e.Label]++
	}
	var classW [3]float64
	for k := range classW {
		classW[k] = 1
		if c.Balance && counts[k] > 0 {
			classW[k] = float64(len(examples)) / (3 * counts[k])
		}
	}

	// Features of every example, hashed to bucket offsets once.
	shell := &Model{bits: uint8(c.Bits), spec: spec}
	lex := NewLexicon()
	xs := make([]example, len(examples))
	var rows []uint32
	for i, e := range examples {
		x := &xs[i]
		rows = lex.features(e.Text, spec, &x.dense, rows[:0])
		x.off = make([]int32, len(rows))
		for j, h := range rows {
			x.off[j] = int32(shell.bucket(h))
		}
		x.label = int(e.Label)
		w := e.Weight
		if w == 0 {
			w = 1
		}
		x.weight = w * classW[e.Label]
	}

	runs := max(c.Average, 1)
	var bias [3]float64
	var dw [nDense][3]float64
	var hw []float32
	for r := range runs {
		rb, rd, rh := fit(xs, c, c.Seed+uint64(r))
		if r == 0 {
			bias, dw, hw = rb, rd, rh
			continue
		}
		for k := range bias {
			bias[k] = bias[k] + rb[k]
			for j := range dw {
				dw[j][k] = dw[j][k] + rd[j][k]
			}
		}
		for i, w := range rh {
			hw[i] = hw[i] + w
		}
	}
	if runs > 1 {
		inv := 1 / float64(runs)
		for k := range bias {
			bias[k] = float64(bias[k] * inv)
			for j := range dw {
				dw[j][k] = float64(dw[j][k] * inv)
			}
		}
		for i, w := range hw {
			hw[i] = float32(float64(w) * inv)
		}
	}
	bias[Neutral] = bias[Neutral] + c.NeutralShift

	// Quantise the hashed weights to int8 × scale.
	m := shell
	var maxAbs float64
	for _, w := range hw {
		maxAbs = max(maxAbs, math.Abs(float64(w)))
	}
	m.scale = float32(maxAbs / 127)
	if m.scale == 0 {
		m.scale = 1
	}
	m.hash = make([]int8, len(hw))
	for i, w := range hw {
		m.hash[i] = int8(math.Round(float64(w) / float64(m.scale)))
	}
	for k := range bias {
		m.bias[k] = float32(bias[k])
		for j := range dw {
			m.dense[j][k] = float32(dw[j][k])
		}
	}
	return m, nil
}

// features computes the model inputs of text with the lexicon: the dense
// features into d, and the hashed features appended to dst.
func (a *Analyzer) features(text string, spec featureSpec, d *[nDense]float32, dst []uint32) []uint32 {
	s := a.pool.Get().(*scratch)
	s.reset()
	if need := 2*len(text) + 16; cap(s.lowerBuf) < need {
		s.lowerBuf = make([]byte, 0, need)
	}
	a.tokenize(s, text)
	a.matchPhrases(s)
	total := a.valence(s)
	postDense(s, normalize(total), d)
	appendFeatures(s, text, spec)
	dst = append(dst, s.rows...)
	if s.small() {
		a.pool.Put(s)
	}
	return dst
}

// example is a training example with its features hashed to bucket
// offsets.
type example struct {
	dense  [nDense]float32
	off    []int32
	label  int
	weight float64
}

// fit runs AdaGrad SGD over xs with the given shuffling seed and returns
// the float weights: bias, dense and hashed.
func fit(xs []example, c TrainConfig, seed uint64) ([3]float64, [nDense][3]float64, []float32) {
	var bias, gBias [3]float64
	var dw, gDense [nDense][3]float64
	hw := make([]float32, 3<<c.Bits)
	gHash := make([]float32, 3<<c.Bits)
	if m := c.Init; m != nil {
		for k := range bias {
			bias[k] = float64(m.bias[k])
			for j := range dw {
				dw[j][k] = float64(m.dense[j][k])
			}
		}
		for i, q := range m.hash {
			hw[i] = float32(q) * m.scale
		}
	}
	const eps = 1e-8
	step := func(w, g2, g float64) (float64, float64) {
		g = g + float64(c.L2*w)
		g2 = g2 + float64(g*g)
		return w - float64(c.Rate*g)/(math.Sqrt(g2)+eps), g2
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	drop := rand.New(rand.NewPCG(seed, 0xd209))
	keepScale := 1 / (1 - c.Dropout)
	var kept []int32
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	for range c.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			x := &xs[i]
			z := bias
			for j, v := range x.dense {
				if v != 0 {
					for k := range z {
						z[k] = z[k] + float64(dw[j][k]*float64(v))
					}
				}
			}
			off := x.off
			if c.Dropout > 0 {
				kept = kept[:0]
				for _, o := range x.off {
					if drop.Float64() >= c.Dropout {
						kept = append(kept, o)
					}
				}
				off = kept
			}
			for _, o := range off {
				for k := range z {
					z[k] = z[k] + float64(float64(hw[int(o)+k])*keepScale)
				}
			}
			mx := max(z[0], z[1], z[2])
			var p [3]float64
			var sum float64
			for k := range z {
				p[k] = math.Exp(z[k] - mx)
				sum += p[k]
			}
			for k := range p {
				g := p[k] / sum
				if k == x.label {
					g--
				}
				g = float64(g * x.weight)
				bias[k], gBias[k] = step(bias[k], gBias[k], g)
				for j, v := range x.dense {
					if v != 0 {
						dw[j][k], gDense[j][k] = step(dw[j][k], gDense[j][k], float64(g*float64(v)))
					}
				}
				for _, o := range off {
					w, g2 := step(float64(hw[int(o)+k]), float64(gHash[int(o)+k]), float64(g*keepScale))
					hw[int(o)+k], gHash[int(o)+k] = float32(w), float32(g2)
				}
			}
		}
	}

	return bias, dw, hw
}
