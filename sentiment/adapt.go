package sentiment

import "errors"

// AdaptConfig tunes Adapt. Zero fields keep the mode's defaults.
type AdaptConfig struct {
	Seed   uint64  // shuffling order. Default: 1
	Epochs int     // passes over the examples
	Rate   float64 // AdaGrad learning rate
}

// Adapt trains a model adapted to corrections (examples that carry their
// own weight). With base examples it trains from zero on base plus the
// corrections with DefaultTrainConfig, the embedded model's settings;
// without them it fine-tunes the embedded model on the corrections alone
// (FineTuneConfig). "socialpulse sentiment adapt" and "eval corrections"
// both call it.
func Adapt(corrections, base []Example, c AdaptConfig) (*Model, error) {
	if len(corrections) == 0 {
		return nil, errors.New("sentiment: no corrections to adapt to")
	}
	var tc TrainConfig
	all := corrections
	if len(base) == 0 {
		tc = FineTuneConfig(EmbeddedModel())
	} else {
		tc = DefaultTrainConfig()
		all = append(append(make([]Example, 0, len(base)+len(corrections)), base...), corrections...)
	}
	if c.Seed != 0 {
		tc.Seed = c.Seed
	}
	if c.Epochs > 0 {
		tc.Epochs = c.Epochs
	}
	if c.Rate > 0 {
		tc.Rate = c.Rate
	}
	return Train(all, tc)
}
