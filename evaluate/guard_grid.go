package evaluate

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/socialpulse/socialpulse/feature"
)

// guardSettings are the feature.TagOptions the guard grid measures.
func guardSettings() []feature.TagOptions {
	var out []feature.TagOptions
	for _, desc := range []feature.DescriptionMode{feature.DescriptionOff, feature.DescriptionOn, feature.DescriptionSecondCue} {
		for _, rank := range []string{"", "strongest", "single"} {
			for _, compounds := range []bool{false, true} {
				for _, short := range []int{0, 4, 6, 99} {
					for _, gap := range []int{0, 1, 2} {
						out = append(out, feature.TagOptions{Description: desc, Strongest: rank == "strongest", Single: rank == "single", Compounds: compounds, ShortDerived: short, PhraseGap: gap})
					}
				}
			}
		}
	}
	return out
}

// guardLabel names a setting in a table.
func guardLabel(o feature.TagOptions) string {
	s := ""
	switch o.Description {
	case feature.DescriptionOn:
		s += "description, "
	case feature.DescriptionSecondCue:
		s += "description (second cue), "
	}
	if o.Strongest {
		s += "strongest, "
	}
	if o.Single {
		s += "single, "
	}
	if o.Compounds {
		s += "compounds, "
	}
	if o.PhraseGap > 0 {
		s += fmt.Sprintf("phrase gap %d, ", o.PhraseGap)
	}
	if o.ShortDerived > 0 {
		s += fmt.Sprintf("short derived ≤%d, ", o.ShortDerived)
	}
	if s == "" {
		s = "none, "
	}
	s = s[:len(s)-2]
	if o == feature.DefaultTagOptions {
		s += " (default)"
	}
	return s
}

// guardSet is one evaluation set of the guard grid.
type guardSet struct {
	name, path string
	sents      []aspectSentence
	tuned      bool
}

// aspectScore is what the grid keeps of a report: micro precision and
// recall over the features, and macro F1 over the features with gold
// labels (as report computes them).
type aspectScore struct{ p, r, macro float64 }

// score tags sents with tg and returns its scores, without printing.
func score(ctx context.Context, tg *feature.Tagger, sents []aspectSentence) (aspectScore, error) {
	counts := map[string]*aspectCounts{}
	get := func(c string) *aspectCounts {
		if counts[c] == nil {
			counts[c] = &aspectCounts{}
		}
		return counts[c]
	}
	var ms []feature.Match
	for i, s := range sents {
		if i%256 == 0 && ctx.Err() != nil {
			return aspectScore{}, ctx.Err()
		}
		ms = tg.Tag(s.text, ms[:0])
		pred := map[string]bool{}
		for _, m := range ms {
			pred[tg.Features()[m.Feature].ID] = true
		}
		for c := range pred {
			get(c).pred++
			if s.has(c) {
				get(c).tp++
			}
		}
		seen := map[string]bool{}
		for _, o := range s.opinions {
			if o.category != feature.OtherID && !seen[o.category] {
				seen[o.category] = true
				get(o.category).gold++
			}
		}
	}
	var micro aspectCounts
	macro, n := 0.0, 0
	for _, a := range counts {
		micro.add(a)
		if a.gold > 0 {
			_, _, f := aspectPRF(a.tp, a.pred, a.gold)
			macro += f
			n++
		}
	}
	p, r, _ := aspectPRF(micro.tp, micro.pred, micro.gold)
	return aspectScore{p: p, r: r, macro: macro / float64(max(n, 1))}, nil
}

// runGuardGrid measures the tagger's matching options (feature.TagOptions)
// on the three name-only sets (and the extra ones, "TAXONOMY=LABELS") and
// the tuned SemEval taxonomies' held-out splits, and for each name-only set
// picks the setting with the best mean macro F1 on the other name-only sets
// (leave one set out).
func (ev *aspectEval) runGuardGrid(ctx context.Context, dataDir, taxDir string, extra []string) error {
	aspects := filepath.Join(dataDir, "aspects")
	rest, err := readSemEval2014(filepath.Join(aspects, "semeval2014", "Restaurants_Train_v2.xml"), restaurantCategory)
	if err != nil {
		return err
	}
	_, restOdd := evenOdd(rest)
	lapTest, err := readSemEval2016(filepath.Join(aspects, "semeval2016_laptops", "EN_LAPT_SB1_TEST_gold.xml"), laptopCategory)
	if err != nil {
		return err
	}
	lapTrain, err := readSemEval2016(filepath.Join(aspects, "semeval2016_laptops", "ABSA16_Laptops_Train_SB1_v2.xml"), laptopCategory)
	if err != nil {
		return err
	}
	comp, err := complaintDomains(filepath.Join(dataDir, "complaints", "complaints-data.csv"))
	if err != nil {
		return err
	}
	_, compOdd := evenOdd(comp)
	sets := []guardSet{
		{"restaurants name-only (odd)", "semeval-restaurants-nameonly.yaml", restOdd, false},
		{"laptops name-only (test)", "semeval-laptops-nameonly.yaml", lapTest, false},
		{"complaints name-only (odd)", "complaints-domains-nameonly.yaml", compOdd, false},
		{"restaurants tuned (odd)", "semeval-restaurants.yaml", restOdd, true},
		{"laptops tuned (test)", "semeval-laptops.yaml", lapTest, true},
		{"laptops tuned (train)", "semeval-laptops.yaml", lapTrain, true},
	}
	nameOnly := 3
	more, err := extraSets(extra)
	if err != nil {
		return err
	}
	for _, x := range more {
		sets = slices.Insert(sets, nameOnly, guardSet{x.name + " name-only", x.path, x.measure, false})
		nameOnly++
	}
	settings := guardSettings()
	def := slices.Index(settings, feature.DefaultTagOptions)
	res := make([][]aspectScore, len(settings)) // [setting][set]
	for i, o := range settings {
		for _, s := range sets {
			path := s.path
			if !filepath.IsAbs(path) {
				path = filepath.Join(taxDir, path)
			}
			t, err := feature.LoadTaxonomy(path)
			if err != nil {
				return err
			}
			tg, err := feature.NewTaggerWith(t, o)
			if err != nil {
				return err
			}
			sc, err := score(ctx, tg, s.sents)
			if err != nil {
				return err
			}
			res[i] = append(res[i], sc)
		}
	}
	w := ev.stdout
	fmt.Fprintln(w, "### Tagger matching options (feature.TagOptions), macro F1 (micro precision / recall)")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| setting |")
	for _, s := range sets {
		fmt.Fprintf(w, " %s |", s.name)
	}
	fmt.Fprint(w, "\n|---|")
	for range sets {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for i, o := range settings {
		fmt.Fprintf(w, "| %s |", guardLabel(o))
		for _, sc := range res[i] {
			fmt.Fprintf(w, " %s (%s / %s) |", aspectF3(sc.macro), aspectF3(sc.p), aspectF3(sc.r))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Leave one name-only set out: the setting with the best mean macro F1 on the other name-only sets, measured on it")
	fmt.Fprintln(w, "(ties keep the default).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| left-out set | default | picked setting | macro F1 | tuned restaurants (odd) | tuned laptops (test) | tuned laptops (train) |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|")
	meanOther := func(i, out int) float64 {
		mean := 0.0
		for s := 0; s < nameOnly; s++ {
			if s != out {
				mean += res[i][s].macro / float64(nameOnly-1)
			}
		}
		return mean
	}
	for out := 0; out < nameOnly; out++ {
		best, bestMean := def, meanOther(def, out)
		for i := range settings {
			if mean := meanOther(i, out); mean > bestMean+1e-9 {
				best, bestMean = i, mean
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", sets[out].name, aspectF3(res[def][out].macro), guardLabel(settings[best]),
			aspectF3(res[best][out].macro), aspectF3(res[best][nameOnly].macro), aspectF3(res[best][nameOnly+1].macro), aspectF3(res[best][nameOnly+2].macro))
	}
	fmt.Fprintln(w)
	return nil
}
