package taxonomyio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/socialpulse/socialpulse/emerging"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/sentiment"
)

// MaxPostLine bounds one line of Suggest's posts; a longer line is skipped.
const MaxPostLine = 8 << 20

// SuggestOptions configure Suggest.
type SuggestOptions struct {
	// Taxonomy is the taxonomy file to extend; Default is the embedded one.
	Taxonomy string
	// Apply, when set, is where the taxonomy with the suggested terms added
	// is written.
	Apply string
	// NegativeOnly learns terms from the negative posts only. By default
	// every post teaches terms; candidate features always come from the
	// negative posts (see Learner).
	NegativeOnly bool
	// JSON prints the suggestions as JSON instead of text.
	JSON bool
	// Suggest configures the suggester; its CandidateTerms is set by
	// Suggest (the emerging-issue miner's terms).
	Suggest feature.SuggestOptions
	// Progress, when not nil, shows how far the reading is (posts read);
	// it is finished before the report is written.
	Progress *jsonl.Progress
}

// Suggest reads JSONL posts from in (at least "text"; "lang" when
// present), feeds them to a feature.Suggester over o.Taxonomy through a
// Learner, prints its term suggestions and candidate features to out and,
// with o.Apply, writes the taxonomy with the suggested terms added
// (feature.AddTerms).
func Suggest(ctx context.Context, in io.Reader, out io.Writer, o SuggestOptions) error {
	data, err := ReadYAML(o.Taxonomy)
	if err != nil {
		return err
	}
	tax, err := feature.ParseTaxonomy(data, o.Taxonomy)
	if err != nil {
		return err
	}
	tg, err := feature.NewTagger(tax)
	if err != nil {
		return err
	}
	// Candidate features are built from the emerging-issue miner's terms,
	// which leave out the words every complaint uses.
	so := o.Suggest
	so.CandidateTerms = emerging.Terms
	sg := feature.NewSuggester(tg, so)
	lr := NewLearner(sg, sentiment.New(), o.NegativeOnly)
	read, bad, err := feed(ctx, lr, in, o.Progress)
	o.Progress.Finish()
	if err != nil {
		return err
	}
	terms, cands := sg.Terms(), sg.Candidates()
	coverage, unmatched := sg.Coverage()
	var warnings []string
	for _, p := range feature.Warnings(tax) {
		warnings = append(warnings, p.String())
	}
	if o.Apply != "" {
		b, added, err := feature.AddTerms(data, o.Taxonomy, terms)
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		if err := os.WriteFile(o.Apply, b, 0o644); err != nil {
			return err
		}
		terms = added
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Posts      int                        `json:"posts"`
			Examined   int                        `json:"examined"`
			Negative   int                        `json:"negative"`
			Terms      []feature.TermSuggestion   `json:"terms"`
			Candidates []feature.CandidateFeature `json:"candidates"`
			Warnings   []string                   `json:"warnings"`
			Coverage   []feature.FeatureCoverage  `json:"coverage"`
			Unmatched  int                        `json:"unmatched"`
		}{read, sg.Examined(), lr.Negative, orEmpty(terms), orEmpty(cands), orEmpty(warnings), orEmpty(coverage), unmatched})
	}
	scope, negative := "posts", fmt.Sprintf(", %d of them negative", lr.Negative)
	if o.NegativeOnly {
		scope, negative = "negative posts", ""
	}
	fmt.Fprintf(out, "%d posts read (%d unreadable lines), %d %s examined%s\n\n", read, bad, sg.Examined(), scope, negative)
	if n := sg.Examined(); n > 0 {
		fmt.Fprintf(out, "Examined %s each feature's terms match today (a feature with none learns nothing here):\n", scope)
		var none []string
		for _, c := range coverage {
			fmt.Fprintf(out, "  %-20s %7d  %5.1f%%\n", c.Feature, c.Posts, 100*float64(c.Posts)/float64(n))
			if c.Posts == 0 {
				none = append(none, c.Feature)
			}
		}
		fmt.Fprintf(out, "  %-20s %7d  %5.1f%%\n", "(no feature)", unmatched, 100*float64(unmatched)/float64(n))
		if len(none) > 0 {
			fmt.Fprintf(out, "  No examined post matches %s: write terms for %s.\n", strings.Join(none, ", "), map[bool]string{true: "it", false: "them"}[len(none) == 1])
		}
		fmt.Fprintln(out)
	}
	if len(warnings) > 0 {
		fmt.Fprintf(out, "Features no post can teach (as taxonomy check warns; write terms for them first):\n")
		for _, w := range warnings {
			fmt.Fprintf(out, "  %s\n", w)
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "Suggested terms (%d):\n", len(terms))
	for _, t := range terms {
		why := ""
		if t.Similarity != 0 {
			why = fmt.Sprintf("similar to its words (%.2f): ", t.Similarity)
		}
		fmt.Fprintf(out, "  %-20s + %-24q %s%d posts of the feature, %d elsewhere, %d unmatched today\n", t.Feature, t.Term, why, t.Posts, t.Elsewhere, t.New)
		for _, ex := range t.Examples {
			fmt.Fprintf(out, "      e.g. %s\n", clipLine(ex, 140))
		}
	}
	fmt.Fprintf(out, "\nCandidate new features from unmatched negative posts (%d):\n", len(cands))
	for _, c := range cands {
		fmt.Fprintf(out, "  %-20s terms: %s  (%d posts)\n", c.ID, strings.Join(c.Terms, ", "), c.Posts)
		for _, ex := range c.Examples {
			fmt.Fprintf(out, "      e.g. %s\n", clipLine(ex, 140))
		}
	}
	if o.Apply != "" {
		fmt.Fprintf(out, "\nWrote %s with %d terms added; it passes taxonomy check.\n", o.Apply, len(terms))
	}
	return nil
}

// Learner gives posts to a feature.Suggester as taxonomy suggest does, so
// that eval aspects measures suggest as users run it. A post in a language
// the tagger does not serve is skipped. Every other post teaches terms
// (only the negative ones with NegativeOnly): how customers talk about a
// feature is the same when they praise it, and more posts find more of
// their words. Only negative posts can make candidate features, which are
// clusters of complaints.
type Learner struct {
	sg           *feature.Suggester
	sa           *sentiment.Analyzer
	negativeOnly bool
	// Negative counts the negative posts given to the Suggester.
	Negative int
}

// NewLearner returns a Learner feeding sg; sa scores each post.
func NewLearner(sg *feature.Suggester, sa *sentiment.Analyzer, negativeOnly bool) *Learner {
	return &Learner{sg: sg, sa: sa, negativeOnly: negativeOnly}
}

// Add gives one post (its text and declared language, "" when unknown) to
// the Suggester and reports whether it was examined.
func (l *Learner) Add(text, lang string) bool {
	if _, ok := l.sa.Language(text, lang); !ok {
		return false
	}
	negative := l.sa.Score(text).Label == sentiment.Negative
	if !negative && l.negativeOnly {
		return false
	}
	if negative {
		l.Negative++
	}
	l.sg.AddPost(text, negative)
	return true
}

// feed gives the posts of a JSONL stream to lr. It returns the posts read
// and the lines it could not read.
func feed(ctx context.Context, lr *Learner, r io.Reader, progress *jsonl.Progress) (read, bad int, err error) {
	bad, err = eachPost(ctx, r, progress, func(text, lang string) {
		read++
		lr.Add(text, lang)
	})
	return read, bad, err
}

// eachPost calls fn with the "text" and "lang" of each line of a JSONL
// stream of posts, in order, and returns the number of lines it could not
// read (not JSON, or no text). Blank lines are skipped. progress, when not
// nil, counts the lines and the posts given to fn.
func eachPost(ctx context.Context, r io.Reader, progress *jsonl.Progress, fn func(text, lang string)) (bad int, err error) {
	lr := jsonl.NewReader(r, MaxPostLine)
	var p fastjson.Parser
	posts := 0
	for n := 1; ; n++ {
		progress.Update(n-1, posts, lr.Consumed(), false)
		line, _, err := lr.Next()
		if errors.Is(err, io.EOF) {
			progress.Update(n-1, posts, lr.Consumed(), true)
			return bad, nil
		}
		if err != nil {
			return bad, fmt.Errorf("read line %d: %w", n, err)
		}
		if n%4096 == 0 && ctx.Err() != nil {
			return bad, ctx.Err()
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
		posts++
		fn(text, string(v.GetStringBytes("lang")))
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
