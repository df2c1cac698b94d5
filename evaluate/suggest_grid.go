package evaluate

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/socialpulse/socialpulse/feature"
)

// suggestSet is one name-only taxonomy with the unlabelled text suggest
// learns from and the labelled sentences it is measured on.
type suggestSet struct {
	name, path     string
	learn, measure []aspectSentence
}

// suggestConfig is one setting of taxonomy suggest that the grid measures.
type suggestConfig struct {
	method   feature.SuggestMethod
	minZ     float64
	minPosts int
	rounds   int
}

func (c suggestConfig) String() string {
	if c.method != feature.SuggestShare && c.method != feature.SuggestLogOdds {
		return string(c.method)
	}
	if c.method == feature.SuggestShare {
		return fmt.Sprintf("share, %d round(s)", c.rounds)
	}
	return fmt.Sprintf("log-odds z>=%.1f, min posts %d, %d round(s)", c.minZ, c.minPosts, c.rounds)
}

// options are the Suggester's options for the setting, without similar
// words: this grid measures the co-occurrence statistics alone
// (similarGrid measures similar words on top of the chosen one).
func (c suggestConfig) options() feature.SuggestOptions {
	return feature.SuggestOptions{Method: c.method, MinZ: c.minZ, MinPosts: c.minPosts, Rounds: c.rounds, NoSimilar: true}
}

// suggestGrid lists the settings measured: the share statistic and the
// log-odds bootstrap over its three knobs.
func suggestGrid() []suggestConfig {
	out := []suggestConfig{{method: feature.SuggestShare, rounds: 1}, {method: feature.SuggestShare, rounds: 2}}
	for _, z := range []float64{1.5, 2, 2.5, 3} {
		for _, mp := range []int{2, 3} {
			for _, r := range []int{1, 2} {
				out = append(out, suggestConfig{method: feature.SuggestLogOdds, minZ: z, minPosts: mp, rounds: r})
			}
		}
	}
	return out
}

// suggestSets reads the three name-only sets as nameOnlyRuns and
// complaintRuns split them.
func suggestSets(dataDir, taxDir string) ([]suggestSet, error) {
	aspects := filepath.Join(dataDir, "aspects")
	rest, err := readSemEval2014(filepath.Join(aspects, "semeval2014", "Restaurants_Train_v2.xml"), restaurantCategory)
	if err != nil {
		return nil, err
	}
	train, err := readSemEval2016(filepath.Join(aspects, "semeval2016_laptops", "ABSA16_Laptops_Train_SB1_v2.xml"), laptopCategory)
	if err != nil {
		return nil, err
	}
	test, err := readSemEval2016(filepath.Join(aspects, "semeval2016_laptops", "EN_LAPT_SB1_TEST_gold.xml"), laptopCategory)
	if err != nil {
		return nil, err
	}
	comp, err := complaintDomains(filepath.Join(dataDir, "complaints", "complaints-data.csv"))
	if err != nil {
		return nil, err
	}
	re, ro := evenOdd(rest)
	ce, co := evenOdd(comp)
	return []suggestSet{
		{"restaurants", filepath.Join(taxDir, "semeval-restaurants-nameonly.yaml"), re, ro},
		{"laptops", filepath.Join(taxDir, "semeval-laptops-nameonly.yaml"), train, test},
		{"complaints", filepath.Join(taxDir, "complaints-domains-nameonly.yaml"), ce, co},
	}, nil
}

// evenOdd splits sentences into the even-numbered ones (a tuning or
// learning half) and the odd-numbered ones (held out).
func evenOdd(s []aspectSentence) (even, odd []aspectSentence) {
	for i, x := range s {
		if i%2 == 0 {
			even = append(even, x)
		} else {
			odd = append(odd, x)
		}
	}
	return even, odd
}

// runSuggestGrid measures every suggestConfig on the three name-only sets,
// learning from the unlabelled learning text ("held out") or from the
// measured text itself ("same posts", as a user runs suggest on the stream
// the taxonomy then tags), and picks a setting for each set on the other
// two (leave one set out).
func (ev *aspectEval) runSuggestGrid(ctx context.Context, dataDir, taxDir string, extra []string) error {
	sets, err := suggestSets(dataDir, taxDir)
	if err != nil {
		return err
	}
	more, err := extraSets(extra)
	if err != nil {
		return err
	}
	w := ev.stdout
	grid := suggestGrid()
	// total[gi][i]: the setting's macro F1 on set i summed over the modes.
	total := make([][]float64, len(grid))
	for gi := range total {
		total[gi] = make([]float64, len(sets))
	}
	baseTotal := make([]float64, len(sets))
	modes := 0
	for _, transductive := range []bool{false, true} {
		for _, all := range []bool{false, true} {
			mode, scope := learnMode(transductive, all)
			gridHeader(w, fmt.Sprintf("taxonomy suggest settings, learned from %s, %s: macro F1", mode, scope), "setting", sets)
			base := make([]float64, len(sets))
			for i, s := range sets {
				tg, err := ev.tagger(s.path)
				if err != nil {
					return err
				}
				base[i] = macroF1(tg, s.measure)
			}
			fmt.Fprintf(w, "| name-only, no suggest | %s | %.3f |\n", f3s(base), mean(base))
			modes++
			for i := range sets {
				baseTotal[i] += base[i]
			}
			scores := make([][]float64, len(grid))
			for gi, c := range grid {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				scores[gi] = make([]float64, len(sets))
				terms := make([]int, len(sets))
				for i, s := range sets {
					learn := s.learn
					if transductive {
						learn = s.measure
					}
					tg, n, err := ev.suggestedWith(s.path, learn, all, c.options())
					if err != nil {
						return err
					}
					scores[gi][i], terms[i] = macroF1(tg, s.measure), n
					total[gi][i] += scores[gi][i]
				}
				cells := make([]string, len(sets))
				for i := range sets {
					cells[i] = fmt.Sprintf("%.3f (%d)", scores[gi][i], terms[i])
				}
				fmt.Fprintf(w, "| %s | %s | %.3f |\n", c, strings.Join(cells, " | "), mean(scores[gi]))
			}
			looTable(w, sets, grid, scores, base, 1)
		}
	}
	fmt.Fprintf(w, "\n#### One setting for every mode: leave one set out on the mean over the %d tables above\n", modes)
	looTable(w, sets, grid, total, baseTotal, modes)
	if err := ev.similarGrid(ctx, sets, more); err != nil {
		return err
	}
	return ev.fallbackGrid(sets)
}

// fallbackMargins are the log-odds margins of the self-trained fallback
// (eval_learned.go) that fallbackGrid measures.
var fallbackMargins = []float64{0.5, 1, 2, 3, 4, 6}

// fallbackTargets are the agreements with the terms' own features that
// CalibrateMargin is asked for.
var fallbackTargets = []float64{0.5, 0.6, 0.7, 0.8, 0.9}

// fallbackGrid measures the self-trained fallback's margin on the three
// sets, trained on the learning text or on the measured text itself, with
// leave-one-set-out picks.
func (ev *aspectEval) fallbackGrid(sets []suggestSet) error {
	w := ev.stdout
	for _, c := range []struct{ transductive, suggest bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		transductive := c.transductive
		mode := "trained on the learning half/train (held out)"
		if transductive {
			mode = "trained on the measured posts themselves, without labels"
		}
		tax := "name-only"
		if c.suggest {
			tax = "name-only + suggest --method logodds, all posts (learned from the same text)"
		}
		gridHeader(w, fmt.Sprintf("Self-trained fallback for posts no term matches, %s, %s: macro F1", tax, mode), "margin", sets)
		base := make([]float64, len(sets))
		models := make([]*selfTrained, len(sets))
		learnTexts := make([][]string, len(sets))
		for i, s := range sets {
			learn := s.learn
			if transductive {
				learn = s.measure
			}
			tg, err := ev.tagger(s.path)
			if c.suggest {
				tg, _, err = ev.suggestedWith(s.path, learn, true, feature.SuggestOptions{Method: feature.SuggestLogOdds})
			}
			if err != nil {
				return err
			}
			base[i] = macroF1(tg, s.measure)
			texts := make([]string, len(learn))
			for j, x := range learn {
				texts[j] = x.text
			}
			models[i] = trainSelf(tg, texts)
			learnTexts[i] = texts
		}
		fmt.Fprintf(w, "| no fallback (terms only) | %s | %.3f |\n", f3s(base), mean(base))
		scores := make([][]float64, len(fallbackMargins)+1)
		scores[0] = base
		grid := []suggestConfig{{method: "no fallback"}}
		for mi, mg := range fallbackMargins {
			row := make([]float64, len(sets))
			for i, s := range sets {
				models[i].fb.Margin = mg
				row[i] = macroF1With(models[i].tg, models[i].tag, s.measure)
			}
			scores[mi+1] = row
			grid = append(grid, suggestConfig{method: feature.SuggestMethod(fmt.Sprintf("margin %g", mg))})
			fmt.Fprintf(w, "| %g | %s | %.3f |\n", mg, f3s(row), mean(row))
		}
		// The margin calibrated on the learning text's own tagged posts
		// (feature.Fallback.CalibrateMargin) for each agreement target.
		cscores := [][]float64{base}
		cgrid := []suggestConfig{{method: "no fallback"}}
		for _, target := range fallbackTargets {
			row := make([]float64, len(sets))
			cells := make([]string, len(sets))
			for i, s := range sets {
				mg, n := models[i].fb.CalibrateMargin(models[i].tg, learnTexts[i], target)
				row[i] = macroF1With(models[i].tg, models[i].tag, s.measure)
				cells[i] = fmt.Sprintf("%.3f (margin %.2f from %d posts)", row[i], mg, n)
			}
			cscores = append(cscores, row)
			cgrid = append(cgrid, suggestConfig{method: feature.SuggestMethod(fmt.Sprintf("calibrated to %g agreement", target))})
			fmt.Fprintf(w, "| calibrated to %g agreement | %s | %.3f |\n", target, strings.Join(cells, " | "), mean(row))
		}
		fmt.Fprint(w, "\nFixed margin:\n")
		looTable(w, sets, grid, scores, base, 1)
		fmt.Fprint(w, "\nCalibrated margin:\n")
		looTable(w, sets, cgrid, cscores, base, 1)
	}
	return nil
}

// looTable picks, for each set, the setting with the best sum of scores on
// the other sets and prints its score on the held-out set (sums divided by
// n) beside the baseline's and the first setting's (grid[0]).
func looTable(w io.Writer, sets []suggestSet, grid []suggestConfig, scores [][]float64, base []float64, n int) {
	fmt.Fprintln(w)
	first := "share"
	if grid[0].method != feature.SuggestShare {
		first = grid[0].String()
	}
	fmt.Fprintf(w, "| held-out set | setting picked on the other sets | macro F1, terms only | %s | picked |\n", first)
	fmt.Fprintln(w, "|---|---|---:|---:|---:|")
	d := float64(n)
	for h := range sets {
		best, bi := -1.0, 0
		for gi := range grid {
			m := 0.0
			for i := range sets {
				if i != h {
					m += scores[gi][i]
				}
			}
			if m > best+1e-9 {
				best, bi = m, gi
			}
		}
		fmt.Fprintf(w, "| %s | %s | %.3f | %.3f | %.3f |\n", sets[h].name, grid[bi], base[h]/d, scores[0][h]/d, scores[bi][h]/d)
	}
}

// learnMode names where a grid's suggest run learned (the held-out
// learning text or the measured posts themselves) and from which posts.
func learnMode(transductive, all bool) (mode, scope string) {
	mode, scope = "the learning half/train (held out)", "negative posts (--all=false)"
	if transductive {
		mode = "the measured posts themselves, without labels"
	}
	if all {
		scope = "all posts (the default)"
	}
	return mode, scope
}

// gridHeader prints a grid table's title and header: the setting column
// (named first), one column per set and the mean.
func gridHeader(w io.Writer, title, first string, sets []suggestSet) {
	fmt.Fprintf(w, "\n#### %s\n\n", title)
	fmt.Fprintf(w, "| %s | %s | mean |\n|---|", first, strings.Join(setNames(sets), " | "))
	fmt.Fprint(w, strings.Repeat("---:|", len(sets)+1), "\n")
}

func setNames(sets []suggestSet) []string {
	out := make([]string, len(sets))
	for i, s := range sets {
		out[i] = s.name + " (terms)"
	}
	return out
}

func f3s(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.3f", x)
	}
	return strings.Join(s, " | ")
}

func mean(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t / float64(max(len(v), 1))
}

// macroF1 is the macro F1 over the features (not "other") that report
// prints, for the tagger on sents.
func macroF1(tg *feature.Tagger, sents []aspectSentence) float64 {
	return macroF1With(tg, tg.Tag, sents)
}

// macroF1With is macroF1 with tag in place of tg.Tag.
func macroF1With(tg *feature.Tagger, tag func(string, []feature.Match) []feature.Match, sents []aspectSentence) float64 {
	type c struct{ gold, pred, tp int }
	counts := map[string]*c{}
	get := func(k string) *c {
		if counts[k] == nil {
			counts[k] = &c{}
		}
		return counts[k]
	}
	var ms []feature.Match
	for _, s := range sents {
		ms = tag(s.text, ms[:0])
		pred := map[string]bool{}
		for _, m := range ms {
			pred[tg.Features()[m.Feature].ID] = true
		}
		for k := range pred {
			get(k).pred++
			if s.has(k) {
				get(k).tp++
			}
		}
		seen := map[string]bool{}
		for _, o := range s.opinions {
			if !seen[o.category] {
				seen[o.category] = true
				get(o.category).gold++
			}
		}
	}
	sum, n := 0.0, 0
	for k, x := range counts {
		if k == feature.OtherID || x.gold == 0 {
			continue
		}
		_, _, f := aspectPRF(x.tp, x.pred, x.gold)
		sum += f
		n++
	}
	return sum / float64(max(n, 1))
}
