// Command train fits the learned sentiment model on the SemEval Task 4A
// tweets (2013–2016) and writes the model file that package sentiment
// embeds:
//
//	go run ./sentiment/internal/train --data ../shared/data --out sentiment/data/model.bin
//
// It reads every twitter-*-A.tsv file in DATA/semeval2017-4a-train, drops
// repeated ids and texts, and trains sentiment.Train with
// sentiment.DefaultTrainConfig (the flags override it). Training is
// single-threaded with a fixed seed, so the same data and flags give the
// same file byte for byte.
//
// With --eval it also prints the proxies for text the model never saw,
// beside the lexicon alone: a temporal hold-out (trained without
// twitter-2016test-A.tsv, tested on it), k-fold cross-validation over all
// the SemEval tweets (--folds), and the four VADER rated sets and the
// complaints corpus scored by the model trained on all of SemEval; then
// the mean of the six figures used to compare settings (hold-out and CV
// macro-recall and macro-F1, VADER tweets macro-F1, complaint F1).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/socialpulse/socialpulse/internal/devdata"
	"github.com/socialpulse/socialpulse/sentiment"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("train", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("data", "../shared/data", "dev data directory (with semeval2017-4a-train/)")
	out := fl.String("out", "", "write the model trained on all the SemEval tweets to `FILE`")
	eval := fl.Bool("eval", false, "print the hold-out, cross-validation and cross-domain figures")
	folds := fl.Int("folds", 5, "cross-validation folds for --eval (0: none)")
	c := sentiment.DefaultTrainConfig()
	fl.Uint64Var(&c.Seed, "seed", c.Seed, "random seed")
	fl.IntVar(&c.Epochs, "epochs", c.Epochs, "passes over the data")
	fl.Float64Var(&c.Rate, "rate", c.Rate, "AdaGrad learning rate")
	fl.Float64Var(&c.L2, "l2", c.L2, "L2 penalty")
	fl.IntVar(&c.Bits, "bits", c.Bits, "log2 of the hash buckets")
	fl.IntVar(&c.CharMin, "char-min", c.CharMin, "shortest character n-gram (0: none)")
	fl.IntVar(&c.CharMax, "char-max", c.CharMax, "longest character n-gram (0: none)")
	fl.BoolVar(&c.Balance, "balance", c.Balance, "weigh the classes equally")
	fl.IntVar(&c.Average, "average", c.Average, "average the weights of `N` models trained with seeds seed..seed+N-1")
	var flags uint
	fl.UintVar(&flags, "features", uint(c.Flags), "optional hashed features, a bit set (1 negation to punctuation, 2 negated words also plain, 4 elongation marker, 8 hashtag words marked, 16 affixes of unrated words)")
	fl.Float64Var(&c.Dropout, "dropout", c.Dropout, "chance that a hashed feature is left out of a training pass")
	fl.Float64Var(&c.NeutralShift, "neutral-shift", c.NeutralShift, "added to the neutral class's bias")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if flags > 255 {
		return fmt.Errorf("--features %d: want 0..255", flags)
	}
	c.Flags = uint8(flags)
	tweets, err := devdata.ReadSemEval(filepath.Join(*dir, "semeval2017-4a-train"))
	if err != nil {
		return err
	}
	all := Examples(tweets)
	fmt.Fprintf(stderr, "train: %d distinct SemEval tweets; config %+v\n", len(all), c)
	if *eval {
		if err := Evaluate(stdout, stderr, *dir, tweets, c, *folds); err != nil {
			return err
		}
	}
	if *out == "" {
		return nil
	}
	start := time.Now()
	m, err := sentiment.Train(all, c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "train: wrote %s (%d bytes) in %.1f s\n", *out, buf.Len(), time.Since(start).Seconds())
	return nil
}

// Examples turns labelled tweets into training examples.
func Examples(tweets []devdata.Tweet) []sentiment.Example {
	out := make([]sentiment.Example, len(tweets))
	for i, t := range tweets {
		var l sentiment.Label
		if err := l.UnmarshalText([]byte(t.Label)); err != nil {
			panic(err) // ReadSemEval checked the labels
		}
		out[i] = sentiment.Example{Text: t.Text, Label: l}
	}
	return out
}

var classes = []sentiment.Label{sentiment.Negative, sentiment.Neutral, sentiment.Positive}

func labels(a *sentiment.Analyzer, texts []string) []sentiment.Label {
	out := make([]sentiment.Label, len(texts))
	for i, t := range texts {
		out[i] = a.Score(t).Label
	}
	return out
}

// Evaluate prints the proxies of the model trained with c, beside the
// lexicon alone.
func Evaluate(w, stderr io.Writer, dir string, tweets []devdata.Tweet, c sentiment.TrainConfig, folds int) error {
	lex := sentiment.NewLexicon()
	var proxies []float64 // the learned scorer's figures that the summary averages
	defer func() {
		if len(proxies) == 0 {
			return
		}
		var sum float64
		for _, v := range proxies {
			sum += v
		}
		fmt.Fprintf(w, "\nmean of the %d proxies (hold-out and CV macro-recall and macro-F1, VADER tweets macro-F1, complaint F1): %.4f\n", len(proxies), sum/float64(len(proxies)))
	}()
	fmt.Fprintln(w, "| data set | n | metric | lexicon | learned |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|")
	row := func(set string, n int, metric string, a, b float64) {
		fmt.Fprintf(w, "| %s | %d | %s | %.3f | %.3f |\n", set, n, metric, a, b)
	}
	semeval := func(set string, test []sentiment.Example, pred []sentiment.Label) {
		gold := make([]sentiment.Label, len(test))
		texts := make([]string, len(test))
		for i, e := range test {
			gold[i], texts[i] = e.Label, e.Text
		}
		lp := labels(lex, texts)
		mr, mf := devdata.MacroRecall(gold, pred, classes), devdata.MacroF1(gold, pred, classes, false)
		proxies = append(proxies, mr, mf)
		row(set, len(test), "macro-recall", devdata.MacroRecall(gold, lp, classes), mr)
		row(set, len(test), "macro-F1", devdata.MacroF1(gold, lp, classes, false), mf)
		row(set, len(test), "accuracy", devdata.Accuracy(gold, lp), devdata.Accuracy(gold, pred))
	}

	// Temporal hold-out.
	var train, test []sentiment.Example
	for i, e := range Examples(tweets) {
		if tweets[i].File == "twitter-2016test-A.tsv" {
			test = append(test, e)
		} else {
			train = append(train, e)
		}
	}
	start := time.Now()
	m, err := sentiment.Train(train, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "train: hold-out model (%d tweets) in %.1f s\n", len(train), time.Since(start).Seconds())
	texts := make([]string, len(test))
	for i, e := range test {
		texts[i] = e.Text
	}
	semeval("SemEval 2016 test, trained on 2013–2016 without it", test, labels(sentiment.NewWithModel(m), texts))

	// k-fold cross-validation.
	all := Examples(tweets)
	if folds > 1 {
		fold := make([]int, len(all))
		rng := rand.New(rand.NewPCG(c.Seed, 0xf01d))
		for i, p := range rng.Perm(len(all)) {
			fold[p] = i % folds
		}
		pred := make([]sentiment.Label, len(all))
		for f := range folds {
			var tr []sentiment.Example
			var idx []int
			for i := range all {
				if fold[i] == f {
					idx = append(idx, i)
				} else {
					tr = append(tr, all[i])
				}
			}
			fm, err := sentiment.Train(tr, c)
			if err != nil {
				return err
			}
			a := sentiment.NewWithModel(fm)
			for _, i := range idx {
				pred[i] = a.Score(all[i].Text).Label
			}
			fmt.Fprintf(stderr, "train: fold %d/%d done\n", f+1, folds)
		}
		semeval(fmt.Sprintf("SemEval 2013–2016, %d-fold CV", folds), all, pred)
	}

	// Cross-domain: the model trained on all of SemEval.
	full, err := sentiment.Train(all, c)
	if err != nil {
		return err
	}
	learned := sentiment.NewWithModel(full)
	for _, set := range []struct{ name, file string }{
		{"VADER tweets", "tweets_GroundTruth.txt"},
		{"VADER movie reviews", "movieReviewSnippets_GroundTruth.txt"},
		{"VADER Amazon reviews", "amazonReviewSnippets_GroundTruth.txt"},
		{"VADER NYT editorials", "nytEditorialSnippets_GroundTruth.txt"},
	} {
		rated, err := devdata.ReadRated(filepath.Join(dir, "vader", set.file))
		if err != nil {
			return err
		}
		gold := make([]sentiment.Label, len(rated))
		texts := make([]string, len(rated))
		for i, r := range rated {
			texts[i] = r.Text
			switch {
			case r.Mean > 0.5:
				gold[i] = sentiment.Positive
			case r.Mean < -0.5:
				gold[i] = sentiment.Negative
			default:
				gold[i] = sentiment.Neutral
			}
		}
		lp, mp := labels(lex, texts), labels(learned, texts)
		mf := devdata.MacroF1(gold, mp, classes, false)
		if set.file == "tweets_GroundTruth.txt" {
			proxies = append(proxies, mf)
		}
		row(set.name, len(rated), "macro-F1", devdata.MacroF1(gold, lp, classes, false), mf)
		row(set.name, len(rated), "macro-recall", devdata.MacroRecall(gold, lp, classes), devdata.MacroRecall(gold, mp, classes))
		row(set.name, len(rated), "accuracy", devdata.Accuracy(gold, lp), devdata.Accuracy(gold, mp))
	}

	compl, err := devdata.ReadComplaints(filepath.Join(dir, "complaints", "complaints-data.csv"))
	if err != nil {
		return err
	}
	gold := make([]sentiment.Label, len(compl))
	texts = make([]string, len(compl))
	for i, x := range compl {
		texts[i] = x.Text
		gold[i] = sentiment.Neutral
		if x.Complaint {
			gold[i] = sentiment.Negative
		}
	}
	notNeg := func(p []sentiment.Label) []sentiment.Label {
		for i := range p {
			if p[i] != sentiment.Negative {
				p[i] = sentiment.Neutral
			}
		}
		return p
	}
	lp, mp := notNeg(labels(lex, texts)), notNeg(labels(learned, texts))
	_, _, lf := devdata.PRF(gold, lp, sentiment.Negative)
	_, _, mf := devdata.PRF(gold, mp, sentiment.Negative)
	proxies = append(proxies, mf)
	row("Complaints", len(compl), "complaint F1", lf, mf)
	row("Complaints", len(compl), "accuracy (complaint or not)", devdata.Accuracy(gold, lp), devdata.Accuracy(gold, mp))
	return nil
}
