package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/internal/devdata"
	"github.com/socialpulse/socialpulse/sentiment"
)

// runEvalCorrections measures what corrections buy on one domain: for each
// seed, N labelled VADER tweets (3-class gold as in eval sentiment) become
// corrections, adapt trains on them, and the rest of the tweets are scored
// by the embedded model and by the adapted one.
func runEvalCorrections(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval corrections", "[--data DIR] [--set vader|complaints] [--sizes 200,1000] [--seeds 3] [--with-data]",
		"Takes N tweets of one domain as corrections (their gold labels), adapts the model\n"+
			"to them with sentiment adapt's defaults, and reports macro-F1 and accuracy on the other tweets,\n"+
			"before and after, averaged over seeds (a different random draw of the N each).", stderr)
	dir := fs.String("data", "../shared/data", "dev data directory (with vader/ and, for --with-data, semeval2017-4a-train/)")
	sizes := fs.String("sizes", "200,1000", "comma-separated numbers of corrections")
	seeds := fs.Int("seeds", 3, "random draws per size")
	withData := fs.Bool("with-data", false, "also adapt with the SemEval tweets (retraining; slower)")
	weight := fs.Float64("weight", defaultCorrectionWeight, "adapt's --weight")
	epochs := fs.Int("epochs", 0, "adapt's --epochs (default: adapt's)")
	rate := fs.Float64("rate", 0, "adapt's --rate (default: adapt's)")
	seed0 := fs.Int("first-seed", 1, "seed of the first draw")
	set := fs.String("set", "vader", "domain: vader (VADER rated tweets, 3-class gold, macro-F1) or complaints "+
		"(complaint tweets: a complaint is corrected to negative, any other tweet to neutral; complaint F1)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(s), &n); err != nil || n < 1 {
			return usageErrorf("--sizes: want positive numbers, got %q", s)
		}
		ns = append(ns, n)
	}
	type item struct {
		text string
		gold sentiment.Label
	}
	var items []item
	score := func(gold, pred []sentiment.Label) float64 { return devdata.MacroF1(gold, pred, classes3, true) }
	metric := "macro-F1"
	switch *set {
	case "vader":
		rated, err := devdata.ReadRated(filepath.Join(*dir, "vader", "tweets_GroundTruth.txt"))
		if err != nil {
			return err
		}
		for _, r := range rated {
			items = append(items, item{r.Text, goldOf(r.Mean)})
		}
	case "complaints":
		cs, err := devdata.ReadComplaints(filepath.Join(*dir, "complaints", "complaints-data.csv"))
		if err != nil {
			return err
		}
		for _, c := range cs {
			l := sentiment.Neutral
			if c.Complaint {
				l = sentiment.Negative
			}
			items = append(items, item{c.Text, l})
		}
		metric = "complaint F1"
		score = func(gold, pred []sentiment.Label) float64 {
			g := make([]bool, len(gold))
			p := make([]bool, len(pred))
			for i := range gold {
				g[i], p[i] = gold[i] == sentiment.Negative, pred[i] == sentiment.Negative
			}
			_, _, f := devdata.PRF(g, p, true)
			return f
		}
	default:
		return usageErrorf("--set: want vader or complaints, got %q", *set)
	}
	modes := []string{""}
	if *withData {
		modes = append(modes, *dir)
	}
	base := sentiment.New()
	fmt.Fprintf(stdout, "| corrections | mode | test tweets | %s before | after | gain | accuracy before | after | gain |\n", metric)
	fmt.Fprintln(stdout, "|---:|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range ns {
		if n >= len(items) {
			return usageErrorf("--sizes: %d corrections leave no tweets to test on (%d tweets)", n, len(items))
		}
		for _, mode := range modes {
			var f1b, f1a, accb, acca float64
			for s := range *seeds {
				if err := ctx.Err(); err != nil {
					return err
				}
				seed := uint64(*seed0 + s)
				perm := rand.New(rand.NewPCG(seed, 0xc0de)).Perm(len(items))
				var cs []correction.Correction
				for i, p := range perm[:n] {
					cs = append(cs, correction.Correction{ID: fmt.Sprint(i), PostID: fmt.Sprint(p), Text: items[p].text,
						Label: items[p].gold, Previous: sentiment.Unscored})
				}
				start := time.Now()
				m, _, err := adapt(adaptOptions{corrections: cs, dataDir: mode, weight: *weight, seed: seed, epochs: *epochs, rate: *rate})
				if err != nil {
					return err
				}
				adapted := sentiment.NewWithModel(m)
				rest := perm[n:]
				gold := make([]sentiment.Label, len(rest))
				pb := make([]sentiment.Label, len(rest))
				pa := make([]sentiment.Label, len(rest))
				for i, p := range rest {
					gold[i] = items[p].gold
					pb[i] = base.Score(items[p].text).Label
					pa[i] = adapted.Score(items[p].text).Label
				}
				f1b += score(gold, pb)
				f1a += score(gold, pa)
				accb += devdata.Accuracy(gold, pb)
				acca += devdata.Accuracy(gold, pa)
				fmt.Fprintf(stderr, "eval corrections: %d corrections, seed %d, adapted in %.1f s\n", n, seed, time.Since(start).Seconds())
			}
			k := float64(*seeds)
			name := "fine-tune embedded"
			if mode != "" {
				name = fmt.Sprintf("SemEval + corrections ×%g", *weight)
			}
			fmt.Fprintf(stdout, "| %d | %s | %d | %.3f | %.3f | %+.3f | %.3f | %.3f | %+.3f |\n", n, name, len(items)-n,
				f1b/k, f1a/k, (f1a-f1b)/k, accb/k, acca/k, (acca-accb)/k)
		}
	}
	return nil
}

var classes3 = []sentiment.Label{sentiment.Negative, sentiment.Neutral, sentiment.Positive}
