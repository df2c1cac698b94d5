package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/socialpulse/socialpulse/evaluate"
)

// runEval dispatches "eval sentiment", "aspects", "nab", "surges" and
// "corrections".
func runEval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		evalUsage(stderr)
		return usageErrorf("eval needs a target: %s", evalTargets)
	}
	if isHelp(args[0]) {
		evalUsage(stderr)
		return nil
	}
	switch args[0] {
	case "sentiment":
		return runEvalSentiment(ctx, args[1:], stdout, stderr)
	case "aspects":
		return runEvalAspects(ctx, args[1:], stdout, stderr)
	case "nab":
		return runEvalNAB(ctx, args[1:], stdout, stderr)
	case "surges":
		return runEvalSurges(ctx, args[1:], stdout, stderr)
	case "corrections":
		return runEvalCorrections(ctx, args[1:], stdout, stderr)
	}
	return usageErrorf("unknown eval target %q (want %s)", args[0], evalTargets)
}

const evalTargets = "sentiment | aspects | nab | surges | corrections"

func evalUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: socialpulse eval <target> [--data DIR] [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Measures the production code on the labelled dev data and prints markdown tables.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "  sentiment    sentiment labels on the VADER sets and the complaint tweets, beside govader")
	fmt.Fprintln(w, "  aspects      feature tagging on the SemEval aspect sets")
	fmt.Fprintln(w, "  nab          spike detection on the Numenta Anomaly Benchmark series")
	fmt.Fprintln(w, "  surges       detection rate, delay and false alarms for surges injected into real count series")
	fmt.Fprintln(w, "  corrections  what adapting the sentiment model to N corrections gains on the rest of a set")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'socialpulse eval <target> --help' for its flags.")
}

// runEvalSentiment is "eval sentiment": flags for evaluate.Sentiment.
func runEvalSentiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("eval sentiment", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("data", "../shared/data", "dev data directory (with vader/, complaints/ and semeval2017-4a-train/)")
	showErrors := fl.Int("errors", 0, "print up to `N` posts per data set that the learned scorer misreads to stderr")
	folds := fl.Int("folds", 5, "cross-validation folds over the SemEval tweets (0: skip the cross-validation)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "Usage: socialpulse eval sentiment [--data DIR] [--folds K] [--errors N]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Scores the VADER rated texts, the complaint tweets and the SemEval tweets with")
		fmt.Fprintln(stderr, "socialpulse's lexicon scorer, its learned scorer and govader in the same run and")
		fmt.Fprintln(stderr, "prints a markdown table. The learned scorer was trained on the SemEval tweets, so")
		fmt.Fprintln(stderr, "on those its figures come from models retrained without the tweets they score:")
		fmt.Fprintln(stderr, "a temporal hold-out (without the 2016 test file) and K-fold cross-validation.")
		fl.PrintDefaults()
	}
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usageErrorf("unexpected arguments: %q", fl.Args())
	}
	return evaluate.Sentiment(ctx, evaluate.SentimentOptions{Data: *dir, Folds: *folds, Errors: *showErrors, Out: stdout, ErrOut: stderr})
}

// runEvalAspects is "eval aspects": flags for evaluate.Aspects.
func runEvalAspects(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("eval aspects", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("data", "../shared/data", "dev data directory (with aspects/)")
	taxDir := fl.String("taxonomies", "taxonomies", "directory with semeval-restaurants.yaml and semeval-laptops.yaml")
	showErrors := fl.Int("errors", 0, "print up to `N` missed and spurious categories per data set to stderr (for tuning)")
	grid := fl.Bool("suggest-grid", false, "instead of the tables, measure taxonomy suggest's settings on the three name-only sets, with leave-one-set-out picks")
	guardGrid := fl.Bool("guard-grid", false, "instead of the tables, measure the tagger's matching options on the name-only and tuned sets, with leave-one-set-out picks")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "Usage: socialpulse eval aspects [--data DIR] [--taxonomies DIR] [--errors N]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Tags SemEval-2014 restaurant and SemEval-2016 laptop sentences with the")
		fmt.Fprintln(stderr, "SemEval taxonomies and prints category precision/recall/F1 and per-category")
		fmt.Fprintln(stderr, "sentiment accuracy as markdown tables.")
		fl.PrintDefaults()
	}
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usageErrorf("unexpected arguments: %q", fl.Args())
	}
	return evaluate.Aspects(ctx, evaluate.AspectsOptions{Data: *dir, Taxonomies: *taxDir, Errors: *showErrors,
		SuggestGrid: *grid, GuardGrid: *guardGrid, Out: stdout, ErrOut: stderr})
}

// runEvalNAB is "eval nab": flags for evaluate.NAB.
func runEvalNAB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("eval nab", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("data", "../shared/data", "dev data directory (with nab/)")
	variants := fl.Bool("variants", false, "also score the alternative detector designs (options off by default), each with its own\nleave-one-series-out totals")
	extra := fl.String("windows", "", "optional NAB combined_windows.json with the windows of the series under nab/other\n(realTweets entries in it are ignored)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "Usage: socialpulse eval nab [--data DIR] [--windows FILE] [--variants]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Runs the spike detector with its default settings (exactly as")
		fmt.Fprintln(stderr, "\"backtest --series\") on the NAB realTweets dev series and on the other NAB")
		fmt.Fprintln(stderr, "series, takes the rows where an alert fires as detections, and prints NAB")
		fmt.Fprintln(stderr, "scores (standard, reward low FP, reward low FN) per series and per group,")
		fmt.Fprintln(stderr, "the published detectors' scores on the same files, and leave-one-series-out")
		fmt.Fprintln(stderr, "totals over a small grid of settings, as markdown tables.")
		fl.PrintDefaults()
	}
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usageErrorf("unexpected arguments: %q", fl.Args())
	}
	return evaluate.NAB(ctx, evaluate.NABOptions{Data: *dir, Windows: *extra, Variants: *variants, Out: stdout})
}

// runEvalSurges is "eval surges": flags for evaluate.Surges.
func runEvalSurges(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("eval surges", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("data", "../shared/data", "dev data directory (with nab/)")
	seed := fl.Uint64("seed", 1, "seed of the one-minute split and the injected counts")
	variant := fl.String("variant", "defaults", "detector design, as named by \"eval nab --variants\"")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "Usage: socialpulse eval surges [--data DIR] [--seed N] [--variant NAME]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Splits the NAB realTweets dev series into one-minute counts, injects surges")
		fmt.Fprintln(stderr, "of known size and length, runs the detector with its defaults, and prints per")
		fmt.Fprintln(stderr, "surge kind the detection rate and the median delay from the surge's start, and")
		fmt.Fprintln(stderr, "the alerts per series-week on the untouched series.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usageErrorf("unexpected arguments: %q", fl.Args())
	}
	if !slices.Contains(evaluate.NABVariants(), *variant) {
		return usageErrorf("unknown variant %q (want one of %s)", *variant, strings.Join(evaluate.NABVariants(), ", "))
	}
	return evaluate.Surges(ctx, evaluate.SurgesOptions{Data: *dir, Seed: *seed, Variant: *variant, Out: stdout})
}

// runEvalCorrections is "eval corrections": flags for evaluate.Corrections.
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
	if *set != "vader" && *set != "complaints" {
		return usageErrorf("--set: want vader or complaints, got %q", *set)
	}
	if *weight <= 0 {
		return usageErrorf("--weight %g: want > 0", *weight)
	}
	return evaluate.Corrections(ctx, evaluate.CorrectionsOptions{Data: *dir, Set: *set, Sizes: ns, Seeds: *seeds, FirstSeed: *seed0,
		WithData: *withData, Weight: *weight, Epochs: *epochs, Rate: *rate, Out: stdout, ErrOut: stderr})
}
