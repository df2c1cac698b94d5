package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/evaluate"
	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/jsonl"
)

// runEvalTagging is "eval tagging": a taxonomy (and fallback model) measured
// on the user's own labelled posts with evaluate.AspectReport, the tagging
// the processor does.
func runEvalTagging(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("eval tagging", stderr)
	taxPath := fs.String("taxonomy", "", "feature taxonomy YAML `file`; default: the built-in taxonomy")
	fbPath := fs.String("fallback-model", "", "fallback model `file` from \"taxonomy learn\" (the processor's taxonomy.fallback_model); default: none")
	var f evaluate.LabelledFormat
	format := fs.String("format", "", "input format: jsonl or csv (default: csv when FILE ends in .csv, else jsonl)")
	fs.StringVar(&f.TextColumn, "text-column", "text", "with CSV, the `column` holding the post's text")
	fs.StringVar(&f.LabelColumn, "label-column", "feature", "with CSV, the `column` holding the post's feature ids (several separated by \";\")")
	errs := fs.Int("errors", 0, "print up to `N` missed and spurious features to stderr")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	name, err := cli.OptionalFile(fs, "-")
	if err != nil {
		return err
	}
	switch *format {
	case "":
		f.CSV = strings.EqualFold(filepath.Ext(name), ".csv")
	case "csv":
		f.CSV = true
	case "jsonl":
	default:
		return cli.Usagef("--format: want jsonl or csv, got %q", *format)
	}
	if *errs < 0 {
		return cli.Usagef("--errors %d: want >= 0", *errs)
	}
	files := enrich.Files{Taxonomy: *taxPath, FallbackModel: *fbPath}
	tg, err := enrich.LoadTaggerFiles(files)
	if err != nil {
		return err
	}

	in, _, closeIn, err := jsonl.Open(name, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	sents, err := evaluate.ReadLabelled(in, f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(sents) == 0 {
		return fmt.Errorf("%s: no labelled posts", name)
	}
	// A label the taxonomy has no feature for can never be found: say so,
	// since it is usually a typo or a category left out of the taxonomy.
	unknown := evaluate.ResolveLabels(tg, sents)
	for _, id := range slices.Sorted(maps.Keys(unknown)) {
		fmt.Fprintf(stderr, "eval tagging: label %q (%d posts) is no feature of the taxonomy: those posts count as missed\n", id, unknown[id])
	}
	return evaluate.AspectReportTagger(ctx, stdout, stderr, *errs, filepath.Base(name), tg, sents)
}
