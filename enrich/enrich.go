// Package enrich turns a post's text into what the impact matrix counts: its
// language, its overall sentiment, and each product feature it mentions with
// the sentiment of the clause that mentions it.
//
// It composes package sentiment and package feature and nothing else, so the
// processor, the score command and offline evaluation enrich posts exactly
// alike. LoadFiles (Load without a fallback model) is the one constructor
// they all use: it reads the taxonomy and its fallback model (with
// LoadAnalyzer, which reads a sentiment model file, the only I/O here),
// refuses a taxonomy that fails its checks or a model trained for another
// taxonomy, and builds the Enricher. Non-goals: decoding posts, aggregation.
package enrich

import (
	"errors"
	"sync/atomic"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/sentiment"
)

// FeatureSentiment is one feature a post mentions and the sentiment of the
// clause it is mentioned in.
type FeatureSentiment struct {
	ID    string
	Label sentiment.Label
	Score float64
	// Expanded is set when a WordNet expansion of a term found the feature,
	// not a written term (feature.Match.Expanded).
	Expanded bool
	// Inferred is set when no term matched and the fallback model named
	// the feature (feature.Match.Inferred). Such a feature has no mention
	// and is the post's only one, so it takes the post's sentiment.
	Inferred bool
}

// Result is one enriched post.
type Result struct {
	// Lang is the post's language: its declared lang field, else detected.
	Lang string
	// Sentiment is the whole post's sentiment; Label is Unscored when the
	// language is not supported.
	Sentiment sentiment.Result
	// Features are the features mentioned, in order of first mention.
	// Empty means the post belongs to the "other" row.
	Features []FeatureSentiment
}

// Scratch holds per-goroutine buffers so Enrich does not allocate. A
// Result's Features slice aliases the Scratch until the next Enrich.
type Scratch struct {
	clauses []sentiment.Clause
	matches []feature.Match
	feats   []FeatureSentiment
	scores  []float64 // the fallback model's, one per feature
}

// Enricher is safe for concurrent use; the tagger and the analyzer can be
// swapped while it runs (taxonomy or model reload), each call seeing one
// tagger and one analyzer throughout.
type Enricher struct {
	sa     atomic.Pointer[sentiment.Analyzer]
	tagger atomic.Pointer[feature.Tagger]
}

// New returns an Enricher using sa and tg.
func New(sa *sentiment.Analyzer, tg *feature.Tagger) (*Enricher, error) {
	if sa == nil || tg == nil {
		return nil, errors.New("enrich: analyzer and tagger are required")
	}
	e := &Enricher{}
	e.sa.Store(sa)
	e.tagger.Store(tg)
	return e, nil
}

// SetTagger replaces the tagger, e.g. after a taxonomy reload.
func (e *Enricher) SetTagger(tg *feature.Tagger) { e.tagger.Store(tg) }

// Tagger returns the tagger in use.
func (e *Enricher) Tagger() *feature.Tagger { return e.tagger.Load() }

// SetAnalyzer replaces the sentiment analyzer, e.g. after a model reload.
// A nil analyzer is ignored.
func (e *Enricher) SetAnalyzer(sa *sentiment.Analyzer) {
	if sa != nil {
		e.sa.Store(sa)
	}
}

// Analyzer returns the sentiment analyzer in use.
func (e *Enricher) Analyzer() *sentiment.Analyzer { return e.sa.Load() }

// Enrich scores and tags text. declaredLang is the post's lang field ("" if
// none).
func (e *Enricher) Enrich(text, declaredLang string, s *Scratch) Result {
	tg := e.tagger.Load()
	sa := e.sa.Load()
	lang, supported := sa.Language(text, declaredLang)
	if n := len(tg.Features()); tg.Fallback() != nil && len(s.scores) < n {
		s.scores = make([]float64, n)
	}
	s.matches = tg.TagOrInfer(text, s.matches[:0], s.scores)
	s.feats = s.feats[:0]

	var res Result
	res.Lang = lang
	if !supported {
		res.Sentiment = sentiment.Result{Label: sentiment.Unscored}
		for _, m := range s.matches {
			s.feats = append(s.feats, FeatureSentiment{ID: tg.Features()[m.Feature].ID, Label: sentiment.Unscored, Expanded: m.Expanded, Inferred: m.Inferred})
		}
		res.Features = s.feats
		return res
	}
	if len(s.matches) == 0 {
		res.Sentiment = sa.Score(text)
		return res
	}
	if m := s.matches[0]; m.Inferred {
		// No mention, no clause of its own: the post's sentiment is the
		// feature's, as for a sole feature whose clause is neutral.
		res.Sentiment = sa.Score(text)
		s.feats = append(s.feats, FeatureSentiment{ID: tg.Features()[m.Feature].ID, Label: res.Sentiment.Label, Score: res.Sentiment.Score, Inferred: true})
		res.Features = s.feats
		return res
	}
	res.Sentiment, s.clauses = sa.Analyze(text, s.clauses[:0])
	feats := tg.Features()
	for _, m := range s.matches {
		fs := FeatureSentiment{ID: feats[m.Feature].ID, Label: res.Sentiment.Label, Score: res.Sentiment.Score, Expanded: m.Expanded}
		// A feature takes its own clause's sentiment; when that clause is
		// neutral and the post mentions nothing else, the post's sentiment is
		// about this feature ("Tried to pay. Failed three times!").
		if c, ok := clauseAt(s.clauses, m.Start); ok && (c.Result.Label != sentiment.Neutral || len(s.matches) > 1) {
			fs.Label, fs.Score = c.Result.Label, c.Result.Score
		}
		s.feats = append(s.feats, fs)
	}
	res.Features = s.feats
	return res
}

// clauseAt finds the clause containing byte offset pos. Clauses are in text
// order and do not overlap.
func clauseAt(cs []sentiment.Clause, pos int) (sentiment.Clause, bool) {
	lo, hi := 0, len(cs)
	for lo < hi {
		mid := (lo + hi) / 2
		switch c := cs[mid]; {
		case pos < c.Start:
			hi = mid
		case pos >= c.End:
			lo = mid + 1
		default:
			return c, true
		}
	}
	return sentiment.Clause{}, false
}
