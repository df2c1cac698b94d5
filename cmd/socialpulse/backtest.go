package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/socialpulse/socialpulse/backtest"
	"github.com/socialpulse/socialpulse/internal/jsonl"
)

// runBacktest implements "backtest": it replays a count series through the
// production spike detector with its default settings.
func runBacktest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("backtest", flag.ContinueOnError)
	fl.SetOutput(stderr)
	series := fl.String("series", "", "CSV `FILE` with a header timestamp,value (\"-\" for stdin)")
	posts := fl.String("posts", "", "JSONL `FILE` of historical posts to replay through scorer, tagger and detector")
	taxPath := fl.String("taxonomy", "", "taxonomy `FILE` for --posts (default: the built-in taxonomy)")
	fbPath := fl.String("fallback-model", "", "fallback model `FILE` for --posts, from \"taxonomy learn\" (the processor's taxonomy.fallback_model; default: none)")
	bucket := fl.Duration("bucket", time.Minute, "bucket width for --posts (the processor's matrix.bucket)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "Usage: socialpulse backtest --series FILE")
		fmt.Fprintln(stderr, "       socialpulse backtest --posts FILE.jsonl [--taxonomy FILE]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "--series runs the production spike detector, with its default settings for the")
		fmt.Fprintln(stderr, "series' step (the most common gap between timestamps), over a CSV of counts and")
		fmt.Fprintln(stderr, "writes one JSON line per input row:")
		fmt.Fprintln(stderr, `  {"timestamp":"<as in the input>","value":n,"baseline":x,"score":0..1,"alert":bool}`)
		fmt.Fprintln(stderr, "baseline is the expected count for that row's step; alert is true on the rows")
		fmt.Fprintln(stderr, "where an alert fires (not on the rows of an episode that is still firing).")
		fmt.Fprintln(stderr, "Timestamps are \"2015-02-26 21:42:53\" (UTC) or RFC 3339.")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "--posts replays historical posts (the processor's JSON, with created_at) through the")
		fmt.Fprintln(stderr, "scorer, the tagger and the detector, and writes one JSON line per alert event:")
		fmt.Fprintln(stderr, `  {"feature","owner","event":"fire|update|resolve","time","since","current","baseline","change_pct","p_value","priority","samples"}`)
		fl.PrintDefaults()
	}
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usageErrorf("unexpected arguments: %q", fl.Args())
	}
	switch {
	case *posts != "" && *series != "":
		return usageErrorf("--series and --posts are exclusive")
	case *posts != "":
		if *bucket < time.Second || time.Hour%*bucket != 0 {
			return usageErrorf("--bucket must divide 1h, got %v", *bucket)
		}
		in, _, closeIn, err := jsonl.Open(*posts, stdin)
		if err != nil {
			return err
		}
		defer closeIn()
		return backtest.Posts(ctx, backtest.PostsOptions{In: in, Taxonomy: *taxPath, FallbackModel: *fbPath, Bucket: *bucket, Out: stdout, ErrOut: stderr})
	case *series == "":
		return usageErrorf("--series FILE is required")
	}

	in := stdin
	if *series != "-" {
		f, err := os.Open(*series)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	return backtest.Series(ctx, backtest.SeriesOptions{In: in, Out: stdout, ErrOut: stderr})
}
