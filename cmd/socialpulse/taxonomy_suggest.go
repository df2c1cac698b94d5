package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/socialpulse/socialpulse/emerging"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/pipeline"
	"github.com/socialpulse/socialpulse/sentiment"
)

// taxonomySuggest implements "taxonomy suggest": it reads a JSONL history of
// posts (the input of score), learns which words customers use with each
// feature's terms in negative posts, and proposes them as terms, with new
// candidate features from unmatched complaints. --apply writes a copy of the
// taxonomy with the suggested terms added.
func taxonomySuggest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("taxonomy suggest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: socialpulse taxonomy suggest [--taxonomy FILE] [--apply OUT] [--all] [--json]
       [--method share|logodds] [--min-z Z] [--rounds N] [FILE|-]

Reads JSONL posts (at least "text"; "lang" is used when present), tags the
negative ones with the taxonomy and proposes, per feature, words and phrases
that come with its terms in its posts and are rare in the others, and
candidate new features from complaints no feature matches, each with counts
and example posts. No labels are needed. --apply writes a copy of the
taxonomy with the proposed terms added (each marked with a comment); it
passes "taxonomy check". Candidate features are listed, never applied.
--method logodds ranks words by their smoothed log-odds in a feature's
posts against all other examined posts and suggests in rounds (each round
tags the posts again with the terms so far), so words common in the
complaints the terms miss are not refused for being there.
`)
		fs.PrintDefaults()
	}
	taxPath := fs.String("taxonomy", "default", "taxonomy YAML `file` to extend; \"default\" is the built-in one")
	apply := fs.String("apply", "", "write the taxonomy with the suggested terms added to `OUT`")
	all := fs.Bool("all", false, "learn from all posts, not only the negative ones (for reviews, which praise as often as they complain)")
	asJSON := fs.Bool("json", false, "print the suggestions as JSON instead of text")
	minPosts := fs.Int("min-posts", 0, "fewest posts of a feature a term must occur in (default: 3, or one post in 500)")
	maxTerms := fs.Int("max-terms", 0, "most terms suggested per feature and round (default 8)")
	method := fs.String("method", string(feature.SuggestShare), "statistic that picks terms: share or logodds")
	minZ := fs.Float64("min-z", 0, "with --method logodds, least z-score of a term's log-odds (default 1.5)")
	rounds := fs.Int("rounds", 0, "suggestion rounds, each on the posts tagged with the terms so far (default 2 with logodds, 1 with share)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("want at most one FILE, got %d arguments", fs.NArg())
	}
	if m := feature.SuggestMethod(*method); m != feature.SuggestShare && m != feature.SuggestLogOdds {
		return usageErrorf("--method %q: want share or logodds", *method)
	}
	if *minZ < 0 || *rounds < 0 || *minPosts < 0 || *maxTerms < 0 {
		return usageErrorf("--min-z, --rounds, --min-posts and --max-terms must not be negative")
	}
	name := "-"
	if fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	var data []byte
	var err error
	if *taxPath == "default" {
		data = feature.DefaultTaxonomyYAML()
	} else if data, err = os.ReadFile(*taxPath); err != nil {
		return err
	}
	tax, err := feature.ParseTaxonomy(data, *taxPath)
	if err != nil {
		return err
	}
	tg, err := feature.NewTagger(tax)
	if err != nil {
		return err
	}
	in, _, closeIn, err := jsonl.Open(name, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	// Candidate features are built from the emerging-issue miner's terms,
	// which leave out the words every complaint uses.
	sg := feature.NewSuggester(tg, feature.SuggestOptions{MinPosts: *minPosts, MaxTerms: *maxTerms, CandidateTerms: emerging.Terms,
		Method: feature.SuggestMethod(*method), MinZ: *minZ, Rounds: *rounds})
	read, bad, err := feedSuggester(ctx, sg, sentiment.New(), in, *all)
	if err != nil {
		return err
	}
	terms, cands := sg.Terms(), sg.Candidates()
	if *apply != "" {
		out, added, err := feature.AddTerms(data, *taxPath, terms)
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		if err := os.WriteFile(*apply, out, 0o644); err != nil {
			return err
		}
		terms = added
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Posts      int                        `json:"posts"`
			Examined   int                        `json:"examined"`
			Terms      []feature.TermSuggestion   `json:"terms"`
			Candidates []feature.CandidateFeature `json:"candidates"`
		}{read, sg.Examined(), orEmpty(terms), orEmpty(cands)})
	}
	scope := "negative posts"
	if *all {
		scope = "posts"
	}
	fmt.Fprintf(stdout, "%d posts read (%d unreadable lines), %d %s examined\n\n", read, bad, sg.Examined(), scope)
	fmt.Fprintf(stdout, "Suggested terms (%d):\n", len(terms))
	for _, t := range terms {
		fmt.Fprintf(stdout, "  %-20s + %-24q %d posts of the feature, %d elsewhere, %d unmatched today\n", t.Feature, t.Term, t.Posts, t.Elsewhere, t.New)
		for _, ex := range t.Examples {
			fmt.Fprintf(stdout, "      e.g. %s\n", clipLine(ex, 140))
		}
	}
	fmt.Fprintf(stdout, "\nCandidate new features from unmatched %s (%d):\n", scope, len(cands))
	for _, c := range cands {
		fmt.Fprintf(stdout, "  %-20s terms: %s  (%d posts)\n", c.ID, strings.Join(c.Terms, ", "), c.Posts)
		for _, ex := range c.Examples {
			fmt.Fprintf(stdout, "      e.g. %s\n", clipLine(ex, 140))
		}
	}
	if *apply != "" {
		fmt.Fprintf(stdout, "\nWrote %s with %d terms added; it passes taxonomy check.\n", *apply, len(terms))
	}
	return nil
}

// feedSuggester adds the posts of a JSONL stream (the negative ones unless
// all) to sg. It returns the posts read and the lines it could not read.
func feedSuggester(ctx context.Context, sg *feature.Suggester, sa *sentiment.Analyzer, r io.Reader, all bool) (read, bad int, err error) {
	lr := jsonl.NewReader(r, pipeline.MaxScoreLine)
	var p fastjson.Parser
	var clauses []sentiment.Clause
	for n := 1; ; n++ {
		line, _, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return read, bad, nil
		}
		if err != nil {
			return read, bad, fmt.Errorf("read line %d: %w", n, err)
		}
		if n%4096 == 0 && ctx.Err() != nil {
			return read, bad, ctx.Err()
		}
		if line == nil || len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		v, err := p.ParseBytes(line)
		if err != nil {
			bad++
			continue
		}
		text := string(v.GetStringBytes("text"))
		if text == "" {
			bad++
			continue
		}
		read++
		if !all {
			lang := string(v.GetStringBytes("lang"))
			if _, ok := sa.Language(text, lang); !ok {
				continue
			}
			var res sentiment.Result
			res, clauses = sa.Analyze(text, clauses[:0])
			if res.Label != sentiment.Negative {
				continue
			}
		}
		sg.Add(text)
	}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func clipLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
