package evaluate

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/internal/devdata"
	"github.com/socialpulse/socialpulse/sentiment"
)

// CorrectionsOptions configure Corrections.
type CorrectionsOptions struct {
	// Data is the dev data directory, with vader/, complaints/ and, for
	// WithData, semeval2017-4a-train/.
	Data string
	// Set is the domain: "vader" (VADER rated tweets, 3-class gold,
	// macro-F1) or "complaints" (a complaint is corrected to negative, any
	// other tweet to neutral; complaint F1).
	Set string
	// Sizes are the numbers of corrections to draw.
	Sizes []int
	// Seeds is how many random draws each size gets, from FirstSeed up.
	Seeds, FirstSeed int
	// WithData also adapts with the SemEval tweets (retraining; slower).
	WithData bool
	// Weight is a correction's weight (correction.Examples); Epochs and
	// Rate are sentiment.AdaptConfig's (0: the mode's default).
	Weight float64
	Epochs int
	Rate   float64
	// Out receives the markdown table; ErrOut progress lines.
	Out, ErrOut io.Writer
}

// Corrections measures what corrections buy on one domain: for each seed,
// N labelled tweets become corrections, sentiment.Adapt trains on them, and
// the rest of the tweets are scored by the embedded model and by the
// adapted one ("socialpulse eval corrections").
func Corrections(ctx context.Context, o CorrectionsOptions) error {
	if o.Weight <= 0 {
		return fmt.Errorf("weight %g: want > 0", o.Weight)
	}
	dir, set, seeds, seed0, weight, stdout, stderr := &o.Data, &o.Set, &o.Seeds, &o.FirstSeed, &o.Weight, o.Out, o.ErrOut
	ns := o.Sizes
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
		return fmt.Errorf("set: want vader or complaints, got %q", *set)
	}
	modes := []string{""}
	var base []sentiment.Example
	if o.WithData {
		modes = append(modes, *dir)
		var err error
		if base, err = SemEvalExamples(filepath.Join(*dir, "semeval2017-4a-train")); err != nil {
			return err
		}
	}
	embedded := sentiment.New()
	fmt.Fprintf(stdout, "| corrections | mode | test tweets | %s before | after | gain | accuracy before | after | gain |\n", metric)
	fmt.Fprintln(stdout, "|---:|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range ns {
		if n >= len(items) {
			return fmt.Errorf("sizes: %d corrections leave no tweets to test on (%d tweets)", n, len(items))
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
				var b []sentiment.Example
				if mode != "" {
					b = base
				}
				m, err := sentiment.Adapt(correction.Examples(cs, *weight), b, sentiment.AdaptConfig{Seed: seed, Epochs: o.Epochs, Rate: o.Rate})
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
					pb[i] = embedded.Score(items[p].text).Label
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

// SemEvalExamples reads the SemEval tweets of dir (devdata.ReadSemEval) as
// training examples: the base data of "sentiment adapt --data" and of
// "eval corrections --with-data".
func SemEvalExamples(dir string) ([]sentiment.Example, error) {
	tweets, err := devdata.ReadSemEval(dir)
	if err != nil {
		return nil, err
	}
	out := make([]sentiment.Example, 0, len(tweets))
	for _, t := range tweets {
		var l sentiment.Label
		if err := l.UnmarshalText([]byte(t.Label)); err != nil {
			return nil, fmt.Errorf("SemEval tweet %s: %w", t.ID, err)
		}
		out = append(out, sentiment.Example{Text: t.Text, Label: l})
	}
	return out, nil
}
