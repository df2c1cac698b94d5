package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/api/corrections"
	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/correction/adapt"
	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/cliout"
	"github.com/socialpulse/socialpulse/sentiment"
)

// defaultCorrectionWeight is adapt's --weight: how much one correction
// counts against one SemEval tweet when the base data is given.
const defaultCorrectionWeight = 5

// runSentiment is "socialpulse sentiment adapt|correct|export".
func runSentiment(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return cli.Dispatch(args, usageText("sentiment"), stderr,
		cli.Sub{Name: "adapt", Run: func(a []string) error { return sentimentAdapt(a, stdout, stderr) }},
		cli.Sub{Name: "correct", Run: func(a []string) error { return sentimentCorrect(ctx, a, stdin, stdout, stderr) }},
		cli.Sub{Name: "export", Run: func(a []string) error { return sentimentExport(ctx, a, stdout, stderr) }})
}

func sentimentAdapt(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sentiment adapt", stderr)
	var o adapt.Options
	in := fs.String("corrections", "", "corrections `FILE` (JSONL, from sentiment export)")
	fs.StringVar(&o.Data, "data", "", "dev data `DIR` with semeval2017-4a-train/ (default: fine-tune the embedded model)")
	fs.Float64Var(&o.Weight, "weight", defaultCorrectionWeight, "weight of one correction against one SemEval tweet")
	fs.Uint64Var(&o.Seed, "seed", 1, "shuffling seed")
	fs.IntVar(&o.Epochs, "epochs", 0, "passes over the examples (default: 5)")
	fs.Float64Var(&o.Rate, "rate", 0, "AdaGrad learning rate (default: 0.01 with --data, 0.05 without)")
	out := fs.String("out", "", "write the model to `FILE`")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fs.NArg() != 0 {
		return cli.Usagef("want --corrections FILE and --out FILE and no arguments")
	}
	cs, err := correction.ReadFile(*in)
	if err != nil {
		return err
	}
	if o.Weight <= 0 {
		return cli.Usagef("--weight %g: want > 0", o.Weight)
	}
	o.Corrections = cs
	start := time.Now()
	res, err := adapt.Train(o)
	if err != nil {
		return err
	}
	if err := cliout.WriteFileBytes(*out, ".model-*.tmp", res.Model); err != nil {
		return err
	}
	fmt.Fprintln(stderr, res.Summary(o, time.Since(start)))
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(res.Model))
	return nil
}

func sentimentCorrect(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("sentiment correct", stderr)
	var cf cli.APIFlags
	cf.Register(fs)
	text := fs.String("text", "", "the post's `TEXT` (\"-\": read stdin)")
	previous := fs.String("previous", "", "the label the post had (default: the embedded model's label of the text)")
	note := fs.String("note", "", "an optional note")
	asJSON := fs.Bool("json", false, "print the stored correction as JSON")
	id, pos, err := cli.ParseIDAndWords(fs, args)
	if err != nil {
		return err
	}
	if id == "" || len(pos) != 1 {
		return cli.Usagef("want a post id and a label: socialpulse sentiment correct ID LABEL --text TEXT")
	}
	t, err := cli.Text(*text, stdin, correction.MaxTextBytes+1)
	if err != nil {
		return err
	}
	if *text == "-" {
		t = strings.TrimRight(t, "\n")
	}
	if strings.TrimSpace(t) == "" {
		return cli.Usagef("--text is required: the post's text is what the model learns from")
	}
	prev := *previous
	if prev == "" {
		prev = sentiment.New().Score(t).Label.String()
	}
	c, err := cf.Client()
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
	fs := newFlags("sentiment export", stderr)
	var cf cli.APIFlags
	cf.Register(fs)
	out := fs.String("out", "", "write the JSONL to `FILE` instead of stdout")
	if err := cli.ParseNoArgs(fs, args); err != nil {
		return err
	}
	c, err := cf.Client()
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
