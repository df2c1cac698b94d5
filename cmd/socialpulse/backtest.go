package main

import (
	"context"
	"io"
	"time"

	"github.com/socialpulse/socialpulse/backtest"
	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/jsonl"
)

// runBacktest implements "backtest": it replays a count series, or posts,
// through the production spike detector with its default settings.
func runBacktest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("backtest", stderr)
	series := fs.String("series", "", "CSV `FILE` with a header timestamp,value (\"-\" for stdin)")
	posts := fs.String("posts", "", "JSONL `FILE` of historical posts to replay through scorer, tagger and detector")
	taxPath := fs.String("taxonomy", "", "taxonomy `FILE` for --posts (default: the built-in taxonomy)")
	fbPath := fs.String("fallback-model", "", "fallback model `FILE` for --posts, from \"taxonomy learn\" (the processor's taxonomy.fallback_model; default: none)")
	bucket := fs.Duration("bucket", time.Minute, "bucket width for --posts (the processor's matrix.bucket)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cli.Usagef("unexpected arguments: %q", fs.Args())
	}
	name := *series
	switch {
	case *posts != "" && *series != "":
		return cli.Usagef("--series and --posts are exclusive")
	case *posts != "":
		if *bucket < time.Second || time.Hour%*bucket != 0 {
			return cli.Usagef("--bucket must divide 1h, got %v", *bucket)
		}
		name = *posts
	case *series == "":
		return cli.Usagef("--series FILE is required")
	}
	in, _, closeIn, err := jsonl.Open(name, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	if *posts != "" {
		return backtest.Posts(ctx, backtest.PostsOptions{In: in, Taxonomy: *taxPath, FallbackModel: *fbPath, Bucket: *bucket, Out: stdout, ErrOut: stderr})
	}
	return backtest.Series(ctx, backtest.SeriesOptions{In: in, Out: stdout, ErrOut: stderr})
}
