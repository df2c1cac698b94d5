package feature

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/socialpulse/socialpulse/textnorm"
)

// SuggestOptions tune a Suggester. Zero fields take the defaults.
type SuggestOptions struct {
	// MinPosts is the fewest posts of a feature a word must occur in to be
	// suggested for it. Default: 3, or one post in 500 of the posts
	// examined, whichever is more.
	MinPosts int
	// MinShare is the least share of the examined posts containing a word
	// that must be posts of the feature: the word must be rare in the
	// posts of other features and in unmatched posts. Default: 0.3.
	MinShare float64
	// MaxTerms caps the terms suggested per feature and round. Default: 8.
	MaxTerms int
	// MaxCandidates caps the new features proposed. Default: 8.
	MaxCandidates int
	// Examples is the number of example posts kept per suggestion. Default: 3.
	Examples int
	// MaxUnmatched bounds the unmatched posts kept for proposing new
	// features. Default: 50,000.
	MaxUnmatched int
	// Method is the statistic that picks a feature's terms: SuggestLogOdds
	// or SuggestShare. Default: SuggestLogOdds (measured against SuggestShare
	// with each one's defaults fixed beforehand, it scored at least as well
	// in the mean of the three name-only evaluation sets in every mode of
	// eval aspects --suggest-grid; see BENCHMARKS.md).
	Method SuggestMethod
	// MinZ is, for SuggestLogOdds, the least z-score of a term's smoothed
	// log-odds in the feature's posts against all other examined posts.
	// Default: 1.5.
	MinZ float64
	// Rounds is how many times suggestion runs: each round after the first
	// tags the kept posts again with the terms suggested so far and
	// suggests more. Default: 2 for SuggestLogOdds, 1 for SuggestShare.
	// (The log-odds defaults are the setting eval aspects --suggest-grid
	// picks when each of its three sets is left out in turn.)
	Rounds int
	// MaxKept bounds the posts kept for rounds after the first; with more
	// examined posts than this, only one round runs. Default: 200,000.
	MaxKept int
	// NoSimilar turns off the proposals of similar words: words of the
	// examined posts that are close, in static word vectors, to a
	// feature's own words (its terms, id and name) and clearly closer to
	// them than to any other feature's, whether or not they come with
	// those words in a post. Default: on.
	NoSimilar bool
	// MinSimilarity is the least cosine similarity between a similar
	// word's vector and the mean of the feature's own words' vectors.
	// Default: DefaultMinSimilarity.
	MinSimilarity float64
	// SimilarMargin is how much less similar the next feature must be.
	// Default: DefaultSimilarMargin.
	SimilarMargin float64
	// CandidateTerms, when set, returns the terms of a post that candidate
	// features are built from (such as the emerging-issue miner's words and
	// noun phrases, which leave out words every complaint uses). Default:
	// the post's content words.
	CandidateTerms func(text string) []string
}

func (o *SuggestOptions) defaults() {
	if o.MinPosts <= 0 {
		o.MinPosts = 3
	}
	if o.MinShare <= 0 {
		o.MinShare = 0.3
	}
	if o.MaxTerms <= 0 {
		o.MaxTerms = 8
	}
	if o.MaxCandidates <= 0 {
		o.MaxCandidates = 8
	}
	if o.Examples <= 0 {
		o.Examples = 3
	}
	if o.MaxUnmatched <= 0 {
		o.MaxUnmatched = 50000
	}
	if o.Method == "" {
		o.Method = SuggestLogOdds
	}
	if o.MinZ <= 0 {
		o.MinZ = 1.5
	}
	if o.Rounds <= 0 {
		o.Rounds = 1
		if o.Method == SuggestLogOdds {
			o.Rounds = 2
		}
	}
	if o.MaxKept <= 0 {
		o.MaxKept = 200000
	}
	if o.MinSimilarity <= 0 {
		o.MinSimilarity = DefaultMinSimilarity
	}
	if o.SimilarMargin <= 0 {
		o.SimilarMargin = DefaultSimilarMargin
	}
}

// SuggestMethod names the statistic a Suggester ranks a feature's terms by.
type SuggestMethod string

const (
	// SuggestShare proposes a word in enough of the feature's posts that
	// has at least MinShare of its examined posts there and beats chance by
	// 3 standard deviations.
	SuggestShare SuggestMethod = "share"
	// SuggestLogOdds proposes a word whose smoothed log-odds of being in the
	// feature's posts, against all other examined posts (other features'
	// and unmatched ones), is at least MinZ standard errors above zero, and
	// that at least half of the matched posts containing it are the
	// feature's (a word spread evenly over several features is not one
	// feature's). Unmatched posts count against a word only as background,
	// so a word common in the complaints the terms miss is not refused for
	// being there.
	SuggestLogOdds SuggestMethod = "logodds"
)

// minSurprise is how many standard deviations above the count chance
// would give a word's count in a feature's posts must be.
const minSurprise = 3

// TermSuggestion is a word or two-word phrase proposed as a new term of a
// feature.
type TermSuggestion struct {
	Feature string `json:"feature"`
	Term    string `json:"term"`
	// Posts is the number of examined posts of the feature (posts its
	// current terms match) that contain the term outside the mention.
	Posts int `json:"posts"`
	// Elsewhere is the number of examined posts containing the term that
	// its current terms do not match: other features' and unmatched posts.
	Elsewhere int `json:"elsewhere"`
	// New is the number of examined posts that match no feature today and
	// that the term would tag.
	New int `json:"new"`
	// Similarity, when not zero, says the term was proposed for being
	// similar to the feature's own words (SuggestOptions.MinSimilarity)
	// rather than for coming with them in posts: the cosine similarity.
	Similarity float64  `json:"similarity,omitempty"`
	Examples   []string `json:"examples"`
}

// CandidateFeature is a group of words that many unmatched posts share:
// a complaint the taxonomy has no feature for.
type CandidateFeature struct {
	ID       string   `json:"id"`
	Terms    []string `json:"terms"`
	Posts    int      `json:"posts"`
	Examples []string `json:"examples"`
}

// Suggester learns, from a stream of posts and without labels, which words
// customers use with each feature's terms. It tags each examined post with
// the current taxonomy, counts the words of a feature's posts outside the
// matched mention, and proposes the words that occur in enough of the
// feature's posts (one of them a complaint) and rarely in any other
// examined post. Words shared by many unmatched complaints and no feature become
// candidate features. A Suggester is not safe for concurrent use.
type Suggester struct {
	tg    *Tagger
	opt   SuggestOptions
	words map[string]*wordStats

	examined  int
	perFeat   []int
	unmatched [][]string // candidate terms of each kept unmatched post
	unmText   []string
	cand      map[string]*candStats
	// unmatchedPosts counts the examined posts no feature matched.
	unmatchedPosts int
	// complaints and unmatchedComplaints count the examined complaints
	// (AddPost) and those no feature matched: candidate features come
	// from these.
	complaints, unmatchedComplaints int

	ms   []Match
	keys []postWord
	seen map[string]bool
	kept []string // examined posts, for later rounds, up to MaxKept
	// keptPraise marks the kept posts that were not complaints.
	keptPraise []bool
	// praise counts the examined posts that were not complaints.
	praise int
}

type wordStats struct {
	delta     int            // most posts it may have had before it was last counted from zero (pruneWidth)
	surface   map[string]int // lowercase spellings seen
	examined  int            // examined posts containing the word
	unmatched int            // ... that match no feature
	feat      map[int32]int  // ... of each feature, outside its mention
	inMention map[int32]int  // ... of each feature, inside its mention
	examples  map[int32][]string
	// praise counts the examined posts that are not complaints containing
	// the word, and featPraise those of each feature, outside its mention
	// (nil until such a post of a feature holds it): the rest are
	// complaints.
	praise     int
	featPraise map[int32]int
}

// candStats count the examined posts containing a candidate term.
type candStats struct {
	examined, unmatched int
	delta               int // as wordStats.delta
}

// pruneWidth bounds a Suggester's memory by lossy counting (Manku and
// Motwani 2002): after every pruneWidth examined posts, the words and
// candidate terms seen in fewer than one examined post in pruneWidth are
// forgotten, so what is kept grows with the number of words at least that
// common, not with the length of the history. A word forgotten and seen
// again is counted from zero, so a kept word's counts may be short by at
// most one post in pruneWidth: a tenth of the least count a term needs
// (MinPosts is at least one post in 500). A history of fewer examined
// posts is counted exactly.
const pruneWidth = 5000

type postWord struct {
	key, surface string
	start, end   int
}

// NewSuggester returns a Suggester for the tagger's taxonomy.
func NewSuggester(tg *Tagger, opt SuggestOptions) *Suggester {
	opt.defaults()
	return &Suggester{tg: tg, opt: opt, words: map[string]*wordStats{}, cand: map[string]*candStats{}, perFeat: make([]int, len(tg.features)), seen: map[string]bool{}}
}

// Add examines one complaint: AddPost(text, true).
func (s *Suggester) Add(text string) { s.AddPost(text, true) }

// AddPost examines one post. Every post teaches the words customers use with
// each feature's terms; only complaints (negative posts) can make candidate
// features, so that new features are clusters of complaints and not of
// praise or chatter.
func (s *Suggester) AddPost(text string, complaint bool) {
	s.examined++
	if !complaint {
		s.praise++
	}
	if s.opt.Rounds > 1 && len(s.kept) < s.opt.MaxKept {
		s.kept = append(s.kept, text)
		s.keptPraise = append(s.keptPraise, !complaint)
	}
	s.ms = s.tg.Tag(text, s.ms[:0])
	for _, m := range s.ms {
		s.perFeat[m.Feature]++
	}
	if len(s.ms) == 0 {
		s.unmatchedPosts++
	}
	s.keys = postWords(text, s.keys[:0])
	clear(s.seen)
	if complaint {
		s.addCandidateTerms(text)
	}
	for _, w := range s.keys {
		if s.seen[w.key] {
			continue
		}
		s.seen[w.key] = true
		st := s.words[w.key]
		if st == nil {
			st = &wordStats{delta: (s.examined - 1) / pruneWidth, surface: map[string]int{}, feat: map[int32]int{}, inMention: map[int32]int{}, examples: map[int32][]string{}}
			s.words[w.key] = st
		}
		if len(st.surface) < 8 || st.surface[w.surface] > 0 {
			st.surface[w.surface]++
		}
		st.examined++
		if !complaint {
			st.praise++
		}
		if len(s.ms) == 0 {
			st.unmatched++
			if len(st.examples[-1]) < s.opt.Examples {
				st.examples[-1] = append(st.examples[-1], text)
			}
			continue
		}
		// A word inside a mention is part of that feature's phrase; it
		// says nothing about any feature of the post.
		inside := false
		for _, m := range s.ms {
			if w.start < m.End && m.Start < w.end {
				st.inMention[int32(m.Feature)]++
				inside = true
			}
		}
		if inside {
			continue
		}
		for _, m := range s.ms {
			f := int32(m.Feature)
			st.feat[f]++
			if !complaint {
				if st.featPraise == nil {
					st.featPraise = map[int32]int{}
				}
				st.featPraise[f]++
			}
			if len(st.examples[f]) < s.opt.Examples {
				st.examples[f] = append(st.examples[f], text)
			}
		}
	}
	if s.examined%pruneWidth == 0 {
		s.prune(s.examined / pruneWidth)
	}
}

// prune forgets the words and candidate terms whose count, with what they
// may have missed, is at most bucket: those seen in fewer than one post in
// pruneWidth.
func (s *Suggester) prune(bucket int) {
	for k, st := range s.words {
		if st.examined+st.delta <= bucket {
			delete(s.words, k)
		}
	}
	for k, cs := range s.cand {
		if cs.examined+cs.delta <= bucket {
			delete(s.cand, k)
		}
	}
}

// addCandidateTerms counts the candidate terms of an examined post and
// keeps those of an unmatched one.
func (s *Suggester) addCandidateTerms(text string) {
	var terms []string
	if s.opt.CandidateTerms != nil {
		terms = s.opt.CandidateTerms(text)
	} else {
		for _, w := range postWords(text, nil) {
			if !strings.Contains(w.surface, " ") {
				terms = append(terms, w.surface)
			}
		}
	}
	slices.Sort(terms)
	terms = slices.Compact(terms)
	unmatched := len(s.ms) == 0
	s.complaints++
	if unmatched {
		s.unmatchedComplaints++
	}
	for _, t := range terms {
		cs := s.cand[t]
		if cs == nil {
			cs = &candStats{delta: (s.examined - 1) / pruneWidth}
			s.cand[t] = cs
		}
		cs.examined++
		if unmatched {
			cs.unmatched++
		}
	}
	if unmatched && len(s.unmatched) < s.opt.MaxUnmatched {
		s.unmatched = append(s.unmatched, terms)
		s.unmText = append(s.unmText, text)
	}
}

// Examined returns the number of posts added.
func (s *Suggester) Examined() int { return s.examined }

// FeatureCoverage is how many examined posts a feature's terms match
// today.
type FeatureCoverage struct {
	Feature string `json:"feature"`
	Posts   int    `json:"posts"`
}

// Coverage returns, in taxonomy order, how many examined posts each
// feature's terms match, and how many posts no feature matches. A feature
// with none teaches the Suggester nothing.
func (s *Suggester) Coverage() (features []FeatureCoverage, unmatched int) {
	for i, n := range s.perFeat {
		features = append(features, FeatureCoverage{Feature: s.tg.features[i].ID, Posts: n})
	}
	return features, s.unmatchedPosts
}

func (s *Suggester) minPosts() int {
	return max(s.opt.MinPosts, int(math.Ceil(float64(s.examined)/500)))
}

// inComplaints reports whether a word is in at least one complaint of
// feature f (f < 0: in any complaint). Every term must be: a word only
// ever seen in praise ("lovely", "brilliant") says how customers praise,
// not what they complain about.
func (s *Suggester) inComplaints(st *wordStats, f int32) bool {
	if s.praise == 0 {
		return true // every examined post was a complaint
	}
	if f < 0 {
		return st.examined > st.praise
	}
	return st.feat[f] > st.featPraise[f]
}

// spelling returns the most used lowercase spelling of a word.
func (st *wordStats) spelling() string {
	best, n := "", -1
	for w, c := range st.surface {
		if c > n || c == n && w < best {
			best, n = w, c
		}
	}
	return best
}

// covered reports whether the current taxonomy already tags the term
// itself, with any feature.
func (s *Suggester) covered(term string) bool {
	s.ms = s.tg.Tag(term, s.ms[:0])
	return len(s.ms) > 0
}

// Terms returns the suggested terms, per feature in taxonomy order and best
// first within a feature (and round). A later round's counts are taken with
// the earlier rounds' terms added to the taxonomy.
func (s *Suggester) Terms() []TermSuggestion {
	out := s.terms()
	for r := 1; r < s.opt.Rounds && len(out) > 0 && len(s.kept) == s.examined; r++ {
		tg, err := NewTaggerWith(s.taxonomyWith(out), s.tg.opt)
		if err != nil {
			break
		}
		opt := s.opt
		opt.Rounds = 1
		next := NewSuggester(tg, opt)
		for i, text := range s.kept {
			next.AddPost(text, !s.keptPraise[i])
		}
		more := next.terms()
		if len(more) == 0 {
			break
		}
		out = append(out, more...)
	}
	out = append(out, s.similar(out)...)
	slices.SortStableFunc(out, func(a, b TermSuggestion) int {
		return cmp.Compare(s.tg.ids[a.Feature], s.tg.ids[b.Feature])
	})
	return out
}

// taxonomyWith returns the tagger's taxonomy with the suggested terms added.
func (s *Suggester) taxonomyWith(ts []TermSuggestion) *Taxonomy {
	t := &Taxonomy{Version: s.tg.version, Expand: s.tg.expand, ExpandSenses: s.tg.expandSenses, PhraseGap: s.tg.phraseGap, Features: make([]Feature, len(s.tg.features))}
	for i, f := range s.tg.features {
		f.Terms = slices.Clone(f.Terms)
		f.Examples = Examples{} // not run here
		t.Features[i] = f
	}
	for _, x := range ts {
		if i, ok := s.tg.ids[x.Feature]; ok {
			t.Features[i].Terms = append(t.Features[i].Terms, x.Term)
		}
	}
	return t
}

// terms is one round of Terms.
func (s *Suggester) terms() []TermSuggestion {
	minPosts := s.minPosts()
	type cand struct {
		key string
		ts  TermSuggestion
		sc  float64
	}
	per := make([][]cand, len(s.tg.features))
	for key, st := range s.words {
		for f, n := range st.feat {
			if n < minPosts || !s.inComplaints(st, f) {
				continue
			}
			if s.opt.Method == SuggestLogOdds {
				sc, ok := s.logOdds(st, f, n)
				if !ok {
					continue
				}
				per[f] = append(per[f], cand{key: key, sc: sc, ts: TermSuggestion{
					Feature: s.tg.features[f].ID, Term: st.spelling(), Posts: n, Elsewhere: st.examined - n, New: st.unmatched,
					Examples: slices.Clone(st.examples[f]),
				}})
				continue
			}
			// The word must be the feature's: its posts of other features and
			// unmatched posts are few, and no other feature has as many.
			elsewhere := st.examined - n
			share := float64(n) / float64(st.examined+2)
			if share < s.opt.MinShare {
				continue
			}
			// ... and clearly more of them than chance would give.
			expect := float64(st.examined) * float64(s.perFeat[f]) / float64(s.examined)
			z := (float64(n) - expect) / math.Sqrt(expect+1)
			if z < minSurprise {
				continue
			}
			dominant := true
			for g, m := range st.feat {
				if g != f && m*2 > n {
					dominant = false
				}
			}
			if !dominant || st.inMention[f] > n {
				continue // part of the feature's own phrases, or shared
			}
			term := st.spelling()
			per[f] = append(per[f], cand{key: key, sc: float64(n) * share, ts: TermSuggestion{
				Feature: s.tg.features[f].ID, Term: term, Posts: n, Elsewhere: elsewhere, New: st.unmatched,
				Examples: slices.Clone(st.examples[f]),
			}})
		}
	}
	var out []TermSuggestion
	for f := range per {
		cs := per[f]
		slices.SortFunc(cs, func(a, b cand) int {
			if c := cmp.Compare(b.sc, a.sc); c != 0 {
				return c
			}
			return strings.Compare(a.key, b.key)
		})
		var picked []string
		for _, c := range cs {
			if len(picked) == s.opt.MaxTerms {
				break
			}
			// A phrase adds nothing over a word of it already picked.
			if slices.ContainsFunc(picked, func(p string) bool { return overlapsWord(p, c.key) }) || s.covered(c.ts.Term) {
				continue
			}
			picked = append(picked, c.key)
			out = append(out, c.ts)
		}
	}
	return out
}

// logOddsPrior is the pseudo-count added to each cell of a term's 2x2
// table (feature's posts or not, containing the term or not).
const logOddsPrior = 0.5

// logOdds scores word st for feature f, in whose posts it is n times
// outside the mention: the z-score of its smoothed log-odds ratio, feature
// posts against all other examined posts. ok is false when the z-score is
// below MinZ, when other features' posts hold the word as often as f's (a
// word spread over features), or when the word is mostly inside f's own
// mentions.
func (s *Suggester) logOdds(st *wordStats, f int32, n int) (float64, bool) {
	others := 0
	for g, m := range st.feat {
		if g != f {
			others += m
		}
	}
	if 2*others >= n || st.inMention[f] > n {
		return 0, false
	}
	a := float64(n)
	A := float64(s.perFeat[f])
	b := float64(max(st.examined-n-st.inMention[f], 0))
	B := float64(s.examined) - A
	if A-a < 0 || B-b < 0 {
		return 0, false
	}
	const k = logOddsPrior
	lo := math.Log((a+k)/(A-a+k)) - math.Log((b+k)/(B-b+k))
	z := lo / math.Sqrt(1/(a+k)+1/(A-a+k)+1/(b+k)+1/(B-b+k))
	if z < s.opt.MinZ {
		return 0, false
	}
	return z, true
}

// overlapsWord reports whether two keys (words or "a b" phrases) share a word.
func overlapsWord(a, b string) bool {
	for _, x := range strings.Fields(a) {
		for _, y := range strings.Fields(b) {
			if x == y {
				return true
			}
		}
	}
	return false
}

// Candidates proposes new features from the unmatched complaints (posts
// given to Add, or to AddPost as complaints): a word many of them share and
// few matched complaints use, with the words that most often come with it.
// Each post is counted in one candidate at most.
func (s *Suggester) Candidates() []CandidateFeature {
	minPosts := 2 * max(s.opt.MinPosts, int(math.Ceil(float64(s.complaints)/500)))
	type seed struct {
		key string
		n   int
	}
	var seeds []seed
	// A seed is in unmatched complaints more often than chance would put
	// it there, given how many complaints are unmatched at all.
	base := float64(s.unmatchedComplaints) / float64(max(s.complaints, 1))
	for term, cs := range s.cand {
		expect := float64(cs.examined) * base
		z := (float64(cs.unmatched) - expect) / math.Sqrt(expect*(1-base)+1)
		if cs.unmatched >= minPosts && z >= 1 && !strings.ContainsAny(term, "0123456789") {
			seeds = append(seeds, seed{term, cs.unmatched})
		}
	}
	slices.SortFunc(seeds, func(a, b seed) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.key, b.key)
	})
	used := make([]bool, len(s.unmatched))
	var out []CandidateFeature
	for _, sd := range seeds {
		if len(out) == s.opt.MaxCandidates {
			break
		}
		var posts []int
		for i, ws := range s.unmatched {
			if !used[i] && slices.Contains(ws, sd.key) {
				posts = append(posts, i)
			}
		}
		if len(posts) < minPosts {
			continue
		}
		term := sd.key
		if s.covered(term) {
			continue
		}
		co := map[string]int{}
		for _, i := range posts {
			used[i] = true
			for _, w := range s.unmatched[i] {
				if w != sd.key && !overlapsWord(w, sd.key) {
					co[w]++
				}
			}
		}
		terms := []string{term}
		type kv struct {
			k string
			n int
		}
		var cs []kv
		for k, n := range co {
			// A companion word is in half the cluster's posts and mostly there.
			// (Such a word is in at least one examined post in 500, so
			// prune has kept it; the nil check guards that reasoning.)
			if c := s.cand[k]; c != nil && 2*n >= len(posts) && float64(n) >= 0.6*float64(c.examined) {
				cs = append(cs, kv{k, n})
			}
		}
		slices.SortFunc(cs, func(a, b kv) int {
			if a.n != b.n {
				return b.n - a.n
			}
			return strings.Compare(a.k, b.k)
		})
		for _, c := range cs[:min(len(cs), 4)] {
			terms = append(terms, c.k)
		}
		ex := make([]string, 0, s.opt.Examples)
		for _, i := range posts[:min(len(posts), s.opt.Examples)] {
			ex = append(ex, s.unmText[i])
		}
		out = append(out, CandidateFeature{ID: slugID(term), Terms: terms, Posts: len(posts), Examples: ex})
	}
	return out
}

// slugID turns a term into a feature id.
func slugID(term string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(term) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	id := strings.Trim(b.String(), "_")
	if id == "" || id == OtherID {
		id = "new_" + id
	}
	return id[:min(len(id), 64)]
}

// postWords appends the words and adjacent two-word phrases of text worth
// suggesting: no function words, numbers or one- and two-letter words.
// Keys are the stemmed forms the tagger matches; surfaces are lowercase.
func postWords(text string, dst []postWord) []postWord {
	sc := textnorm.NewScanner(text, textnorm.Options{})
	var buf [textnorm.MaxTokenBytes]byte
	var prev postWord
	prevOK := false
	for {
		t, w, ok := sc.Next(&buf)
		if !ok {
			break
		}
		surface := string(w)
		key := string(textnorm.Stem(w))
		cur := postWord{key: key, surface: surface, start: t.Start, end: t.End}
		content := len(surface) >= 3 && !suggestStopword(surface) && !allDigits(surface)
		if prevOK && !t.Break && content && !determiner(prev.surface) {
			dst = append(dst, postWord{key: prev.key + " " + key, surface: prev.surface + " " + surface, start: prev.start, end: t.End})
		}
		if content {
			dst = append(dst, cur)
		}
		// A phrase may start with a function word ("on hold") but not
		// with a number, and never spans a break.
		prev, prevOK = cur, !allDigits(surface) && len(surface) >= 2
	}
	return dst
}

// determiner reports words that add nothing in front of a noun: "the
// pizza" is "pizza".
func determiner(w string) bool {
	switch w {
	case "the", "a", "an", "my", "your", "our", "their", "his", "her", "its", "this", "that", "these", "those", "some", "any":
		return true
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// suggestStopword reports words that never make a term on their own:
// function words and words any complaint or review uses.
func suggestStopword(w string) bool {
	_, ok := suggestStopwords[w]
	return ok
}

var suggestStopwords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(`
a about above after again against all almost also am an and any are arent as at be because been before being below
between both but by can cant cannot could couldnt did didnt do does doesnt doing dont down during each else even ever
every few for from further get gets getting got gotten had hadnt has hasnt have havent having he her here hers him his
how however i id ill im ive if in into is isnt it its itself just lets like me more most much must my myself no nor
not now of off on once one only or other our ours out over own same she should shouldnt so some such than that thats
the their theirs them then there theres these they theyre this those though through thru to too under until up upon
us very was wasnt we were werent what whats when where which while who whom why will with wont would wouldnt you
youd youll youre your yours yet via per etc gonna wanna gotta lol omg wtf smh tbh idk imo pls plz thx thanks thank
rt amp yes yeah yep nope okay hey hello guys really actually literally totally absolutely seriously still
already anymore never always today tonight yesterday tomorrow now soon since ago just also
good great bad terrible horrible awful worst worse best better nice love hate poor ridiculous annoying unacceptable
disappointed disappointing amazing excellent fine okay thing things way lot lots stuff something anything nothing
everything someone anyone everyone people know think see say said tell told want need make made take took come came
go going gone went back well even`) {
		m[w] = struct{}{}
	}
	return m
}()
