package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/api/corrections"
	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/correction/adapt"
	"github.com/socialpulse/socialpulse/internal/cliout"
	"github.com/socialpulse/socialpulse/sentiment"
)

// defaultCorrectionWeight is adapt's --weight: how much one correction
// counts against one SemEval tweet when the base data is given.
const defaultCorrectionWeight = 5

// runSentiment is "socialpulse sentiment adapt|correct|export".
func runSentiment(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, "Usage: socialpulse sentiment <adapt|correct|export> [flags]")
		fmt.Fprintln(stderr, "  adapt --corrections FILE --out FILE  train a model adapted to corrections (--data DIR: with the SemEval tweets)")
		fmt.Fprintln(stderr, "  correct ID LABEL --text TEXT         correct a post's label through the API (needs a write token)")
		fmt.Fprintln(stderr, "  export [--out FILE]                  download every correction as JSONL")
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage()
		if len(args) == 0 {
			return usageErrorf("want a subcommand: adapt, correct or export")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "adapt":
		return sentimentAdapt(args[1:], stdout, stderr)
	case "correct":
		return sentimentCorrect(ctx, args[1:], stdin, stdout, stderr)
	case "export":
		return sentimentExport(ctx, args[1:], stdout, stderr)
	}
	usage()
	return usageErrorf("unknown subcommand %q (want adapt, correct or export)", args[0])
}

func sentimentAdapt(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sentiment adapt", "--corrections FILE.jsonl [--data DIR] [--weight W] [--seed N] --out model.bin",
		"Trains a sentiment model adapted to corrections and writes it for sentiment.model_file.\n"+
			"With --data it trains on the SemEval tweets of DIR/semeval2017-4a-train plus the corrections,\n"+
			"each weighted W; without it, it fine-tunes the embedded model on the corrections alone\n"+
			"(--weight then changes little: every correction has the same weight). A post corrected\n"+
			"more than once counts with its latest label. The same inputs give the same file.", stderr)
	in := fs.String("corrections", "", "corrections `FILE` (JSONL, from sentiment export)")
	data := fs.String("data", "", "dev data `DIR` with semeval2017-4a-train/ (default: fine-tune the embedded model)")
	weight := fs.Float64("weight", defaultCorrectionWeight, "weight of one correction against one SemEval tweet")
	seed := fs.Uint64("seed", 1, "shuffling seed")
	epochs := fs.Int("epochs", 0, "passes over the examples (default: 5)")
	rate := fs.Float64("rate", 0, "AdaGrad learning rate (default: 0.01 with --data, 0.05 without)")
	out := fs.String("out", "", "write the model to `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fs.NArg() != 0 {
		return usageErrorf("want --corrections FILE and --out FILE and no arguments")
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	cs, err := correction.ReadJSONL(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	if *weight <= 0 {
		return usageErrorf("--weight %g: want > 0", *weight)
	}
	start := time.Now()
	res, err := adapt.Train(adapt.Options{Corrections: cs, Data: *data, Weight: *weight, Seed: *seed, Epochs: *epochs, Rate: *rate})
	if err != nil {
		return err
	}
	if err := cliout.WriteFileBytes(*out, ".model-*.tmp", res.Model); err != nil {
		return err
	}
	mode := "fine-tuned the embedded model"
	if *data != "" {
		mode = "trained on the SemEval tweets plus"
	}
	fmt.Fprintf(stderr, "adapt: %s %d corrections (weight %g) in %.1f s; the model gives %d of them the corrected label\n",
		mode, res.Examples, *weight, time.Since(start).Seconds(), res.Agree)
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(res.Model))
	return nil
}

func sentimentCorrect(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("sentiment correct", "[flags] ID LABEL --text TEXT",
		"Records that post ID should have had LABEL (negative, neutral or positive). --text is the\n"+
			"post's text (\"-\" reads it from stdin); the API records the token's name as who.", stderr)
	var cf clientFlags
	cf.register(fs)
	text := fs.String("text", "", "the post's `TEXT` (\"-\": read stdin)")
	previous := fs.String("previous", "", "the label the post had (default: the embedded model's label of the text)")
	note := fs.String("note", "", "an optional note")
	asJSON := fs.Bool("json", false, "print the stored correction as JSON")
	id, rest := splitID(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	pos := fs.Args()
	if id == "" && len(pos) > 0 {
		id, pos = pos[0], pos[1:]
	}
	if id == "" || len(pos) != 1 {
		return usageErrorf("want a post id and a label: socialpulse sentiment correct ID LABEL --text TEXT")
	}
	t := *text
	if t == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, correction.MaxTextBytes+1))
		if err != nil {
			return err
		}
		t = strings.TrimRight(string(b), "\n")
	}
	if strings.TrimSpace(t) == "" {
		return usageErrorf("--text is required: the post's text is what the model learns from")
	}
	prev := *previous
	if prev == "" {
		prev = sentiment.New().Score(t).Label.String()
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	cr, err := c.Correct(ctx, corrections.Input{PostID: id, Text: t, Label: pos[0], Previous: prev, Note: *note})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(cr)
	}
	cliout.CorrectionRecorded(stdout, cr)
	return nil
}

func sentimentExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sentiment export", "[flags]", "Downloads every correction, oldest first, as JSONL (the input of sentiment adapt).", stderr)
	var cf clientFlags
	cf.register(fs)
	out := fs.String("out", "", "write the JSONL to `FILE` instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	b, cs, err := c.ExportCorrections(ctx)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(b)
		return err
	}
	if err := cliout.WriteFileBytes(*out, ".model-*.tmp", b); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d corrections)\n", *out, len(cs))
	return nil
}
