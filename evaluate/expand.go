package evaluate

import (
	"context"
	"fmt"

	"github.com/socialpulse/socialpulse/feature"
)

// expandVariants are the WordNet expansions eval aspects measures on each
// name-only taxonomy (see feature.Expand).
var expandVariants = []struct {
	expand feature.Expand
	senses int
}{
	{feature.ExpandSynonyms, 1},
	{feature.ExpandSynonyms, 2},
	{feature.ExpandHyponyms, 1},
	{feature.ExpandHyponyms, 2},
}

// expandedRuns reports the name-only taxonomy at path with every feature's
// terms expanded by each of expandVariants, on sents.
func (ev *aspectEval) expandedRuns(ctx context.Context, name, path string, sents []aspectSentence) error {
	for _, v := range expandVariants {
		t, err := feature.LoadTaxonomy(path)
		if err != nil {
			return err
		}
		t.Expand, t.ExpandSenses = v.expand, v.senses
		for i := range t.Features {
			t.Features[i].Expand = feature.ExpandDefault
		}
		tg, err := feature.NewTagger(t)
		if err != nil {
			return err
		}
		if ev.errors > 0 {
			for i, f := range tg.Features() {
				fmt.Fprintf(ev.stderr, "expand %s %d %s: %q\n", v.expand, v.senses, f.ID, tg.ExpandedTerms(i))
			}
		}
		label := fmt.Sprintf("%s + WordNet %s (%d sense", name, v.expand, v.senses)
		if v.senses > 1 {
			label += "s"
		}
		if err := ev.report(ctx, label+")", tg, sents); err != nil {
			return err
		}
	}
	return nil
}
