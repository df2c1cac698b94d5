package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/socialpulse/socialpulse/feature/taxonomyio"
	"github.com/socialpulse/socialpulse/internal/jsonl"
)

// taxonomyLearn implements "taxonomy learn": it trains the taxonomy's
// fallback model (taxonomyio.Learn) from a JSONL history of posts.
func taxonomyLearn(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("taxonomy learn", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: socialpulse taxonomy learn [--taxonomy FILE] [--out MODEL] [FILE|-]

Reads JSONL posts (at least "text") and trains the taxonomy's fallback
model: per-feature word weights learned from the posts the terms match, no
labels needed. With taxonomy.fallback_model (or score's and backtest's
--fallback-model) set to MODEL, a post no term matches is tagged with the
feature the model names, marked "inferred". Without --out the model is
written to stdout and the report to stderr.
`)
		fs.PrintDefaults()
	}
	taxPath := fs.String("taxonomy", taxonomyio.Default, "taxonomy YAML `file` the model is for; \"default\" is the built-in one")
	out := fs.String("out", "", "write the model to `MODEL` (default: stdout)")
	marginArg := fs.String("margin", "", "use this log-odds `margin` (a number >= 0) instead of the learned one; higher tags fewer posts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set, margin := *marginArg != "", 0.0
	if set {
		var err error
		if margin, err = strconv.ParseFloat(*marginArg, 64); err != nil || margin < 0 || math.IsInf(margin, 0) || math.IsNaN(margin) {
			return usageErrorf("--margin %q: want a number >= 0", *marginArg)
		}
	}
	if fs.NArg() > 1 {
		return usageErrorf("want at most one FILE, got %d arguments", fs.NArg())
	}
	name := "-"
	if fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	in, _, closeIn, err := jsonl.Open(name, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	report := stdout
	if *out == "" || *out == "-" {
		report = stderr
	}
	return taxonomyio.Learn(ctx, in, stdout, report, taxonomyio.LearnOptions{Taxonomy: *taxPath, Out: *out, SetMargin: set, Margin: margin})
}
