package evaluate

import (
	"context"
	"fmt"

	"github.com/socialpulse/socialpulse/feature"
)

// selfTrained tags a post with the taxonomy's terms and, when none match,
// with the feature a feature.Fallback trained on unlabelled text names.
// The margin grid (--suggest-grid) moves its margin; the product's route
// is learnedRun.
type selfTrained struct {
	tg     *feature.Tagger
	fb     *feature.Fallback
	scores []float64
}

func trainSelf(tg *feature.Tagger, texts []string) *selfTrained {
	return &selfTrained{tg: tg, fb: feature.TrainFallback(tg, texts), scores: make([]float64, len(tg.Features()))}
}

// tag returns term matches, or, when there are none, the feature the model
// names (an inferred Match with an empty span).
func (m *selfTrained) tag(text string, dst []feature.Match) []feature.Match {
	dst = m.tg.Tag(text, dst)
	if len(dst) > 0 {
		return dst
	}
	if f := m.fb.Classify(text, m.scores); f >= 0 {
		dst = append(dst, feature.Match{Feature: f, Inferred: true})
	}
	return dst
}

// selfTrainedRun reports a taxonomy with learned matching as the product
// runs it: the model "taxonomy learn" trains (feature.LearnFallback) from
// the learning text for tg's taxonomy, attached to the tagger as
// taxonomy.fallback_model attaches it, measured on held-out text. taxonomy
// names the taxonomy in the cost summary ("name-only", or one with suggest
// applied) and name titles the table.
func (ev *aspectEval) selfTrainedRun(ctx context.Context, set, taxonomy, name string, tg *feature.Tagger, learn, measure []aspectSentence) error {
	texts := make([]string, len(learn))
	for i, s := range learn {
		texts[i] = s.text
	}
	fb, _ := feature.LearnFallback(tg, texts, 0)
	tg, err := tg.WithFallback(fb)
	if err != nil {
		return err
	}
	return ev.reportCosted(ctx, set, fmt.Sprintf("%s + learned matching (margin %.3g)", taxonomy, fb.Margin), fmt.Sprintf("%s + learned matching (`taxonomy learn`, margin %.3g)", name, fb.Margin), tg, measure)
}
