package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/app"
	"github.com/socialpulse/socialpulse/backtest"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/evaluate"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/pipeline"
	"github.com/socialpulse/socialpulse/post"
	"github.com/socialpulse/socialpulse/sentiment"
)

// samePostsFile is one file of posts, with created_at, that every tool reads.
const samePostsFile = "testdata/same_posts.jsonl"

// processorScored enriches each post of path as the processor does (the
// taxonomy through enrich.Load, post.Decoder, Enricher.Enrich and the
// pipeline's ScoredPost) and returns what it would write to the
// enriched-posts topic, without the source.
func processorScored(t *testing.T, path string, files enrich.Files) []pipeline.ScoredPost {
	t.Helper()
	en, err := enrich.LoadFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		dec post.Decoder
		p   post.Post
		sc  enrich.Scratch
		out []pipeline.ScoredPost
	)
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if err := dec.Decode(lines.Bytes(), &p); err != nil {
			t.Fatalf("%s: %v", lines.Text(), err)
		}
		res := en.Enrich(p.Text, p.Lang, &sc)
		out = append(out, roundTrip(t, pipeline.NewScoredPost(&p, p.CreatedAt, &res)))
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// roundTrip returns sp as a reader of the enriched-posts topic sees it.
func roundTrip(t *testing.T, sp pipeline.ScoredPost) pipeline.ScoredPost {
	t.Helper()
	b, err := json.Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	var got pipeline.ScoredPost
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func writeDefaultTaxonomy(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "taxonomy.yaml")
	if err := os.WriteFile(path, feature.DefaultTaxonomyYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// learnFallback trains the default taxonomy's fallback model from
// testdata/fallback_history.jsonl with "taxonomy learn" and returns its path.
func learnFallback(t *testing.T) string {
	t.Helper()
	model := filepath.Join(t.TempDir(), "fallback.json")
	var out, errb bytes.Buffer
	if err := runTaxonomy(context.Background(), []string{"learn", "--out", model, "testdata/fallback_history.jsonl"}, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("taxonomy learn: %v\n%s", err, errb.String())
	}
	return model
}

// The processor, score, backtest --posts and eval aspects load the taxonomy
// (and its fallback model, when one is set) and enrich posts through the
// same constructor, so one file gives the same labels, features (inferred
// ones included) and per-feature sentiment in all four.
func TestOnePostsFileGivesTheSameResultsInEveryTool(t *testing.T) {
	taxPath := writeDefaultTaxonomy(t)
	for _, tc := range []struct {
		name  string
		model string
	}{
		{"terms only", ""},
		{"with the fallback model", learnFallback(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameResultsInEveryTool(t, enrich.Files{Taxonomy: taxPath, FallbackModel: tc.model})
		})
	}
}

func sameResultsInEveryTool(t *testing.T, files enrich.Files) {
	ctx := context.Background()
	taxPath := files.Taxonomy
	want := processorScored(t, samePostsFile, files)

	// The file must exercise what is compared: several features, negative
	// ones, and a post whose features disagree with each other.
	features, negative, mixed := 0, 0, false
	for _, sp := range want {
		features += len(sp.Features)
		for _, f := range sp.Features {
			if f.Label == sentiment.Negative.String() {
				negative++
			}
			if f.Label != sp.Features[0].Label {
				mixed = true
			}
		}
	}
	if features < 10 || negative < 5 || !mixed {
		t.Fatalf("%s exercises too little: %d features, %d negative, mixed labels in a post: %v", samePostsFile, features, negative, mixed)
	}
	inferred := 0
	for _, sp := range want {
		for _, f := range sp.Features {
			if f.Inferred {
				inferred++
			}
		}
	}
	if (inferred > 0) != (files.FallbackModel != "") {
		t.Fatalf("%d features inferred with fallback model %q; want some exactly when there is a model", inferred, files.FallbackModel)
	}
	fallbackArgs := []string{}
	if files.FallbackModel != "" {
		fallbackArgs = []string{"--fallback-model", files.FallbackModel}
	}

	t.Run("score prints what the processor writes", func(t *testing.T) {
		var out, errb bytes.Buffer
		if err := runScore(ctx, append(append([]string{"--taxonomy", taxPath}, fallbackArgs...), samePostsFile), strings.NewReader(""), &out, &errb); err != nil {
			t.Fatalf("score: %v\n%s", err, errb.String())
		}
		var got []pipeline.ScoredPost
		for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			var sp pipeline.ScoredPost
			if err := json.Unmarshal([]byte(line), &sp); err != nil {
				t.Fatalf("score line %q: %v", line, err)
			}
			got = append(got, sp)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("score and the processor differ:\nscore:     %+v\nprocessor: %+v", got, want)
		}
	})

	t.Run("backtest counts what the processor counts", func(t *testing.T) {
		en, err := enrich.LoadFiles(files) // as backtest.Posts does
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(samePostsFile)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		got, lines, skipped, err := backtest.CountPosts(ctx, f, en, time.Minute, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		if lines != len(want) || skipped != 0 {
			t.Fatalf("backtest read %d lines and skipped %d, want %d and 0", lines, skipped, len(want))
		}
		wantNeg, wantAny := map[int64]map[string]int{}, map[int64]map[string]bool{}
		for _, sp := range want {
			k := sp.EventTime.Truncate(time.Minute).Unix()
			if wantNeg[k] == nil {
				wantNeg[k], wantAny[k] = map[string]int{}, map[string]bool{}
			}
			for _, f := range sp.Features {
				wantAny[k][f.ID] = true
				if f.Label == sentiment.Negative.String() {
					wantNeg[k][f.ID]++
				}
			}
		}
		if len(got) != len(wantNeg) {
			t.Fatalf("backtest has %d buckets, the processor %d", len(got), len(wantNeg))
		}
		for k, b := range got {
			if !reflect.DeepEqual(b.Negative, wantNeg[k]) || !reflect.DeepEqual(b.Mentioned, wantAny[k]) {
				t.Errorf("bucket %v: backtest mentions %v, negative %v; processor mentions %v, negative %v",
					time.Unix(k, 0).UTC(), b.Mentioned, b.Negative, wantAny[k], wantNeg[k])
			}
		}
	})

	t.Run("eval aspects tags and scores what the processor does", func(t *testing.T) {
		// With the processor's labels as the gold standard, the evaluation
		// finds every feature and no other, and every feature's sentiment.
		var out, errb bytes.Buffer
		var sents []evaluate.Sentence
		for _, sp := range want {
			s := evaluate.Sentence{Text: sp.Text}
			for _, f := range sp.Features {
				s.Opinions = append(s.Opinions, evaluate.Opinion{Category: f.ID, Polarity: f.Label})
			}
			sents = append(sents, s)
		}
		if err := evaluate.AspectReport(ctx, &out, &errb, len(want), "same posts", files, sents); err != nil {
			t.Fatal(err)
		}
		if errb.Len() > 0 {
			t.Errorf("eval and the processor tag differently:\n%s", errb.String())
		}
		var row string
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(l, "| micro, with other |") {
				row = l
			}
		}
		// gold | tagged | precision | recall | F1 | sentiment n | clause sentiment acc
		cells := strings.Split(row, "|")
		if len(cells) < 10 {
			t.Fatalf("no micro row in:\n%s", out.String())
		}
		for i, name := range map[int]string{4: "precision", 5: "recall", 8: "clause sentiment accuracy"} {
			if v := strings.TrimSpace(cells[i]); v != "1.000" {
				t.Errorf("%s %s, want 1.000 (eval and the processor disagree): %s", name, v, row)
			}
		}
		if n := strings.TrimSpace(cells[7]); n != strconv.Itoa(features) {
			t.Errorf("eval scored the sentiment of %s features, want %d: %s", n, features, row)
		}
	})
}

// A taxonomy whose own example fails feature.Check is refused by the
// processor, score, backtest --posts and eval aspects alike.
func TestEveryToolRefusesATaxonomyThatFailsCheck(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := string(feature.DefaultTaxonomyYAML()) + `  - id: broken
    name: Broken
    owner: nobody
    criticality: 1
    terms: [frobnicator]
    examples:
      match: ["nothing to do with it"]
`
	badPath := filepath.Join(dir, "semeval-restaurants.yaml")
	if err := os.WriteFile(badPath, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := feature.LoadTaxonomy(badPath); err != nil {
		t.Fatalf("the taxonomy must parse, so that only Check refuses it: %v", err)
	}
	tests := []struct {
		name string
		run  func() error
	}{
		{"run", func() error {
			cfg := config.Default()
			cfg.Taxonomy.File = badPath
			_, err := app.New(cfg, app.Options{})
			return err
		}},
		{"score", func() error {
			return runScore(ctx, []string{"--taxonomy", badPath, samePostsFile}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		}},
		{"backtest --posts", func() error {
			return runBacktest(ctx, []string{"--posts", samePostsFile, "--taxonomy", badPath}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		}},
		{"eval aspects", func() error {
			return runEvalAspects(ctx, []string{"--data", writeAspectData(t), "--taxonomies", dir}, &bytes.Buffer{}, &bytes.Buffer{})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			var pe *feature.ProblemsError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), "broken does not match") {
				t.Fatalf("want the failing example refused, got %v", err)
			}
		})
	}
}

// A fallback model trained for another taxonomy is refused by the
// processor (taxonomy.fallback_model), score and backtest --posts
// (--fallback-model) and eval aspects alike, naming the model's field.
func TestEveryToolRefusesAFallbackModelForAnotherTaxonomy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	otherTax := filepath.Join(dir, "shipping-only.yaml")
	if err := os.WriteFile(otherTax, []byte("version: \"1\"\nfeatures:\n  - id: shipping\n    terms: [shipping, courier]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "other.json")
	var errb bytes.Buffer
	if err := runTaxonomy(ctx, []string{"learn", "--taxonomy", otherTax, "--out", model, "testdata/fallback_history.jsonl"}, strings.NewReader(""), &bytes.Buffer{}, &errb); err != nil {
		t.Fatalf("taxonomy learn: %v\n%s", err, errb.String())
	}
	tests := []struct {
		name string
		run  func() error
	}{
		{"run", func() error {
			cfg := config.Default()
			cfg.Taxonomy.FallbackModel = model
			_, err := app.New(cfg, app.Options{})
			return err
		}},
		{"score", func() error {
			return runScore(ctx, []string{"--fallback-model", model, samePostsFile}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		}},
		{"backtest --posts", func() error {
			return runBacktest(ctx, []string{"--posts", samePostsFile, "--fallback-model", model}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		}},
		{"eval aspects", func() error {
			return evaluate.AspectReport(ctx, &bytes.Buffer{}, &bytes.Buffer{}, 0, "same posts", enrich.Files{FallbackModel: model}, nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if !errors.Is(err, feature.ErrFallbackTaxonomy) || !strings.Contains(err.Error(), `other.json: fallback model: field "taxonomy"`) {
				t.Fatalf("want the model refused naming the file and the field, got %v", err)
			}
		})
	}
}
