// Command train fits the learned layer of package sentiment on the dev data,
// cross-validates it against the rules alone, and writes the model file.
//
//	go run ./sentiment/internal/train --data ../shared/data --out sentiment/data/model.txt
//
// Training data: the VADER rated tweets, gold negative below a mean rating of
// -0.5, positive above 0.5, neutral between; and the complaint tweets, where a
// complaint is negative and a non-complaint is "not negative" (neutral or
// positive, a partial label). The model is a multinomial logistic regression
// over the rule scorer's outputs and hashed unigrams and bigrams (package
// learn), fitted by AdaGrad SGD with L2 regularisation and a fixed seed, so
// the same data and flags give the same file.
//
// Cross-validation (--cv, on by default) prints markdown tables of pooled
// out-of-fold metrics for the rules alone and for the learned layer: 5-fold
// on the VADER tweets, 5-fold on the complaints, and leave-one-domain-out on
// the complaints (the closest proxy for customers the data does not cover).
// Every fold trains on the other folds only; no number printed is a
// training-set number.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/socialpulse/socialpulse/internal/devdata"
	"github.com/socialpulse/socialpulse/sentiment"
	"github.com/socialpulse/socialpulse/sentiment/internal/learn"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

// config holds the hyperparameters; the defaults were fixed before the
// cross-validation was run.
type config struct {
	seed            uint64
	epochs          int
	rate            float64   // the rate fit uses
	rates           []float64 // candidates for tune
	l2              float64
	complaintWeight float64
	ngrams          bool
}

func run(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("train", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("data", "../shared/data", "dev data directory (with vader/ and complaints/)")
	out := fl.String("out", "", "write the model trained on all the data to `FILE`")
	cv := fl.Bool("cv", true, "cross-validate and print the tables")
	var c config
	fl.Uint64Var(&c.seed, "seed", 1, "random seed for shuffling and folds")
	fl.IntVar(&c.epochs, "epochs", 12, "passes over the training data")
	rates := fl.String("rates", "0.01,0.02,0.03,0.1", "AdaGrad learning rates to choose from by inner 3-fold CV on each training set (one value: no choice)")
	fl.Float64Var(&c.l2, "l2", 1e-5, "L2 penalty per example")
	fl.Float64Var(&c.complaintWeight, "complaint-weight", 1, "weight of a complaint tweet relative to a rated tweet")
	fl.BoolVar(&c.ngrams, "ngrams", true, "use hashed unigrams and bigrams (false: rule features only)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	for _, r := range strings.Split(*rates, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		if err != nil || v <= 0 {
			return fmt.Errorf("bad --rates value %q", r)
		}
		c.rates = append(c.rates, v)
	}
	if learn.Extract == nil {
		return fmt.Errorf("feature extractor not registered")
	}
	_ = sentiment.New()

	tweets, err := readRated(filepath.Join(*dir, "vader", "tweets_GroundTruth.txt"))
	if err != nil {
		return err
	}
	compl, err := readComplaints(filepath.Join(*dir, "complaints", "complaints-data.csv"))
	if err != nil {
		return err
	}
	for i := range compl {
		compl[i].weight = c.complaintWeight
	}
	fmt.Fprintf(stderr, "train: %d rated tweets, %d complaint tweets\n", len(tweets), len(compl))

	if *cv {
		crossValidate(stdout, c, tweets, compl)
		if err := otherCorpora(stdout, c, *dir, tweets, compl); err != nil {
			return err
		}
	}
	if *out != "" {
		all := append(slices.Clone(tweets), compl...)
		c.rate = tune(c, all)
		fmt.Fprintf(stderr, "train: learning rate %g\n", c.rate)
		m := fit(c, all)
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		if _, err := m.WriteTo(f); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", *out, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "train: wrote %s\n", *out)
	}
	return nil
}

// Class indices, in sentiment.Label order.
const (
	neg = int(sentiment.Negative)
	neu = int(sentiment.Neutral)
	pos = int(sentiment.Positive)
)

// example is one training or test text with its features.
type example struct {
	text    string
	allowed uint8 // bit k set: class k is a correct answer
	gold    int   // rated tweets: the gold class; complaints: neg or neu ("not")
	domain  string
	weight  float64
	rules   float64 // the rule scorer's compound score
	feat    learn.Features
}

func newExample(text string) example {
	e := example{text: text, weight: 1}
	learn.Extract(text, &e.feat)
	e.feat.Rows = slices.Clone(e.feat.Rows)
	e.rules = float64(e.feat.Dense[learn.DCompound])
	return e
}

// fit trains a model on examples.
func fit(c config, train []example) *learn.Model {
	m := new(learn.Model)
	var gBias [learn.Classes]float64
	var gDense [learn.Dense][learn.Classes]float64
	gHash := make([][learn.Classes]float64, learn.Buckets)
	rng := rand.New(rand.NewPCG(c.seed, 0x5eed))
	order := make([]int, len(train))
	for i := range order {
		order[i] = i
	}
	const eps = 1e-8
	step := func(w *float32, g2 *float64, g float64) {
		g += c.l2 * float64(*w)
		*g2 += g * g
		*w -= float32(c.rate * g / (math.Sqrt(*g2) + eps))
	}
	for ep := 0; ep < c.epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			e := &train[i]
			rows := e.feat.Rows
			if !c.ngrams {
				rows = nil
			}
			p := learn.Softmax(m.Logits(&e.feat.Dense, rows))
			var ps float64
			for k := range p {
				if e.allowed&(1<<k) != 0 {
					ps += p[k]
				}
			}
			ps = max(ps, 1e-12)
			var g [learn.Classes]float64
			for k := range g {
				g[k] = p[k]
				if e.allowed&(1<<k) != 0 {
					g[k] -= p[k] / ps
				}
				g[k] *= e.weight
			}
			for k := range g {
				step(&m.Bias[k], &gBias[k], g[k])
				for j, x := range e.feat.Dense {
					if x != 0 {
						step(&m.Dense[j][k], &gDense[j][k], g[k]*float64(x))
					}
				}
				for _, r := range rows {
					step(&m.Hash[r][k], &gHash[r][k], g[k])
				}
			}
		}
	}
	// Round to the model file's precision so that cross-validation measures
	// the model as it would ship.
	for k := range m.Bias {
		m.Bias[k] = learn.Round(m.Bias[k])
	}
	for j := range m.Dense {
		for k := range m.Dense[j] {
			m.Dense[j][k] = learn.Round(m.Dense[j][k])
		}
	}
	for r := range m.Hash {
		for k := range m.Hash[r] {
			m.Hash[r][k] = learn.Round(m.Hash[r][k])
		}
	}
	return m
}

// tune picks the learning rate (the strength of AdaGrad's implicit
// regularisation) by 3-fold CV within train, maximising the mean of macro-F1
// on the rated tweets and complaint F1 on the complaint tweets. Only train
// is seen, so an outer fold's test data never steers the choice.
func tune(c config, train []example) float64 {
	if len(c.rates) == 1 {
		return c.rates[0]
	}
	const k = 3
	f := folds(c.seed+7, train, k)
	best, bestScore := c.rates[0], -1.0
	for _, r := range c.rates {
		rc := c
		rc.rate = r
		var tg, tp, cg, cp []int
		for fo := 0; fo < k; fo++ {
			var tr []example
			for i := range train {
				if f[i] != fo {
					tr = append(tr, train[i])
				}
			}
			m := fit(rc, tr)
			for i := range train {
				if f[i] != fo {
					continue
				}
				p := predict(rc, m, &train[i])
				if train[i].domain == "vader" {
					tg, tp = append(tg, train[i].gold), append(tp, p)
				} else {
					cg, cp = append(cg, train[i].gold), append(cp, complaintOf(p))
				}
			}
		}
		score := macroF1(tg, tp)
		if len(cg) > 0 {
			_, _, f1 := prf(cg, cp, neg)
			score = (score + f1) / 2
		}
		if score > bestScore {
			best, bestScore = r, score
		}
	}
	return best
}

func predict(c config, m *learn.Model, e *example) int {
	rows := e.feat.Rows
	if !c.ngrams {
		rows = nil
	}
	return learn.Argmax(m.Logits(&e.feat.Dense, rows))
}

func rulesClass(e *example) int { return int(sentiment.LabelOf(e.rules)) }

// folds assigns each index a fold in [0, k), stratified by gold class.
func folds(seed uint64, xs []example, k int) []int {
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	f := make([]int, len(xs))
	for cl := 0; cl < learn.Classes; cl++ {
		var idx []int
		for i := range xs {
			if xs[i].gold == cl {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for j, i := range idx {
			f[i] = j % k
		}
	}
	return f
}

// scorers are the columns of the tables.
var scorerNames = []string{"rules only", "learned: rule features", "learned: rule features + n-grams"}

func crossValidate(w io.Writer, c config, tweets, compl []example) {
	variants := []config{c, c}
	variants[0].ngrams = false
	variants[1].ngrams = true
	// Out-of-fold predictions: pred[s][i] for scorer s.
	newPred := func(n int) [][]int {
		p := make([][]int, len(scorerNames))
		for s := range p {
			p[s] = make([]int, n)
		}
		return p
	}
	chosen := make([][]float64, len(variants))
	runFold := func(train, test []example, pred [][]int, testIdx []int) {
		models := make([]*learn.Model, len(variants))
		for v, vc := range variants {
			vc.rate = tune(vc, train)
			chosen[v] = append(chosen[v], vc.rate)
			models[v] = fit(vc, train)
		}
		for j := range test {
			i := testIdx[j]
			pred[0][i] = rulesClass(&test[j])
			for v, vc := range variants {
				pred[v+1][i] = predict(vc, models[v], &test[j])
			}
		}
	}

	// 1. VADER tweets, 5-fold stratified; every fold also trains on all
	// the complaint tweets.
	const k = 5
	tf := folds(c.seed, tweets, k)
	tp := newPred(len(tweets))
	foldF1 := make([][]float64, len(scorerNames))
	for f := 0; f < k; f++ {
		train := slices.Clone(compl)
		var test []example
		var idx []int
		for i := range tweets {
			if tf[i] == f {
				test = append(test, tweets[i])
				idx = append(idx, i)
			} else {
				train = append(train, tweets[i])
			}
		}
		runFold(train, test, tp, idx)
		for s := range scorerNames {
			var g, p []int
			for _, i := range idx {
				g, p = append(g, tweets[i].gold), append(p, tp[s][i])
			}
			foldF1[s] = append(foldF1[s], macroF1(g, p))
		}
	}
	gold := make([]int, len(tweets))
	for i := range tweets {
		gold[i] = tweets[i].gold
	}
	fmt.Fprintf(w, "VADER tweets, %d-fold stratified CV (n=%d; each fold also trains on all complaint tweets)\n\n", k, len(tweets))
	fmt.Fprintln(w, "| scorer | accuracy | macro-F1 (pooled) | macro-F1 per fold, mean ± sd |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for s, name := range scorerNames {
		m, sd := meanSD(foldF1[s])
		fmt.Fprintf(w, "| %s | %.3f | %.3f | %.3f ± %.3f |\n", name, accuracy(gold, tp[s]), macroF1(gold, tp[s]), m, sd)
	}
	fmt.Fprintln(w)
	for s := 1; s < len(scorerNames); s++ {
		d, lo, hi := bootstrap(c.seed, gold, tp[0], tp[s], macroF1)
		fmt.Fprintf(w, "%s minus rules, macro-F1: %+.3f (paired bootstrap 95%% interval %+.3f to %+.3f)\n", scorerNames[s], d, lo, hi)
	}
	fmt.Fprintln(w)

	// 2. Complaints, 5-fold stratified; every fold also trains on all the
	// rated tweets.
	cf := folds(c.seed, compl, k)
	cp := newPred(len(compl))
	for f := 0; f < k; f++ {
		train := slices.Clone(tweets)
		var test []example
		var idx []int
		for i := range compl {
			if cf[i] == f {
				test = append(test, compl[i])
				idx = append(idx, i)
			} else {
				train = append(train, compl[i])
			}
		}
		runFold(train, test, cp, idx)
	}
	complaintTable(w, fmt.Sprintf("Complaints, %d-fold stratified CV (n=%d; each fold also trains on all rated tweets)", k, len(compl)), compl, cp)

	// 3. Complaints, leave one domain out.
	var domains []string
	for _, e := range compl {
		if !slices.Contains(domains, e.domain) {
			domains = append(domains, e.domain)
		}
	}
	slices.Sort(domains)
	lp := newPred(len(compl))
	for _, d := range domains {
		train := slices.Clone(tweets)
		var test []example
		var idx []int
		for i := range compl {
			if compl[i].domain == d {
				test = append(test, compl[i])
				idx = append(idx, i)
			} else {
				train = append(train, compl[i])
			}
		}
		runFold(train, test, lp, idx)
	}
	complaintTable(w, fmt.Sprintf("Complaints, leave-one-domain-out (%d domains, n=%d; each fold also trains on all rated tweets)", len(domains), len(compl)), compl, lp)
	cgold := make([]int, len(compl))
	for i := range compl {
		cgold[i] = compl[i].gold
	}
	complaintF1 := func(g, p []int) float64 {
		q := make([]int, len(p))
		for i, x := range p {
			q[i] = complaintOf(x)
		}
		_, _, f := prf(g, q, neg)
		return f
	}
	for s := 1; s < len(scorerNames); s++ {
		d, lo, hi := bootstrap(c.seed, cgold, lp[0], lp[s], complaintF1)
		fmt.Fprintf(w, "%s minus rules, complaint F1: %+.3f (paired bootstrap 95%% interval %+.3f to %+.3f)\n", scorerNames[s], d, lo, hi)
	}
	fmt.Fprintln(w)

	for v := range variants {
		fmt.Fprintf(w, "Learning rates chosen by inner CV, %s, per outer fold: %v\n", scorerNames[v+1], chosen[v])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Complaint F1 per held-out domain (leave-one-domain-out)")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| domain | n | complaints |")
	for _, name := range scorerNames {
		fmt.Fprintf(w, " %s |", name)
	}
	fmt.Fprint(w, "\n|---|---:|---:|")
	for range scorerNames {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, d := range domains {
		var g []int
		var idx []int
		for i := range compl {
			if compl[i].domain == d {
				g = append(g, compl[i].gold)
				idx = append(idx, i)
			}
		}
		nc := 0
		for _, x := range g {
			if x == neg {
				nc++
			}
		}
		fmt.Fprintf(w, "| %s | %d | %d |", d, len(g), nc)
		for s := range scorerNames {
			var p []int
			for _, i := range idx {
				p = append(p, complaintOf(lp[s][i]))
			}
			if nc == 0 {
				fp := 0
				for _, x := range p {
					if x == neg {
						fp++
					}
				}
				fmt.Fprintf(w, " %d false alarms |", fp)
				continue
			}
			_, _, f1 := prf(g, p, neg)
			fmt.Fprintf(w, " %.3f |", f1)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// bootstrap resamples the texts 1000 times and returns metric(b) -
// metric(a) on the full set and its 2.5th and 97.5th percentiles.
func bootstrap(seed uint64, gold, a, b []int, metric func(gold, pred []int) float64) (d, lo, hi float64) {
	rng := rand.New(rand.NewPCG(seed, 0xb007))
	n := len(gold)
	g, pa, pb := make([]int, n), make([]int, n), make([]int, n)
	ds := make([]float64, 1000)
	for r := range ds {
		for i := range n {
			j := rng.IntN(n)
			g[i], pa[i], pb[i] = gold[j], a[j], b[j]
		}
		ds[r] = metric(g, pb) - metric(g, pa)
	}
	slices.Sort(ds)
	return metric(gold, b) - metric(gold, a), ds[25], ds[974]
}

// otherCorpora trains on all the tweets and complaints and tests on VADER's
// movie, Amazon and NYT snippets, which no model saw: text from other
// domains, a check of how the layer carries over.
func otherCorpora(w io.Writer, c config, dir string, tweets, compl []example) error {
	all := append(slices.Clone(tweets), compl...)
	variants := []config{c, c}
	variants[0].ngrams = false
	variants[1].ngrams = true
	models := make([]*learn.Model, len(variants))
	for v := range variants {
		variants[v].rate = tune(variants[v], all)
		models[v] = fit(variants[v], all)
	}
	fmt.Fprintln(w, "Unseen corpora: trained on all rated tweets and complaints, tested on VADER's other rated texts (macro-F1, 3-class)")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| corpus | n |")
	for _, name := range scorerNames {
		fmt.Fprintf(w, " %s |", name)
	}
	fmt.Fprint(w, "\n|---|---:|")
	for range scorerNames {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, set := range []struct{ name, file string }{
		{"movie reviews", "movieReviewSnippets_GroundTruth.txt"},
		{"Amazon reviews", "amazonReviewSnippets_GroundTruth.txt"},
		{"NYT editorials", "nytEditorialSnippets_GroundTruth.txt"},
	} {
		xs, err := readRated(filepath.Join(dir, "vader", set.file))
		if err != nil {
			return err
		}
		gold := make([]int, len(xs))
		pred := make([][]int, len(scorerNames))
		for i := range xs {
			gold[i] = xs[i].gold
			pred[0] = append(pred[0], rulesClass(&xs[i]))
			for v, vc := range variants {
				pred[v+1] = append(pred[v+1], predict(vc, models[v], &xs[i]))
			}
		}
		fmt.Fprintf(w, "| %s | %d |", set.name, len(xs))
		for s := range scorerNames {
			fmt.Fprintf(w, " %.3f |", macroF1(gold, pred[s]))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	return nil
}

func complaintOf(class int) int {
	if class == neg {
		return neg
	}
	return neu
}

func complaintTable(w io.Writer, title string, compl []example, pred [][]int) {
	gold := make([]int, len(compl))
	for i := range compl {
		gold[i] = compl[i].gold
	}
	fmt.Fprintf(w, "%s\n\n", title)
	fmt.Fprintln(w, "| scorer | complaint precision | recall | F1 | accuracy |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for s, name := range scorerNames {
		p := make([]int, len(pred[s]))
		for i, x := range pred[s] {
			p[i] = complaintOf(x)
		}
		pr, rc, f1 := prf(gold, p, neg)
		fmt.Fprintf(w, "| %s | %.3f | %.3f | %.3f | %.3f |\n", name, pr, rc, f1, accuracy(gold, p))
	}
	fmt.Fprintln(w)
}

func meanSD(xs []float64) (float64, float64) {
	var m float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	var v float64
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(max(len(xs)-1, 1)))
}

// classes are the three label classes, for macro averages.
var classes = func() []int {
	cs := make([]int, learn.Classes)
	for i := range cs {
		cs[i] = i
	}
	return cs
}()

func accuracy(gold, pred []int) float64 { return devdata.Accuracy(gold, pred) }

func prf(gold, pred []int, c int) (p, r, f float64) { return devdata.PRF(gold, pred, c) }

// macroF1 averages F1 over the three classes.
func macroF1(gold, pred []int) float64 { return devdata.MacroF1(gold, pred, classes, false) }

// readRated reads a VADER ground-truth file into examples with 3-class gold
// labels (mean > 0.5 positive, < -0.5 negative, else neutral).
func readRated(path string) ([]example, error) {
	rated, err := devdata.ReadRated(path)
	if err != nil {
		return nil, err
	}
	out := make([]example, 0, len(rated))
	for _, r := range rated {
		e := newExample(r.Text)
		switch {
		case r.Mean > 0.5:
			e.gold = pos
		case r.Mean < -0.5:
			e.gold = neg
		default:
			e.gold = neu
		}
		e.allowed = 1 << e.gold
		e.domain = "vader"
		out = append(out, e)
	}
	return out, nil
}

// readComplaints reads the complaints corpus into examples: a complaint is
// negative; a non-complaint may be neutral or positive.
func readComplaints(path string) ([]example, error) {
	compl, err := devdata.ReadComplaints(path)
	if err != nil {
		return nil, err
	}
	out := make([]example, 0, len(compl))
	for _, c := range compl {
		e := newExample(c.Text)
		e.domain = c.Domain
		if c.Complaint {
			e.gold, e.allowed = neg, 1<<neg
		} else {
			e.gold, e.allowed = neu, 1<<neu|1<<pos
		}
		out = append(out, e)
	}
	return out, nil
}
