// Package adapt is the body of "socialpulse sentiment adapt": it trains a
// sentiment model adapted to people's corrections with sentiment.Adapt and
// returns the model file, checked the way a processor loads it.
//
// With a data directory it trains from zero on the SemEval tweets plus the
// corrections; without one it fine-tunes the embedded model on the
// corrections alone. Non-goals: where the corrections come from and where
// the model is written (cmd/socialpulse), the training itself (package
// sentiment), storing corrections (package correction).
package adapt

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/evaluate"
	"github.com/socialpulse/socialpulse/sentiment"
)

// Options configure Train.
type Options struct {
	// Corrections are the examples; a post corrected more than once counts
	// with its latest label (correction.Examples).
	Corrections []correction.Correction
	// Data is the dev data directory with semeval2017-4a-train/; "" fine-
	// tunes the embedded model on the corrections only.
	Data string
	// Weight is one correction's weight against one SemEval tweet; > 0.
	Weight float64
	// Seed shuffles the examples; the same options give the same model.
	Seed uint64
	// Epochs and Rate are sentiment.AdaptConfig's (0: the mode's default).
	Epochs int
	Rate   float64
}

// Result is what Train made.
type Result struct {
	// Model is the model file, for sentiment.model_file.
	Model []byte
	// Examples is the number of corrections trained on.
	Examples int
	// Agree is the number of corrections the model gives the corrected
	// label.
	Agree int
}

// Summary is the one-line report of a training with o that took took:
// how the model was trained and how many corrections it agrees with.
func (r Result) Summary(o Options, took time.Duration) string {
	mode := "fine-tuned the embedded model"
	if o.Data != "" {
		mode = "trained on the SemEval tweets plus"
	}
	return fmt.Sprintf("adapt: %s %d corrections (weight %g) in %.1f s; the model gives %d of them the corrected label",
		mode, r.Examples, o.Weight, took.Seconds(), r.Agree)
}

// Train trains the adapted model.
func Train(o Options) (Result, error) {
	if o.Weight <= 0 {
		return Result{}, fmt.Errorf("weight %g: want > 0", o.Weight)
	}
	ex := correction.Examples(o.Corrections, o.Weight)
	if len(ex) == 0 {
		return Result{}, errors.New("no corrections to adapt to")
	}
	var base []sentiment.Example
	if o.Data != "" {
		var err error
		if base, err = evaluate.SemEvalExamples(filepath.Join(o.Data, "semeval2017-4a-train")); err != nil {
			return Result{}, err
		}
	}
	m, err := sentiment.Adapt(ex, base, sentiment.AdaptConfig{Seed: o.Seed, Epochs: o.Epochs, Rate: o.Rate})
	if err != nil {
		return Result{}, err
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return Result{}, err
	}
	// Check what we wrote the way a processor will load it.
	if _, err := sentiment.LoadModel(bytes.NewReader(buf.Bytes())); err != nil {
		return Result{}, fmt.Errorf("adapted model fails its checks: %w", err)
	}
	a := sentiment.NewWithModel(m)
	agree := 0
	for _, e := range correction.Examples(o.Corrections, 1) {
		if a.Score(e.Text).Label == e.Label {
			agree++
		}
	}
	return Result{Model: buf.Bytes(), Examples: len(ex), Agree: agree}, nil
}
