package main

import (
	"context"
	"io"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/feature/taxonomyio"
	"github.com/socialpulse/socialpulse/internal/cli"
)

// taxonomySuggest implements "taxonomy suggest": it reads a JSONL history of
// posts (the input of score), learns which words customers use with each
// feature's terms (in all posts, or the negative ones with --all=false),
// and proposes them as terms, with new candidate features from unmatched
// complaints. --apply writes a copy of the
// taxonomy with the suggested terms added.
func taxonomySuggest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("taxonomy suggest", stderr)
	taxPath := fs.String("taxonomy", taxonomyio.Default, "taxonomy YAML `file` to extend; \"default\" is the built-in one")
	apply := fs.String("apply", "", "write the taxonomy with the suggested terms added to `OUT`")
	all := fs.Bool("all", true, "learn terms from all posts; --all=false learns them from the negative posts only (candidate features come from negative posts either way)")
	asJSON := fs.Bool("json", false, "print the suggestions as JSON instead of text")
	minPosts := fs.Int("min-posts", 0, "fewest posts of a feature a term must occur in (default: 3, or one post in 500)")
	maxTerms := fs.Int("max-terms", 0, "most terms suggested per feature and round (default 8)")
	method := fs.String("method", string(feature.SuggestLogOdds), "statistic that picks terms: logodds or share")
	minZ := fs.Float64("min-z", 0, "with --method logodds, least z-score of a term's log-odds (default 1.5)")
	rounds := fs.Int("rounds", 0, "suggestion rounds, each on the posts tagged with the terms so far (default 2 with logodds, 1 with share)")
	similar := fs.Bool("similar", true, "also propose words of the posts whose meaning is close to a feature's own words (static word vectors), even where they never come with them")
	minSim := fs.Float64("min-similarity", 0, "with --similar, least cosine similarity of such a word to the mean of the feature's words (default 0.35)")
	simMargin := fs.Float64("similar-margin", 0, "with --similar, how much less similar the next feature must be (default 0.25)")
	hist := addHistoryFlags(fs)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if m := feature.SuggestMethod(*method); m != feature.SuggestShare && m != feature.SuggestLogOdds {
		return cli.Usagef("--method %q: want share or logodds", *method)
	}
	if *minZ < 0 || *rounds < 0 || *minPosts < 0 || *maxTerms < 0 {
		return cli.Usagef("--min-z, --rounds, --min-posts and --max-terms must not be negative")
	}
	if *minSim < 0 || *minSim > 1 || *simMargin < 0 || *simMargin > 2 {
		return cli.Usagef("--min-similarity must be within 0..1 and --similar-margin within 0..2")
	}
	in, size, lines, closeIn, err := hist.open(ctx, fs, stdin, *taxPath)
	if err != nil {
		return err
	}
	defer closeIn()
	return taxonomyio.Suggest(ctx, in, stdout, taxonomyio.SuggestOptions{
		Taxonomy: *taxPath, Apply: *apply, NegativeOnly: !*all, JSON: *asJSON,
		Suggest: feature.SuggestOptions{MinPosts: *minPosts, MaxTerms: *maxTerms,
			Method: feature.SuggestMethod(*method), MinZ: *minZ, Rounds: *rounds,
			NoSimilar: !*similar, MinSimilarity: *minSim, SimilarMargin: *simMargin},
		Progress: readProgress(stdout, stderr, size, lines, "taxonomy suggest", "posts"),
	})
}
