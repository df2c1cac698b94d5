package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jonreiter/govader"

	"github.com/socialpulse/socialpulse/internal/devdata"
	"github.com/socialpulse/socialpulse/sentiment"
)

// runEvalSentiment measures the sentiment scorer against govader on the dev
// data and prints a markdown table (for BENCHMARKS.md) to stdout.
func runEvalSentiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("eval sentiment", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("data", "../shared/data", "dev data directory (with vader/ and complaints/)")
	showErrors := fl.Int("errors", 0, "print up to `N` misread posts per data set to stderr (for tuning)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "Usage: socialpulse eval sentiment [--data DIR] [--errors N]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Scores the VADER rated texts and the complaint tweets with socialpulse's")
		fmt.Fprintln(stderr, "scorer and with govader in the same run and prints a markdown table.")
		fl.PrintDefaults()
	}
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usageErrorf("unexpected arguments: %q", fl.Args())
	}
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		return fmt.Errorf("sentiment dev data not found at %s (pass --data DIR): %w", *dir, orNotDir(err))
	}

	ev := &sentEval{
		ours:   sentiment.New(),
		vader:  govader.NewSentimentIntensityAnalyzer(),
		stderr: stderr,
		errors: *showErrors,
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

	fmt.Fprintln(stdout, "| data set | n | metric | socialpulse | govader |")
	fmt.Fprintln(stdout, "|---|---:|---|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(stdout, "| %s | %d | %s | %s | %s |\n", r.set, r.n, r.metric, r.ours, r.vader)
	}
	fmt.Fprintf(stdout, "| all of the above | %d | scoring time per text | %.2f µs | %.2f µs |\n",
		ev.texts, ev.oursTime.Seconds()*1e6/float64(ev.texts), ev.vaderTime.Seconds()*1e6/float64(ev.texts))
	return nil
}

func orNotDir(err error) error {
	if err == nil {
		return errors.New("not a directory")
	}
	return err
}

// sentEval scores texts with both scorers and keeps timing totals.
type sentEval struct {
	ours      *sentiment.Analyzer
	vader     *govader.SentimentIntensityAnalyzer
	stderr    io.Writer
	errors    int
	texts     int
	oursTime  time.Duration
	vaderTime time.Duration
}

type sentRow struct {
	set, metric string
	n           int
	ours, vader string
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

// score scores every text with both scorers, returning the compound scores.
func (ev *sentEval) score(ctx context.Context, name string, texts []string) (ours, vader []float64, err error) {
	ours = make([]float64, len(texts))
	vader = make([]float64, len(texts))
	fmt.Fprintf(ev.stderr, "eval sentiment: %s: %d texts\n", name, len(texts))
	start := time.Now()
	for i, t := range texts {
		ours[i] = ev.ours.Score(t).Score
	}
	ev.oursTime += time.Since(start)
	start = time.Now()
	for i, t := range texts {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			if i > 0 {
				fmt.Fprintf(ev.stderr, "eval sentiment: %s: govader %d/%d\n", name, i, len(texts))
			}
		}
		vader[i] = ev.vader.PolarityScores(t).Compound
	}
	ev.vaderTime += time.Since(start)
	ev.texts += len(texts)
	return ours, vader, nil
}

func (ev *sentEval) rated(ctx context.Context, name string, items []devdata.Rated, withAccuracy bool) ([]sentRow, error) {
	texts := make([]string, len(items))
	gold := make([]sentiment.Label, len(items))
	means := make([]float64, len(items))
	for i, it := range items {
		texts[i], gold[i], means[i] = it.Text, goldOf(it.Mean), it.Mean
	}
	ours, vader, err := ev.score(ctx, name, texts)
	if err != nil {
		return nil, err
	}
	po, pv := labels(ours), labels(vader)
	ev.printErrors(name, texts, gold, po, ours)
	n := len(items)
	var rows []sentRow
	if withAccuracy {
		rows = append(rows, sentRow{name, "accuracy (3-class)", n, f3(devdata.Accuracy(gold, po)), f3(devdata.Accuracy(gold, pv))})
	}
	rows = append(rows,
		sentRow{name, "macro-F1 (3-class)", n, f3(devdata.MacroF1(gold, po, classes, true)), f3(devdata.MacroF1(gold, pv, classes, true))},
		sentRow{name, "Pearson r with human mean", n, f3(devdata.Pearson(ours, means)), f3(devdata.Pearson(vader, means))},
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
	ours, vader, err := ev.score(ctx, "complaints", texts)
	if err != nil {
		return nil, err
	}
	po, pv := labels(ours), labels(vader)
	for i := range po { // complaint ⇔ negative; everything else is "not"
		if po[i] != sentiment.Negative {
			po[i] = sentiment.Neutral
		}
		if pv[i] != sentiment.Negative {
			pv[i] = sentiment.Neutral
		}
	}
	ev.printErrors("complaints", texts, gold, po, ours)
	n := len(items)
	p1, r1, f1 := devdata.PRF(gold, po, sentiment.Negative)
	p2, r2, f2 := devdata.PRF(gold, pv, sentiment.Negative)
	return []sentRow{
		{name, "complaint precision", n, f3(p1), f3(p2)},
		{name, "complaint recall", n, f3(r1), f3(r2)},
		{name, "complaint F1", n, f3(f1), f3(f2)},
		{name, "accuracy (complaint or not)", n, f3(devdata.Accuracy(gold, po)), f3(devdata.Accuracy(gold, pv))},
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

func labels(scores []float64) []sentiment.Label {
	out := make([]sentiment.Label, len(scores))
	for i, s := range scores {
		out[i] = sentiment.LabelOf(s)
	}
	return out
}

// classes are the scored labels, for macro averages.
var classes = []sentiment.Label{sentiment.Negative, sentiment.Neutral, sentiment.Positive}

func f3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
