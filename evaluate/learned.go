package evaluate

import (
	"context"
	"fmt"

	"github.com/socialpulse/socialpulse/feature"
)

// selfTrained tags a post with the taxonomy's terms and, when none match,
// with the feature a feature.Fallback trained on unlabelled text names.
// eval aspects reports it so the route is judged on held-out sentences; the
// processor does not use it.
type selfTrained struct {
	tg     *feature.Tagger
	fb     *feature.Fallback
	scores []float64
}

func trainSelf(tg *feature.Tagger, texts []string) *selfTrained {
	return &selfTrained{tg: tg, fb: feature.TrainFallback(tg, texts), scores: make([]float64, len(tg.Features()))}
}

// tag returns term matches, or, when there are none, the feature the model
// names (a Match with an empty span).
func (m *selfTrained) tag(text string, dst []feature.Match) []feature.Match {
	dst = m.tg.Tag(text, dst)
	if len(dst) > 0 {
		return dst
	}
	if f := m.fb.Classify(text, m.scores); f >= 0 {
		dst = append(dst, feature.Match{Feature: f})
	}
	return dst
}

// selfTrainedRun reports a name-only taxonomy with the self-trained
// fallback, trained on the learning text and measured on held-out text.
func (ev *aspectEval) selfTrainedRun(ctx context.Context, name, path string, learn, measure []aspectSentence) error {
	tg, err := ev.tagger(path)
	if err != nil {
		return err
	}
	texts := make([]string, len(learn))
	for i, s := range learn {
		texts[i] = s.text
	}
	m := trainSelf(tg, texts)
	return ev.reportWith(ctx, fmt.Sprintf("%s + self-trained fallback (naive Bayes, log-odds margin %g)", name, m.fb.Margin), tg, m.tag, measure)
}
