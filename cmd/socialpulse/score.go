package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/pipeline"
)

// runScore is "socialpulse score": JSONL posts in, one JSON line out per
// input line, in order (pipeline.Score, with enrich.Load's Enricher).
func runScore(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: socialpulse score [--taxonomy FILE] [FILE|-]")
		fmt.Fprintln(fs.Output(), "Scores JSONL posts (the processor's input format) and writes one JSON line per input line,")
		fmt.Fprintln(fs.Output(), "in the shape the processor writes to its enriched-posts topic.")
		fs.PrintDefaults()
	}
	taxPath := fs.String("taxonomy", "", "feature taxonomy YAML `file`; default: the built-in taxonomy")
	fbPath := fs.String("fallback-model", "", "fallback model `file` from \"taxonomy learn\" (the processor's taxonomy.fallback_model); default: none")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("want at most one FILE, got %d arguments", fs.NArg())
	}
	name := "-"
	if fs.NArg() == 1 {
		name = fs.Arg(0)
	}

	enr, err := enrich.LoadFiles(enrich.Files{Taxonomy: *taxPath, FallbackModel: *fbPath})
	if err != nil {
		return err
	}

	in, _, closeIn, err := jsonl.Open(name, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	return pipeline.Score(ctx, enr, in, stdout)
}
