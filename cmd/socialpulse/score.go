package main

import (
	"context"
	"io"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/pipeline"
)

// runScore is "socialpulse score": JSONL posts in, one JSON line out per
// input line, in order (pipeline.Score, with enrich.Load's Enricher).
func runScore(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("score", stderr)
	taxPath := fs.String("taxonomy", "", "feature taxonomy YAML `file`; default: the built-in taxonomy")
	fbPath := fs.String("fallback-model", "", "fallback model `file` from \"taxonomy learn\" (the processor's taxonomy.fallback_model); default: none")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	name, err := cli.OptionalFile(fs, "-")
	if err != nil {
		return err
	}

	enr, err := enrich.LoadFiles(enrich.Files{Taxonomy: *taxPath, FallbackModel: *fbPath})
	if err != nil {
		return err
	}

	in, size, closeIn, err := jsonl.Open(name, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	return pipeline.Score(ctx, enr, in, stdout, outputProgress(stdout, stderr, size, "score", "scored"))
}
