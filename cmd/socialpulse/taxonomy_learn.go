package main

import (
	"context"
	"io"
	"math"
	"strconv"

	"github.com/socialpulse/socialpulse/feature/taxonomyio"
	"github.com/socialpulse/socialpulse/internal/cli"
)

// taxonomyLearn implements "taxonomy learn": it trains the taxonomy's
// fallback model (taxonomyio.Learn) from a JSONL history of posts.
func taxonomyLearn(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("taxonomy learn", stderr)
	taxPath := fs.String("taxonomy", taxonomyio.Default, "taxonomy YAML `file` the model is for; \"default\" is the built-in one")
	out := fs.String("out", "", "write the model to `MODEL` (default: stdout)")
	marginArg := fs.String("margin", "", "use this log-odds `margin` (a number >= 0) instead of the learned one; higher tags fewer posts")
	hist := addHistoryFlags(fs)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	set, margin := *marginArg != "", 0.0
	if set {
		var err error
		if margin, err = strconv.ParseFloat(*marginArg, 64); err != nil || margin < 0 || math.IsInf(margin, 0) || math.IsNaN(margin) {
			return cli.Usagef("--margin %q: want a number >= 0", *marginArg)
		}
	}
	in, size, lines, closeIn, err := hist.open(ctx, fs, stdin, *taxPath)
	if err != nil {
		return err
	}
	defer closeIn()
	report := stdout
	if *out == "" || *out == "-" {
		report = stderr
	}
	return taxonomyio.Learn(ctx, in, stdout, report, taxonomyio.LearnOptions{Taxonomy: *taxPath, Out: *out, SetMargin: set, Margin: margin,
		Progress: readProgress(stdout, stderr, size, lines, "taxonomy learn", "posts")})
}
