package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/socialpulse/socialpulse/evaluate"
	"github.com/socialpulse/socialpulse/internal/cli"
)

// runEval dispatches "eval sentiment", "aspects", "nab", "surges",
// "corrections" and "tagging".
func runEval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return cli.Dispatch(args, usageText("eval"), stderr,
		cli.Sub{Name: "sentiment", Run: func(a []string) error { return runEvalSentiment(ctx, a, stdout, stderr) }},
		cli.Sub{Name: "aspects", Run: func(a []string) error { return runEvalAspects(ctx, a, stdout, stderr) }},
		cli.Sub{Name: "nab", Run: func(a []string) error { return runEvalNAB(ctx, a, stdout, stderr) }},
		cli.Sub{Name: "surges", Run: func(a []string) error { return runEvalSurges(ctx, a, stdout, stderr) }},
		cli.Sub{Name: "corrections", Run: func(a []string) error { return runEvalCorrections(ctx, a, stdout, stderr) }},
		cli.Sub{Name: "tagging", Run: func(a []string) error { return runEvalTagging(ctx, a, stdin, stdout, stderr) }},
	)
}

// parseEvalFlags parses the flags of an eval target, which takes no
// arguments.
func parseEvalFlags(fs *flag.FlagSet, args []string) error {
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cli.Usagef("unexpected arguments: %q", fs.Args())
	}
	return nil
}

// runEvalSentiment is "eval sentiment": flags for evaluate.Sentiment.
func runEvalSentiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval sentiment", stderr)
	o := evaluate.SentimentOptions{Out: stdout, ErrOut: stderr}
	fs.StringVar(&o.Data, "data", "../shared/data", "dev data directory (with vader/, complaints/ and semeval2017-4a-train/)")
	fs.IntVar(&o.Errors, "errors", 0, "print up to `N` posts per data set that the learned scorer misreads to stderr")
	fs.IntVar(&o.Folds, "folds", 5, "cross-validation folds over the SemEval tweets (0: skip the cross-validation)")
	if err := parseEvalFlags(fs, args); err != nil {
		return err
	}
	return evaluate.Sentiment(ctx, o)
}

// runEvalAspects is "eval aspects": flags for evaluate.Aspects.
func runEvalAspects(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval aspects", stderr)
	o := evaluate.AspectsOptions{Out: stdout, ErrOut: stderr}
	fs.StringVar(&o.Data, "data", "../shared/data", "dev data directory (with aspects/)")
	fs.StringVar(&o.Taxonomies, "taxonomies", "taxonomies", "directory with semeval-restaurants.yaml and semeval-laptops.yaml")
	fs.IntVar(&o.Errors, "errors", 0, "print up to `N` missed and spurious categories per data set to stderr (for tuning)")
	fs.BoolVar(&o.SuggestGrid, "suggest-grid", false, "instead of the tables, measure taxonomy suggest's settings on the three name-only sets, with leave-one-set-out picks")
	fs.BoolVar(&o.GuardGrid, "guard-grid", false, "instead of the tables, measure the tagger's matching options on the name-only and tuned sets, with leave-one-set-out picks")
	fs.Func("guard-set", "with --guard-grid or --suggest-grid, one more name-only set: `TAXONOMY=LABELS`, a taxonomy file and a labelled CSV file as eval tagging reads it (repeatable)", func(v string) error {
		if tax, labels, ok := strings.Cut(v, "="); !ok || tax == "" || labels == "" {
			return fmt.Errorf("want TAXONOMY=LABELS, got %q", v)
		}
		o.GuardSets = append(o.GuardSets, v)
		return nil
	})
	if err := parseEvalFlags(fs, args); err != nil {
		return err
	}
	if len(o.GuardSets) > 0 && !o.GuardGrid && !o.SuggestGrid {
		return cli.Usagef("--guard-set needs --guard-grid or --suggest-grid")
	}
	return evaluate.Aspects(ctx, o)
}

// runEvalNAB is "eval nab": flags for evaluate.NAB.
func runEvalNAB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval nab", stderr)
	o := evaluate.NABOptions{Out: stdout}
	fs.StringVar(&o.Data, "data", "../shared/data", "dev data directory (with nab/)")
	fs.BoolVar(&o.Variants, "variants", false, "also score the alternative detector designs (options off by default), each with its own\nleave-one-series-out totals")
	fs.StringVar(&o.Windows, "windows", "", "optional NAB combined_windows.json with the windows of the series under nab/other\n(realTweets entries in it are ignored)")
	if err := parseEvalFlags(fs, args); err != nil {
		return err
	}
	return evaluate.NAB(ctx, o)
}

// runEvalSurges is "eval surges": flags for evaluate.Surges.
func runEvalSurges(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval surges", stderr)
	o := evaluate.SurgesOptions{Out: stdout}
	fs.StringVar(&o.Data, "data", "../shared/data", "dev data directory (with nab/)")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the one-minute split and the injected counts")
	fs.StringVar(&o.Variant, "variant", "defaults", "detector design, as named by \"eval nab --variants\"")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cli.Usagef("unexpected arguments: %q", fs.Args())
	}
	if !slices.Contains(evaluate.NABVariants(), o.Variant) {
		return cli.Usagef("unknown variant %q (want one of %s)", o.Variant, strings.Join(evaluate.NABVariants(), ", "))
	}
	return evaluate.Surges(ctx, o)
}

// runEvalCorrections is "eval corrections": flags for evaluate.Corrections.
func runEvalCorrections(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval corrections", stderr)
	o := evaluate.CorrectionsOptions{Out: stdout, ErrOut: stderr}
	fs.StringVar(&o.Data, "data", "../shared/data", "dev data directory (with vader/ and, for --with-data, semeval2017-4a-train/)")
	sizes := fs.String("sizes", "200,1000", "comma-separated numbers of corrections")
	fs.IntVar(&o.Seeds, "seeds", 3, "random draws per size")
	fs.BoolVar(&o.WithData, "with-data", false, "also adapt with the SemEval tweets (retraining; slower)")
	fs.Float64Var(&o.Weight, "weight", defaultCorrectionWeight, "adapt's --weight")
	fs.IntVar(&o.Epochs, "epochs", 0, "adapt's --epochs (default: adapt's)")
	fs.Float64Var(&o.Rate, "rate", 0, "adapt's --rate (default: adapt's)")
	fs.IntVar(&o.FirstSeed, "first-seed", 1, "seed of the first draw")
	fs.StringVar(&o.Set, "set", "vader", "domain: vader (VADER rated tweets, 3-class gold, macro-F1) or complaints "+
		"(complaint tweets: a complaint is corrected to negative, any other tweet to neutral; complaint F1)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	sz, err := cli.PositiveInts(*sizes)
	if err != nil {
		return cli.Usagef("--sizes: %v", err)
	}
	o.Sizes = sz
	if o.Set != "vader" && o.Set != "complaints" {
		return cli.Usagef("--set: want vader or complaints, got %q", o.Set)
	}
	if o.Weight <= 0 {
		return cli.Usagef("--weight %g: want > 0", o.Weight)
	}
	return evaluate.Corrections(ctx, o)
}
