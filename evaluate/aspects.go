package evaluate

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/feature/taxonomyio"
	"github.com/socialpulse/socialpulse/sentiment"
)

// AspectsOptions configure Aspects.
type AspectsOptions struct {
	// Data is the dev data directory, with aspects/ and complaints/.
	Data string
	// Taxonomies is the directory with the SemEval taxonomies and their
	// name-only versions.
	Taxonomies string
	// Errors prints up to this many missed and spurious categories per
	// data set to ErrOut.
	Errors int
	// SuggestGrid measures taxonomy suggest's settings on the three
	// name-only sets, with leave-one-set-out picks, instead of the tables.
	SuggestGrid bool
	// GuardGrid measures the tagger's matching options (feature.TagOptions)
	// on the name-only and tuned sets, with leave-one-set-out picks, instead
	// of the tables.
	GuardGrid bool
	// GuardSets are more name-only sets for the guard grid and the suggest
	// grid's similar words, each
	// "TAXONOMY=LABELS": a taxonomy file and a labelled CSV file as eval
	// tagging reads it (text and feature columns).
	GuardSets []string
	// Out receives the markdown tables; ErrOut the error listings.
	Out, ErrOut io.Writer
}

// Aspects measures aspect category detection and per-aspect sentiment on
// the SemEval sets with the taxonomies in o.Taxonomies, then the name-only
// taxonomies with and without taxonomy suggest and matching beyond the
// terms, and the complaint domains ("socialpulse eval aspects").
func Aspects(ctx context.Context, o AspectsOptions) error {
	dir, taxDir, stdout := &o.Data, &o.Taxonomies, o.Out
	aspects := filepath.Join(*dir, "aspects")
	if st, err := os.Stat(aspects); err != nil || !st.IsDir() {
		return fmt.Errorf("aspect dev data not found at %s (pass --data DIR): %w", aspects, NotDir(err))
	}
	ev := aspectEval{sa: sentiment.New(), stdout: o.Out, stderr: o.ErrOut, errors: o.Errors}
	if o.SuggestGrid {
		return ev.runSuggestGrid(ctx, *dir, *taxDir, o.GuardSets)
	}
	if o.GuardGrid {
		return ev.runGuardGrid(ctx, *dir, *taxDir, o.GuardSets)
	}

	rest, err := ev.tagger(filepath.Join(*taxDir, "semeval-restaurants.yaml"))
	if err != nil {
		return err
	}
	restFile := filepath.Join(aspects, "semeval2014", "Restaurants_Train_v2.xml")
	sents, err := readSemEval2014(restFile, restaurantCategory)
	if err != nil {
		return err
	}
	even, odd := evenOdd(sents)
	fmt.Fprintf(stdout, "### SemEval-2014 restaurants, aspect categories (`%s`)\n\n", filepath.Base(restFile))
	fmt.Fprintln(stdout, "The taxonomy was tuned on the even-numbered sentences only; the odd-numbered ones are held out.")
	fmt.Fprintln(stdout, "\"other\" is anecdotes/miscellaneous: a sentence with no feature.")
	if err := ev.report(ctx, "restaurants, tuning half (even sentences)", rest, even); err != nil {
		return err
	}
	if err := ev.report(ctx, "restaurants, held-out half (odd sentences)", rest, odd); err != nil {
		return err
	}

	lap, err := ev.tagger(filepath.Join(*taxDir, "semeval-laptops.yaml"))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "### SemEval-2016 laptops, sentence-level ENTITY#ATTRIBUTE opinions")
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "Entities map to features of the same name; LAPTOP#PRICE, LAPTOP#CONNECTIVITY and LAPTOP#PORTABILITY")
	fmt.Fprintln(stdout, "map to price, connectivity and portability; other LAPTOP#* opinions (the laptop as a whole) and")
	fmt.Fprintln(stdout, "sentences without opinions are \"other\". The taxonomy was tuned on train; test is reported separately.")
	for _, split := range []struct{ name, file string }{
		{"laptops 2016, train (tuning)", "ABSA16_Laptops_Train_SB1_v2.xml"},
		{"laptops 2016, test (held out)", "EN_LAPT_SB1_TEST_gold.xml"},
	} {
		sents, err := readSemEval2016(filepath.Join(aspects, "semeval2016_laptops", split.file), laptopCategory)
		if err != nil {
			return err
		}
		if err := ev.report(ctx, split.name, lap, sents); err != nil {
			return err
		}
	}

	// SemEval-2014 laptops has aspect terms but no categories: report how many
	// of the annotated terms fall inside a mention of any laptop feature.
	terms, err := readSemEval2014Terms(filepath.Join(aspects, "semeval2014", "Laptop_Train_v2.xml"))
	if err != nil {
		return err
	}
	covered, total := 0, 0
	var ms []feature.Match
	for _, s := range terms {
		ms = lap.Tag(s.text, ms[:0])
		for _, t := range s.terms {
			total++
			for _, m := range ms {
				if m.Start < t[1] && t[0] < m.End {
					covered++
					break
				}
			}
		}
	}
	fmt.Fprintln(stdout, "### SemEval-2014 laptops, aspect terms (no categories; not used for tuning)")
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "| aspect terms | inside a feature mention | coverage |")
	fmt.Fprintln(stdout, "|---:|---:|---:|")
	fmt.Fprintf(stdout, "| %d | %d | %s |\n\n", total, covered, aspectF3(ratio(covered, total)))
	if err := ev.nameOnlyRuns(ctx, aspects, *taxDir); err != nil {
		return err
	}
	if err := ev.complaintRuns(ctx, *dir, *taxDir); err != nil {
		return err
	}
	ev.printCosts()
	fmt.Fprintln(stdout, "Sources: SemEval-2014 Task 4 (Pontiki et al. 2014) and SemEval-2016 Task 5 (Pontiki et al. 2016).")
	return nil
}

// aspectSentence is one labelled sentence: its gold categories with polarities.
type aspectSentence struct {
	text     string
	opinions []aspectOpinion // deduplicated; category feature.OtherID for none
}

type aspectOpinion struct {
	category string
	polarity string // positive, negative, neutral or conflict
}

func (s aspectSentence) has(cat string) bool {
	return slices.ContainsFunc(s.opinions, func(o aspectOpinion) bool { return o.category == cat })
}

// restaurantCategory maps a SemEval-2014 restaurant category to a feature id.
func restaurantCategory(c string) string {
	if c == "anecdotes/miscellaneous" {
		return feature.OtherID
	}
	return c
}

// laptopCategory maps a SemEval-2016 ENTITY#ATTRIBUTE category to a feature id.
func laptopCategory(c string) string {
	entity, attr, _ := strings.Cut(c, "#")
	if entity != "LAPTOP" {
		return strings.ToLower(entity)
	}
	switch attr {
	case "PRICE", "CONNECTIVITY", "PORTABILITY":
		return strings.ToLower(attr)
	}
	return feature.OtherID
}

// readXML reads a SemEval file; some start with a space before <?xml.
func readXML(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(bytes.TrimSpace(data), v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

type semeval2014 struct {
	Sentences []struct {
		Text  string `xml:"text"`
		Terms []struct {
			Term     string `xml:"term,attr"`
			Polarity string `xml:"polarity,attr"`
			From     int    `xml:"from,attr"`
			To       int    `xml:"to,attr"`
		} `xml:"aspectTerms>aspectTerm"`
		Categories []struct {
			Category string `xml:"category,attr"`
			Polarity string `xml:"polarity,attr"`
		} `xml:"aspectCategories>aspectCategory"`
	} `xml:"sentence"`
}

func readSemEval2014(path string, mapCat func(string) string) ([]aspectSentence, error) {
	var doc semeval2014
	if err := readXML(path, &doc); err != nil {
		return nil, err
	}
	out := make([]aspectSentence, 0, len(doc.Sentences))
	for _, s := range doc.Sentences {
		as := aspectSentence{text: s.Text}
		for _, c := range s.Categories {
			as.add(mapCat(c.Category), c.Polarity)
		}
		as.finish()
		out = append(out, as)
	}
	return out, nil
}

type termSentence struct {
	text  string
	terms [][2]int // byte offsets
}

func readSemEval2014Terms(path string) ([]termSentence, error) {
	var doc semeval2014
	if err := readXML(path, &doc); err != nil {
		return nil, err
	}
	out := make([]termSentence, 0, len(doc.Sentences))
	for _, s := range doc.Sentences {
		ts := termSentence{text: s.Text}
		for _, t := range s.Terms {
			// from/to count characters; convert to byte offsets.
			from, to := byteOffset(s.Text, t.From), byteOffset(s.Text, t.To)
			if from < to {
				ts.terms = append(ts.terms, [2]int{from, to})
			}
		}
		out = append(out, ts)
	}
	return out, nil
}

func byteOffset(s string, chars int) int {
	n := 0
	for i := range s {
		if n == chars {
			return i
		}
		n++
	}
	return len(s)
}

type semeval2016 struct {
	Reviews []struct {
		Sentences []struct {
			Text     string `xml:"text"`
			Opinions []struct {
				Category string `xml:"category,attr"`
				Polarity string `xml:"polarity,attr"`
			} `xml:"Opinions>Opinion"`
		} `xml:"sentences>sentence"`
	} `xml:"Review"`
}

func readSemEval2016(path string, mapCat func(string) string) ([]aspectSentence, error) {
	var doc semeval2016
	if err := readXML(path, &doc); err != nil {
		return nil, err
	}
	var out []aspectSentence
	for _, r := range doc.Reviews {
		for _, s := range r.Sentences {
			as := aspectSentence{text: s.Text}
			for _, o := range s.Opinions {
				as.add(mapCat(o.Category), o.Polarity)
			}
			as.finish()
			out = append(out, as)
		}
	}
	return out, nil
}

func (s *aspectSentence) add(cat, pol string) {
	o := aspectOpinion{cat, pol}
	if !slices.Contains(s.opinions, o) {
		s.opinions = append(s.opinions, o)
	}
}

// finish drops "other" when the sentence has a real category too, and
// marks a sentence without opinions as "other".
func (s *aspectSentence) finish() {
	real := slices.ContainsFunc(s.opinions, func(o aspectOpinion) bool { return o.category != feature.OtherID })
	if real {
		s.opinions = slices.DeleteFunc(s.opinions, func(o aspectOpinion) bool { return o.category == feature.OtherID })
	}
	if len(s.opinions) == 0 {
		s.opinions = []aspectOpinion{{feature.OtherID, ""}}
	}
}

// Opinion is a gold category of a Sentence, with its polarity (positive,
// negative, neutral, conflict, or "" when unknown).
type Opinion struct{ Category, Polarity string }

// Sentence is a labelled text for AspectReport; no opinion means "other".
type Sentence struct {
	Text     string
	Opinions []Opinion
}

// AspectReport tags sents with the taxonomy (and fallback model) in files,
// loaded and checked as the processor loads them, and writes the tables
// eval aspects prints for one data set to out; up to errors missed and
// spurious categories are listed on errOut.
func AspectReport(ctx context.Context, out, errOut io.Writer, errors int, name string, files enrich.Files, sents []Sentence) error {
	tg, err := enrich.LoadTaggerFiles(files)
	if err != nil {
		return err
	}
	return AspectReportTagger(ctx, out, errOut, errors, name, tg, sents)
}

// AspectReportTagger is AspectReport with a tagger already loaded by
// enrich.LoadTaggerFiles.
func AspectReportTagger(ctx context.Context, out, errOut io.Writer, errors int, name string, tg *feature.Tagger, sents []Sentence) error {
	ev := aspectEval{sa: sentiment.New(), stdout: out, stderr: errOut, errors: errors}
	return ev.report(ctx, name, tg, toAspectSentences(sents))
}

type aspectEval struct {
	sa     *sentiment.Analyzer
	stdout io.Writer
	stderr io.Writer
	errors int
	costs  []costRow // the costed tables' rows, printed last
}

func (ev *aspectEval) tagger(path string) (*feature.Tagger, error) {
	return enrich.LoadTagger(path)
}

// aspectCounts are one category's tallies.
type aspectCounts struct {
	gold, pred, tp int
	polN           int // gold opinions with a polarity whose category was found
	clauseOK       int // ... whose clause sentiment matched
	sentenceOK     int // ... whose sentence sentiment matched
}

func (ev *aspectEval) report(ctx context.Context, name string, tg *feature.Tagger, sents []aspectSentence) error {
	_, err := ev.reportTotals(ctx, name, tg, sents)
	return err
}

// aspectTotals are a table's summary figures.
type aspectTotals struct{ macroF1 float64 }

// reportTotals prints one table (report) and returns its summary figures.
func (ev *aspectEval) reportTotals(ctx context.Context, name string, tg *feature.Tagger, sents []aspectSentence) (aspectTotals, error) {
	counts := map[string]*aspectCounts{}
	get := func(c string) *aspectCounts {
		if counts[c] == nil {
			counts[c] = &aspectCounts{}
		}
		return counts[c]
	}
	var ms []feature.Match
	var clauses []sentiment.Clause
	scores := make([]float64, len(tg.Features()))
	missed, spurious := 0, 0
	for i, s := range sents {
		if i%256 == 0 && ctx.Err() != nil {
			return aspectTotals{}, ctx.Err()
		}
		ms = tg.TagOrInfer(s.text, ms[:0], scores) // with its fallback model, if any
		overall, cl := ev.sa.Analyze(s.text, clauses[:0])
		clauses = cl
		pred := map[string]feature.Match{}
		for _, m := range ms {
			pred[tg.Features()[m.Feature].ID] = m
		}
		if len(pred) == 0 {
			pred[feature.OtherID] = feature.Match{Feature: -1}
		}
		for c := range pred {
			get(c).pred++
			if s.has(c) {
				get(c).tp++
			} else if spurious < ev.errors {
				spurious++
				fmt.Fprintf(ev.stderr, "%s: spurious %s: %s\n", name, c, s.text)
			}
		}
		seenGold := map[string]bool{}
		for _, o := range s.opinions {
			ac := get(o.category)
			if !seenGold[o.category] {
				seenGold[o.category] = true
				ac.gold++
				if _, ok := pred[o.category]; !ok && missed < ev.errors {
					missed++
					fmt.Fprintf(ev.stderr, "%s: missed %s: %s\n", name, o.category, s.text)
				}
			}
			m, found := pred[o.category]
			if !found || o.polarity == "" || o.polarity == "conflict" {
				continue
			}
			// As the pipeline does: a feature takes the sentiment of the clause
			// that mentions it, unless that clause is neutral and the feature
			// is the only one, when the sentence's sentiment is the better guess.
			// An inferred feature has no mention: it takes the sentence's.
			label := overall.Label
			if m.Feature >= 0 && !m.Inferred {
				j := feature.Enclosing(m, len(clauses), func(i int) (int, int) { return clauses[i].Start, clauses[i].End })
				if j >= 0 && (clauses[j].Result.Label != sentiment.Neutral || len(ms) > 1) {
					label = clauses[j].Result.Label
				}
			}
			ac.polN++
			if label.String() == o.polarity {
				ac.clauseOK++
			}
			if overall.Label.String() == o.polarity {
				ac.sentenceOK++
			}
		}
	}

	cats := make([]string, 0, len(counts))
	for c := range counts {
		if c != feature.OtherID {
			cats = append(cats, c)
		}
	}
	slices.SortFunc(cats, func(a, b string) int {
		if d := counts[b].gold - counts[a].gold; d != 0 {
			return d
		}
		return strings.Compare(a, b) // the same order every run
	})
	// Without a gold polarity anywhere there is no sentiment to score: the
	// table leaves those columns out rather than print zeros.
	polarities := false
	for _, s := range sents {
		for _, o := range s.opinions {
			polarities = polarities || o.polarity != ""
		}
	}
	w := ev.stdout
	fmt.Fprintf(w, "\n#### %s: %d sentences\n\n", name, len(sents))
	if polarities {
		fmt.Fprintln(w, "| category | gold | tagged | precision | recall | F1 | sentiment n | clause sentiment acc | sentence sentiment acc |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	} else {
		fmt.Fprintln(w, "| category | gold | tagged | precision | recall | F1 |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	}
	var micro, microAll aspectCounts
	macro, macroN := 0.0, 0
	cells := func(a *aspectCounts, bold bool) string {
		if !polarities {
			return ""
		}
		acc := aspectF3(ratio(a.clauseOK, a.polN))
		if bold {
			acc = "**" + acc + "**"
		}
		return fmt.Sprintf(" %d | %s | %s |", a.polN, acc, aspectF3(ratio(a.sentenceOK, a.polN)))
	}
	row := func(c string, a *aspectCounts) {
		p, r, f := aspectPRF(a.tp, a.pred, a.gold)
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s |%s\n", c, a.gold, a.pred, aspectF3(p), aspectF3(r), aspectF3(f), cells(a, false))
	}
	for _, c := range cats {
		a := counts[c]
		row(c, a)
		micro.add(a)
		if a.gold > 0 {
			_, _, f := aspectPRF(a.tp, a.pred, a.gold)
			macro += f
			macroN++
		}
	}
	microAll = micro
	if a := counts[feature.OtherID]; a != nil {
		row(feature.OtherID, a)
		microAll.add(a)
	}
	p, r, f := aspectPRF(micro.tp, micro.pred, micro.gold)
	fmt.Fprintf(w, "| **micro, features** | %d | %d | %s | %s | **%s** |%s\n", micro.gold, micro.pred, aspectF3(p), aspectF3(r), aspectF3(f), cells(&micro, true))
	p, r, f = aspectPRF(microAll.tp, microAll.pred, microAll.gold)
	fmt.Fprintf(w, "| micro, with other | %d | %d | %s | %s | %s |%s\n", microAll.gold, microAll.pred, aspectF3(p), aspectF3(r), aspectF3(f), cells(&microAll, false))
	macroF1 := macro / float64(max(macroN, 1))
	tail := ""
	if polarities {
		tail = " | | |"
	}
	fmt.Fprintf(w, "| macro F1, features | | | | | %s |%s\n\n", aspectF3(macroF1), tail)
	return aspectTotals{macroF1: macroF1}, nil
}

func (a *aspectCounts) add(b *aspectCounts) {
	a.gold += b.gold
	a.pred += b.pred
	a.tp += b.tp
	a.polN += b.polN
	a.clauseOK += b.clauseOK
	a.sentenceOK += b.sentenceOK
}

func aspectPRF(tp, pred, gold int) (p, r, f float64) {
	p, r = ratio(tp, pred), ratio(tp, gold)
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func aspectF3(v float64) string { return fmt.Sprintf("%.3f", v) }

// nameOnlyRuns reports the name-only taxonomies (semeval-*-nameonly.yaml):
// as written, and after "taxonomy suggest" learned from unlabelled text,
// always measured on sentences the suggestions were not learned from.
func (ev *aspectEval) nameOnlyRuns(ctx context.Context, aspects, taxDir string) error {
	w := ev.stdout
	fmt.Fprintln(w, "### Name-only taxonomies: a user's first taxonomy, with and without `taxonomy suggest`")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "`semeval-*-nameonly.yaml` were written from the category names alone (a one-line description and at")
	fmt.Fprintln(w, "most a handful of obvious terms each), without reading the data. \"+ suggest\" adds the terms")
	fmt.Fprintln(w, "`taxonomy suggest` proposes from the unlabelled text of the tuning half (restaurants, even sentences)")
	fmt.Fprintln(w, "or of train (laptops), from all its sentences (the default) or from its negative ones (`--all=false`),")
	fmt.Fprintln(w, "and is measured on the other half or on test. \"+ learned matching\" adds the model `taxonomy learn` trains")
	fmt.Fprintln(w, "on the same unlabelled text, to the name-only taxonomy and to the default suggest run (last). No labels are used.")
	restPath := filepath.Join(taxDir, "semeval-restaurants-nameonly.yaml")
	sents, err := readSemEval2014(filepath.Join(aspects, "semeval2014", "Restaurants_Train_v2.xml"), restaurantCategory)
	if err != nil {
		return err
	}
	even, odd := evenOdd(sents)
	lapPath := filepath.Join(taxDir, "semeval-laptops-nameonly.yaml")
	train, err := readSemEval2016(filepath.Join(aspects, "semeval2016_laptops", "ABSA16_Laptops_Train_SB1_v2.xml"), laptopCategory)
	if err != nil {
		return err
	}
	test, err := readSemEval2016(filepath.Join(aspects, "semeval2016_laptops", "EN_LAPT_SB1_TEST_gold.xml"), laptopCategory)
	if err != nil {
		return err
	}
	for _, set := range []struct {
		name, path     string
		learn, measure []aspectSentence
		measureName    string
	}{
		{"restaurants", restPath, even, odd, "held-out half (odd sentences)"},
		{"laptops 2016", lapPath, train, test, "test"},
	} {
		tg, err := ev.tagger(set.path)
		if err != nil {
			return err
		}
		if err := ev.reportCosted(ctx, set.name, "name-only", set.name+" name-only, "+set.measureName, tg, set.measure); err != nil {
			return err
		}
		if err := ev.expandedRuns(ctx, set.name+" name-only, "+set.measureName, set.path, set.measure); err != nil {
			return err
		}
		if err := ev.selfTrainedRun(ctx, set.name, "name-only", set.name+" name-only, "+set.measureName, tg, set.learn, set.measure); err != nil {
			return err
		}
		var def suggestedRun
		for _, method := range []feature.SuggestMethod{feature.SuggestShare, feature.SuggestLogOdds} {
			for _, all := range []bool{false, true} {
				stg, n, err := ev.suggestedWith(set.path, set.learn, all, feature.SuggestOptions{Method: method})
				if err != nil {
					return err
				}
				scope := "negative sentences"
				if all {
					scope = "all sentences"
				}
				run := suggestedRun{stg, suggestVariant(method, all, n), fmt.Sprintf("%s name-only + suggest%s (%d terms from %s of %s), %s", set.name, methodLabel(method), n, scope, map[bool]string{true: "train", false: "the even half"}[set.name != "restaurants"], set.measureName)}
				if err := ev.reportCosted(ctx, set.name, run.variant, run.name, stg, set.measure); err != nil {
					return err
				}
				if isDefaultSuggest(method, all) {
					def = run
				}
			}
		}
		if err := ev.selfTrainedRun(ctx, set.name, def.variant, def.name, def.tg, set.learn, set.measure); err != nil {
			return err
		}
	}
	return nil
}

// suggestedRun is a taxonomy with suggest applied: its tagger, its name in
// the cost summary and its table's title.
type suggestedRun struct {
	tg            *feature.Tagger
	variant, name string
}

// isDefaultSuggest reports whether a suggest run is the one the CLI's
// defaults make (log-odds, all posts); learned matching is measured on top
// of that one.
func isDefaultSuggest(m feature.SuggestMethod, all bool) bool {
	return m == feature.SuggestLogOdds && all
}

// methodLabel names a suggest statistic in a table title.
func methodLabel(m feature.SuggestMethod) string {
	return " --method " + string(m)
}

// suggestVariant names a suggest run in the cost summary.
func suggestVariant(m feature.SuggestMethod, all bool, terms int) string {
	scope := "negative posts, `--all=false`"
	if all {
		scope = "all posts, the default"
	}
	return fmt.Sprintf("name-only + suggest%s (%s, terms: %d)", methodLabel(m), scope, terms)
}

// suggestedWith runs taxonomy suggest with opt on the sentences' text (all
// of them, as by default, or the negative ones: --all=false) and returns
// the tagger of the applied taxonomy and the number of terms added.
func (ev *aspectEval) suggestedWith(path string, sents []aspectSentence, all bool, opt feature.SuggestOptions) (*feature.Tagger, int, error) {
	tg, added, err := ev.suggestedTerms(path, sents, all, opt)
	return tg, len(added), err
}

// suggestedTerms is suggestedWith returning the suggestions added.
func (ev *aspectEval) suggestedTerms(path string, sents []aspectSentence, all bool, opt feature.SuggestOptions) (*feature.Tagger, []feature.TermSuggestion, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	tg, err := ev.tagger(path)
	if err != nil {
		return nil, nil, err
	}
	sg := feature.NewSuggester(tg, opt)
	lr := taxonomyio.NewLearner(sg, ev.sa, !all)
	for _, s := range sents {
		lr.Add(s.text, "")
	}
	terms := sg.Terms()
	if ev.errors > 0 {
		for _, t := range terms {
			fmt.Fprintf(ev.stderr, "suggest %s: %s +%q (%d posts, %d elsewhere, %d new, similarity %.3f)\n", filepath.Base(path), t.Feature, t.Term, t.Posts, t.Elsewhere, t.New, t.Similarity)
		}
	}
	out, added, err := feature.AddTerms(data, path, terms)
	if err != nil {
		return nil, nil, err
	}
	t, err := feature.ParseTaxonomy(out, path)
	if err != nil {
		return nil, nil, err
	}
	ntg, err := feature.NewTagger(t)
	return ntg, added, err
}
