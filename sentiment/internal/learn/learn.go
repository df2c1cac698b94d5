// Package learn holds the linear layer that can sit on top of the sentiment
// rules: its feature layout, the weights, prediction and the text format of
// a trained model. It is shared by package sentiment, which extracts the
// features of a post, and by the trainer command in ../train, which fits the
// weights and cross-validates them.
//
// The model is a multinomial logistic regression over three classes
// (negative, neutral, positive, in sentiment.Label order). Its features are
// the rule scorer's own outputs (Dense) and hashed unigrams and bigrams of
// the lowercased tokens (Buckets rows of a fixed-size weight array), so a
// prediction is a handful of array reads and no map lookups.
//
// The Analyzer does not use the layer: cross-validation showed no gain that
// carries over to unseen text (docs/sentiment.md, "Learned layer").
package learn

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Classes is the number of output classes: negative, neutral, positive.
const Classes = 3

// BucketBits sets the size of the hashed n-gram weight array.
const (
	BucketBits = 15
	Buckets    = 1 << BucketBits
)

// Dense features: the rule scorer's outputs for a post, each scaled to
// about [-1, 1].
const (
	DCompound  = iota // the rules' compound score
	DPosSum           // sum of positive token valences after the rules, /4
	DNegSum           // sum of negative token valences after the rules, /4
	DPosCount         // log1p(positive tokens)
	DNegCount         // log1p(negative tokens)
	DComplaint        // log1p(complaint-language tokens with negative valence)
	DSarcasm          // sarcasm rule fired
	DPolite           // a politeness or request word
	DQuestion         // a question mark
	DExclaim          // an exclamation mark
	DWhy              // a "why" question
	DResolved         // a resolution word ("fixed")
	DNegation         // a negator
	DCaps             // an ALL CAPS word among lowercase ones
	DLength           // log1p(tokens)/4
	DRulePos          // the rules' label is positive
	DRuleNeg          // the rules' label is negative
	DNoTokens         // the post has no scored tokens
	Dense             // number of dense features
)

// DenseNames names the dense features, in order, for the model file.
var DenseNames = [Dense]string{
	"compound", "pos_sum", "neg_sum", "pos_count", "neg_count", "complaint",
	"sarcasm", "polite", "question", "exclaim", "why", "resolved", "negation",
	"caps", "length", "rule_pos", "rule_neg", "no_tokens",
}

// Unigram returns the weight row of a token whose lowercased form hashes to h.
func Unigram(h uint32) uint32 {
	return (h * 0x9E3779B1) >> (32 - BucketBits)
}

// Bigram returns the weight row of the token pair hashing to h1, h2.
func Bigram(h1, h2 uint32) uint32 {
	x := h1*0x85EBCA6B ^ (h2+0x27D4EB2F)*0xC2B2AE35
	x ^= x >> 15
	x *= 0x2C1B3C6D
	return x >> (32 - BucketBits)
}

// Model is a trained linear layer. The zero value predicts uniformly.
type Model struct {
	Bias  [Classes]float32
	Dense [Dense][Classes]float32
	Hash  [Buckets][Classes]float32
}

// Logits returns the class scores of a post from its dense features and the
// rows of its n-grams.
func (m *Model) Logits(dense *[Dense]float32, rows []uint32) [Classes]float32 {
	z := m.Bias
	for i, x := range dense {
		if x == 0 {
			continue
		}
		w := &m.Dense[i]
		z[0] += w[0] * x
		z[1] += w[1] * x
		z[2] += w[2] * x
	}
	for _, r := range rows {
		w := &m.Hash[r&(Buckets-1)]
		z[0] += w[0]
		z[1] += w[1]
		z[2] += w[2]
	}
	return z
}

// Softmax turns logits into probabilities.
func Softmax(z [Classes]float32) [Classes]float64 {
	mx := max(z[0], z[1], z[2])
	var p [Classes]float64
	var sum float64
	for k := range z {
		p[k] = math.Exp(float64(z[k] - mx))
		sum += p[k]
	}
	for k := range p {
		p[k] /= sum
	}
	return p
}

// Argmax returns the most likely class.
func Argmax(z [Classes]float32) int {
	best := 0
	for k := 1; k < Classes; k++ {
		if z[k] > z[best] {
			best = k
		}
	}
	return best
}

const header = "socialpulse-sentiment-linear v1"

// WriteTo writes the model as text: a header, the bias, one line per dense
// feature ("name w_neg w_neu w_pos") and one line per non-zero n-gram row
// ("row w_neg w_neu w_pos"). Weights are rounded to four significant digits,
// and Read gives back exactly the rounded values, so a model file is
// reproducible byte for byte.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	put := func(s string) {
		k, _ := bw.WriteString(s)
		n += int64(k)
	}
	f := func(x float32) string { return strconv.FormatFloat(float64(x), 'g', 4, 32) }
	row := func(name string, v [Classes]float32) {
		put(name + " " + f(v[0]) + " " + f(v[1]) + " " + f(v[2]) + "\n")
	}
	put(fmt.Sprintf("%s buckets=%d dense=%d classes=negative,neutral,positive\n", header, Buckets, Dense))
	row("bias", m.Bias)
	for i := range m.Dense {
		row(DenseNames[i], m.Dense[i])
	}
	for i := range m.Hash {
		v := m.Hash[i]
		if Round(v[0]) == 0 && Round(v[1]) == 0 && Round(v[2]) == 0 {
			continue
		}
		row(strconv.Itoa(i), v)
	}
	return n, bw.Flush()
}

// Round rounds a weight to the precision of the model file.
func Round(x float32) float32 {
	if math.Abs(float64(x)) < 5e-5 {
		return 0
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', 4, 32), 32)
	return float32(v)
}

// Read parses a model written by WriteTo.
func Read(text string) (*Model, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) < 2+Dense {
		return nil, errors.New("learn: model file too short")
	}
	want := fmt.Sprintf("%s buckets=%d dense=%d ", header, Buckets, Dense)
	if !strings.HasPrefix(lines[0], want) {
		return nil, fmt.Errorf("learn: model header %q, want prefix %q", lines[0], want)
	}
	m := new(Model)
	for ln, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 1+Classes {
			return nil, fmt.Errorf("learn: model line %d: want name and %d weights", ln+2, Classes)
		}
		var v [Classes]float32
		for k := range v {
			x, err := strconv.ParseFloat(f[k+1], 32)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("learn: model line %d: bad weight %q", ln+2, f[k+1])
			}
			v[k] = float32(x)
		}
		switch {
		case ln == 0:
			if f[0] != "bias" {
				return nil, fmt.Errorf("learn: model line 2: want bias, got %q", f[0])
			}
			m.Bias = v
		case ln <= Dense:
			if f[0] != DenseNames[ln-1] {
				return nil, fmt.Errorf("learn: model line %d: want %s, got %q", ln+2, DenseNames[ln-1], f[0])
			}
			m.Dense[ln-1] = v
		default:
			r, err := strconv.Atoi(f[0])
			if err != nil || r < 0 || r >= Buckets {
				return nil, fmt.Errorf("learn: model line %d: bad row %q", ln+2, f[0])
			}
			m.Hash[r] = v
		}
	}
	return m, nil
}

// Features are the inputs of the model for one post.
type Features struct {
	Dense [Dense]float32
	Rows  []uint32 // n-gram rows, one per unigram and bigram occurrence
}

// Extract computes the features of text with the rule scorer. Package
// sentiment sets it when it is initialised; the trainer calls it. It is
// nil only if package sentiment is not linked in.
var Extract func(text string, dst *Features)
