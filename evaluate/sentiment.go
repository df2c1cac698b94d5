package evaluate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jonreiter/govader"

	"github.com/socialpulse/socialpulse/internal/devdata"
	"github.com/socialpulse/socialpulse/sentiment"
)

// SentimentOptions configure Sentiment.
type SentimentOptions struct {
	// Data is the dev data directory, with vader/, complaints/ and
	// semeval2017-4a-train/.
	Data string
	// Folds is the number of cross-validation folds over the SemEval
	// tweets; 0 skips the cross-validation.
	Folds int
	// Errors prints up to this many posts per data set that the learned
	// scorer misreads to ErrOut.
	Errors int
	// Out receives the markdown table; ErrOut the error listings.
	Out, ErrOut io.Writer
}

// Sentiment measures the lexicon scorer, the learned scorer (the default)
// and govader on the dev data and prints a markdown table (for
// BENCHMARKS.md) to o.Out ("socialpulse eval sentiment").
func Sentiment(ctx context.Context, o SentimentOptions) error {
	dir, folds, stdout, stderr, showErrors := &o.Data, &o.Folds, o.Out, o.ErrOut, &o.Errors
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		return fmt.Errorf("sentiment dev data not found at %s (pass --data DIR): %w", *dir, NotDir(err))
	}

	ev := &sentEval{
		lex:     sentiment.NewLexicon(),
		learned: sentiment.New(),
		vader:   govader.NewSentimentIntensityAnalyzer(),
		stderr:  stderr,
		errors:  *showErrors,
	}
	var rows []sentRow

	rated := []struct{ name, file string }{
		{"VADER tweets", "tweets_GroundTruth.txt"},
		{"VADER movie reviews", "movieReviewSnippets_GroundTruth.txt"},
		{"VADER Amazon reviews", "amazonReviewSnippets_GroundTruth.txt"},
		{"VADER NYT editorials", "nytEditorialSnippets_GroundTruth.txt"},
	}
	for i, set := range rated {
		path := filepath.Join(*dir, "vader", set.file)
		items, err := devdata.ReadRated(path)
		if err != nil {
			return err
		}
		r, err := ev.rated(ctx, set.name, items, i == 0)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}

	path := filepath.Join(*dir, "complaints", "complaints-data.csv")
	items, err := devdata.ReadComplaints(path)
	if err != nil {
		return err
	}
	r, err := ev.complaints(ctx, items)
	if err != nil {
		return err
	}
	rows = append(rows, r...)
	timed := ev.texts
	lexTime, learnedTime, vaderTime := ev.times[0], ev.times[1], ev.times[2]

	tweets, err := devdata.ReadSemEval(filepath.Join(*dir, "semeval2017-4a-train"))
	if err != nil {
		return err
	}
	r, err = ev.semeval(ctx, tweets, *folds)
	if err != nil {
		return err
	}
	rows = append(rows, r...)

	fmt.Fprintln(stdout, "| data set | n | metric | lexicon | learned | govader |")
	fmt.Fprintln(stdout, "|---|---:|---|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(stdout, "| %s | %d | %s | %s | %s | %s |\n", r.set, r.n, r.metric, r.v[0], r.v[1], r.v[2])
	}
	us := func(d time.Duration) float64 { return d.Seconds() * 1e6 / float64(timed) }
	fmt.Fprintf(stdout, "| VADER and complaint texts above | %d | scoring time per text | %.2f µs | %.2f µs | %.2f µs |\n",
		timed, us(lexTime), us(learnedTime), us(vaderTime))
	return nil
}

// NotDir is err, or when err is nil (the path exists but is a file) an
// error that says it is not a directory.
func NotDir(err error) error {
	if err == nil {
		return errors.New("not a directory")
	}
	return err
}

// sentEval scores texts with the three scorers and keeps timing totals.
type sentEval struct {
	lex, learned *sentiment.Analyzer
	vader        *govader.SentimentIntensityAnalyzer
	stderr       io.Writer
	errors       int
	texts        int
	times        [3]time.Duration // lexicon, learned, govader
}

// sentRow is one line of the table; v holds the lexicon's, the learned
// scorer's and govader's figures.
type sentRow struct {
	set, metric string
	n           int
	v           [3]string
}

func row(set, metric string, n int, f func(i int) float64) sentRow {
	return sentRow{set, metric, n, [3]string{f3(f(0)), f3(f(1)), f3(f(2))}}
}

// goldOf applies the gold rule: mean > 0.5 positive, < -0.5 negative.
func goldOf(mean float64) sentiment.Label {
	switch {
	case mean > 0.5:
		return sentiment.Positive
	case mean < -0.5:
		return sentiment.Negative
	}
	return sentiment.Neutral
}

// score scores every text with the three scorers, returning the compound
// scores and labels of each (lexicon, learned, govader).
func (ev *sentEval) score(ctx context.Context, name string, texts []string) (scores [3][]float64, labels [3][]sentiment.Label, err error) {
	fmt.Fprintf(ev.stderr, "eval sentiment: %s: %d texts\n", name, len(texts))
	for k, a := range []*sentiment.Analyzer{ev.lex, ev.learned} {
		scores[k] = make([]float64, len(texts))
		labels[k] = make([]sentiment.Label, len(texts))
		start := time.Now()
		for i, t := range texts {
			r := a.Score(t)
			scores[k][i], labels[k][i] = r.Score, r.Label
		}
		ev.times[k] += time.Since(start)
	}
	scores[2] = make([]float64, len(texts))
	start := time.Now()
	for i, t := range texts {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return scores, labels, err
			}
			if i > 0 {
				fmt.Fprintf(ev.stderr, "eval sentiment: %s: govader %d/%d\n", name, i, len(texts))
			}
		}
		scores[2][i] = ev.vader.PolarityScores(t).Compound
	}
	ev.times[2] += time.Since(start)
	labels[2] = labelsOf(scores[2])
	ev.texts += len(texts)
	return scores, labels, nil
}

func (ev *sentEval) rated(ctx context.Context, name string, items []devdata.Rated, withAccuracy bool) ([]sentRow, error) {
	texts := make([]string, len(items))
	gold := make([]sentiment.Label, len(items))
	means := make([]float64, len(items))
	for i, it := range items {
		texts[i], gold[i], means[i] = it.Text, goldOf(it.Mean), it.Mean
	}
	sc, lb, err := ev.score(ctx, name, texts)
	if err != nil {
		return nil, err
	}
	ev.printErrors(name, texts, gold, lb[1], sc[1])
	n := len(items)
	var rows []sentRow
	if withAccuracy {
		rows = append(rows, row(name, "accuracy (3-class)", n, func(k int) float64 { return devdata.Accuracy(gold, lb[k]) }))
	}
	rows = append(rows,
		row(name, "macro-F1 (3-class)", n, func(k int) float64 { return devdata.MacroF1(gold, lb[k], classes, true) }),
		row(name, "Pearson r with human mean", n, func(k int) float64 { return devdata.Pearson(sc[k], means) }),
	)
	return rows, nil
}

func (ev *sentEval) complaints(ctx context.Context, items []devdata.Complaint) ([]sentRow, error) {
	const name = "Complaints (Preotiuc-Pietro et al. 2019)"
	texts := make([]string, len(items))
	gold := make([]sentiment.Label, len(items))
	for i, it := range items {
		texts[i] = it.Text
		gold[i] = sentiment.Neutral
		if it.Complaint {
			gold[i] = sentiment.Negative
		}
	}
	sc, lb, err := ev.score(ctx, "complaints", texts)
	if err != nil {
		return nil, err
	}
	for k := range lb { // complaint ⇔ negative; everything else is "not"
		for i := range lb[k] {
			if lb[k][i] != sentiment.Negative {
				lb[k][i] = sentiment.Neutral
			}
		}
	}
	ev.printErrors("complaints", texts, gold, lb[1], sc[1])
	n := len(items)
	var prf [3][3]float64
	for k := range lb {
		prf[k][0], prf[k][1], prf[k][2] = devdata.PRF(gold, lb[k], sentiment.Negative)
	}
	return []sentRow{
		row(name, "complaint precision", n, func(k int) float64 { return prf[k][0] }),
		row(name, "complaint recall", n, func(k int) float64 { return prf[k][1] }),
		row(name, "complaint F1", n, func(k int) float64 { return prf[k][2] }),
		row(name, "accuracy (complaint or not)", n, func(k int) float64 { return devdata.Accuracy(gold, lb[k]) }),
	}, nil
}

// semeval scores the SemEval tweets. The lexicon and govader score them as
// they are; the learned scorer, trained on them, is replaced by models that
// did not see the tweets they score: one trained without the 2016 test file
// (a temporal hold-out) and, with folds > 1, one per cross-validation fold.
func (ev *sentEval) semeval(ctx context.Context, tweets []devdata.Tweet, folds int) ([]sentRow, error) {
	all := make([]sentiment.Example, len(tweets))
	for i, t := range tweets {
		if err := all[i].Label.UnmarshalText([]byte(t.Label)); err != nil {
			return nil, err
		}
		all[i].Text = t.Text
	}
	cfg := sentiment.DefaultTrainConfig()
	var train []sentiment.Example
	var test []int
	for i, t := range tweets {
		if t.File == "twitter-2016test-A.tsv" {
			test = append(test, i)
		} else {
			train = append(train, all[i])
		}
	}
	var rows []sentRow
	if len(test) > 0 && len(train) > 0 {
		fmt.Fprintf(ev.stderr, "eval sentiment: training the hold-out model on %d tweets\n", len(train))
		m, err := sentiment.Train(train, cfg)
		if err != nil {
			return nil, err
		}
		pred := make([]sentiment.Label, len(all))
		a := sentiment.NewWithModel(m)
		for _, i := range test {
			pred[i] = a.Score(all[i].Text).Label
		}
		r, err := ev.semevalRows(ctx, "SemEval 2016 test (learned: trained on 2013–2016 without it)", all, test, pred)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	if folds > 1 && len(all) >= folds {
		fold := make([]int, len(all))
		rng := rand.New(rand.NewPCG(cfg.Seed, 0xf01d))
		for i, p := range rng.Perm(len(all)) {
			fold[p] = i % folds
		}
		pred := make([]sentiment.Label, len(all))
		for f := range folds {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			fmt.Fprintf(ev.stderr, "eval sentiment: cross-validation fold %d/%d\n", f+1, folds)
			var tr []sentiment.Example
			for i := range all {
				if fold[i] != f {
					tr = append(tr, all[i])
				}
			}
			m, err := sentiment.Train(tr, cfg)
			if err != nil {
				return nil, err
			}
			a := sentiment.NewWithModel(m)
			for i := range all {
				if fold[i] == f {
					pred[i] = a.Score(all[i].Text).Label
				}
			}
		}
		idx := make([]int, len(all))
		for i := range idx {
			idx[i] = i
		}
		r, err := ev.semevalRows(ctx, fmt.Sprintf("SemEval 2013–2016, all (learned: %d-fold cross-validation)", folds), all, idx, pred)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// semevalRows scores the tweets idx of all with the lexicon and govader and
// reports them beside the learned scorer's held-out labels pred.
func (ev *sentEval) semevalRows(ctx context.Context, name string, all []sentiment.Example, idx []int, pred []sentiment.Label) ([]sentRow, error) {
	texts := make([]string, len(idx))
	gold := make([]sentiment.Label, len(idx))
	var lb [3][]sentiment.Label
	lb[1] = make([]sentiment.Label, len(idx))
	for j, i := range idx {
		texts[j], gold[j], lb[1][j] = all[i].Text, all[i].Label, pred[i]
	}
	fmt.Fprintf(ev.stderr, "eval sentiment: %s: %d texts\n", name, len(texts))
	lb[0] = make([]sentiment.Label, len(texts))
	for j, t := range texts {
		lb[0][j] = ev.lex.Score(t).Label
	}
	vs := make([]float64, len(texts))
	for j, t := range texts {
		if j%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		vs[j] = ev.vader.PolarityScores(t).Compound
	}
	lb[2] = labelsOf(vs)
	n := len(texts)
	return []sentRow{
		row(name, "macro-recall (SemEval's measure)", n, func(k int) float64 { return devdata.MacroRecall(gold, lb[k], classes) }),
		row(name, "macro-F1 (3-class)", n, func(k int) float64 { return devdata.MacroF1(gold, lb[k], classes, false) }),
		row(name, "accuracy (3-class)", n, func(k int) float64 { return devdata.Accuracy(gold, lb[k]) }),
	}, nil
}

func (ev *sentEval) printErrors(name string, texts []string, gold, pred []sentiment.Label, score []float64) {
	shown := 0
	for i := range texts {
		if shown >= ev.errors {
			return
		}
		if gold[i] != pred[i] {
			fmt.Fprintf(ev.stderr, "%s\tgold=%s\tgot=%s\t%+.2f\t%s\n", name, gold[i], pred[i], score[i], texts[i])
			shown++
		}
	}
}

func labelsOf(scores []float64) []sentiment.Label {
	out := make([]sentiment.Label, len(scores))
	for i, s := range scores {
		out[i] = sentiment.LabelOf(s)
	}
	return out
}

// classes are the scored labels, for macro averages.
var classes = []sentiment.Label{sentiment.Negative, sentiment.Neutral, sentiment.Positive}

func f3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
