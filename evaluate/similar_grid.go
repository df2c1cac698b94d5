package evaluate

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
)

// extraSets reads more name-only sets ("TAXONOMY=LABELS", as --guard-set
// gives them) as suggestSets with no learning half of their own: suggest
// learns from the measured posts themselves.
func extraSets(extra []string) ([]suggestSet, error) {
	var out []suggestSet
	for _, x := range extra {
		tax, labels, ok := strings.Cut(x, "=")
		if !ok || tax == "" || labels == "" {
			return nil, fmt.Errorf("name-only set %q: want TAXONOMY=LABELS", x)
		}
		abs, err := filepath.Abs(tax)
		if err != nil {
			return nil, err
		}
		tg, err := enrich.LoadTagger(abs)
		if err != nil {
			return nil, err
		}
		sents, err := readLabelledFile(labels, tg)
		if err != nil {
			return nil, err
		}
		out = append(out, suggestSet{name: filepath.Base(labels), path: abs, measure: sents})
	}
	return out, nil
}

// similarSetting is one setting of taxonomy suggest's similar words.
type similarSetting struct {
	off            bool
	minSim, margin float64
}

func (c similarSetting) String() string {
	if c.off {
		return "no similar words"
	}
	s := fmt.Sprintf("similarity >= %.2f, margin %.2f", c.minSim, c.margin)
	if c.minSim == feature.DefaultMinSimilarity && c.margin == feature.DefaultSimilarMargin {
		s += " (default)"
	}
	return s
}

func similarSettings() []similarSetting {
	out := []similarSetting{{off: true}}
	for _, m := range []float64{0.3, 0.35, 0.4, 0.45, 0.5} {
		for _, g := range []float64{0.15, 0.2, 0.25, 0.3, 0.35} {
			out = append(out, similarSetting{minSim: m, margin: g})
		}
	}
	return out
}

// similarGrid measures suggest's similar words (on top of the default
// log-odds terms) on the name-only sets: learned from the held-out
// learning text (the three sets that have one) and from the measured
// posts themselves (all sets), from negative posts and from all posts,
// with leave-one-set-out picks per table and on each set's mean over the
// tables it is in.
func (ev *aspectEval) similarGrid(ctx context.Context, sets, more []suggestSet) error {
	w := ev.stdout
	settings := similarSettings()
	grid := make([]suggestConfig, len(settings))
	for i, c := range settings {
		grid[i] = suggestConfig{method: feature.SuggestMethod(c.String())}
	}
	all := append(append([]suggestSet{}, sets...), more...)
	total := make([][]float64, len(settings))
	for i := range total {
		total[i] = make([]float64, len(all))
	}
	tables := make([]int, len(all))
	for _, transductive := range []bool{false, true} {
		for _, everyPost := range []bool{false, true} {
			these := sets
			if transductive {
				these = all
			}
			mode, scope := learnMode(transductive, everyPost)
			gridHeader(w, fmt.Sprintf("taxonomy suggest's similar words, learned from %s, %s: macro F1 (similar words added)", mode, scope), "setting", these)
			scores := make([][]float64, len(settings))
			for si, c := range settings {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				scores[si] = make([]float64, len(these))
				cells := make([]string, len(these))
				for i, s := range these {
					learn := s.learn
					if transductive || learn == nil {
						learn = s.measure
					}
					opt := feature.SuggestOptions{Method: feature.SuggestLogOdds, NoSimilar: c.off, MinSimilarity: c.minSim, SimilarMargin: c.margin}
					tg, added, err := ev.suggestedTerms(s.path, learn, everyPost, opt)
					if err != nil {
						return err
					}
					similar := 0
					for _, a := range added {
						if a.Similarity != 0 {
							similar++
						}
					}
					scores[si][i] = macroF1(tg, s.measure)
					total[si][i] += scores[si][i]
					cells[i] = fmt.Sprintf("%.3f (%d)", scores[si][i], similar)
				}
				fmt.Fprintf(w, "| %s | %s | %.3f |\n", c, strings.Join(cells, " | "), mean(scores[si]))
			}
			for i := range these {
				tables[i]++
			}
			looTable(w, these, grid, scores, scores[0], 1)
		}
	}
	gridHeader(w, "Similar words, one setting for every mode: each set's mean macro F1 over the tables it is in", "setting", all)
	for si := range total {
		for i := range all {
			total[si][i] /= float64(tables[i])
		}
		fmt.Fprintf(w, "| %s | %s | %.3f |\n", settings[si], f3s(total[si]), mean(total[si]))
	}
	fmt.Fprint(w, "\nLeave one set out on those means:\n")
	looTable(w, all, grid, total, total[0], 1)
	return nil
}
