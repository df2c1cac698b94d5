package feature

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Defaults of SuggestOptions.MinSimilarity and SimilarMargin: of the
// settings eval aspects --suggest-grid measures, the one with the best mean
// macro F1 over five name-only evaluation sets; the margin matters most
// (see BENCHMARKS.md, "Similar words").
const (
	DefaultMinSimilarity = 0.35
	DefaultSimilarMargin = 0.25
)

// ownWords returns the stemmed content words of a feature's id, name and
// written terms (not its patterns): the words its similar words are
// measured against.
func ownWords(f Feature) []string {
	texts := slices.Clone(f.Terms)
	if !f.NoNameTerms {
		texts = append(texts, strings.ReplaceAll(f.ID, "_", " "), f.Name)
	}
	var keys []string
	var pw []postWord
	for _, t := range texts {
		pw = postWords(t, pw[:0])
		for _, w := range pw {
			if !strings.Contains(w.key, " ") && !nameStopword(w.surface) {
				keys = append(keys, w.key)
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// featureCentroids returns each feature's centroid (nil when the table has
// none of its words) and how many features use each own word. A word two
// features share counts for neither centroid, unless it is all a feature
// has: "flight" says nothing about "Late flight" against "Cancelled flight".
func featureCentroids(wv *wordVectors, fs []Feature) ([][]float64, map[string]int) {
	own := make([][]string, len(fs))
	users := map[string]int{}
	for i, f := range fs {
		own[i] = ownWords(f)
		for _, k := range own[i] {
			users[k]++
		}
	}
	cents := make([][]float64, len(own))
	for i, keys := range own {
		only := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return users[k] > 1 })
		if len(only) == 0 {
			only = keys
		}
		cents[i] = wv.centroid(only)
	}
	return cents, users
}

// similar proposes, for each feature, the words of the examined posts
// (in at least minPosts of them) whose vector is at least MinSimilarity
// similar to the mean of the feature's own words' vectors and at least
// SimilarMargin more than to any other feature's. A word that is already
// one of a feature's own words, is in have, that the taxonomy tags today or
// that no examined complaint contains is left out; a word two features
// share counts for neither mean (unless it is all a feature has).
func (s *Suggester) similar(have []TermSuggestion) []TermSuggestion {
	if s.opt.NoSimilar || len(s.tg.features) == 0 {
		return nil
	}
	wv, err := loadWordVectors()
	if err != nil {
		return nil
	}
	cents, users := featureCentroids(wv, s.tg.features)
	taken := map[string]bool{}
	for _, t := range have {
		taken[termKey(t.Term)] = true
	}
	minPosts := s.minPosts()
	type cand struct {
		key string
		ts  TermSuggestion
	}
	var cs []cand
	for key, st := range s.words {
		if st.examined < minPosts || strings.Contains(key, " ") || users[key] > 0 || !s.inComplaints(st, -1) {
			continue
		}
		best, next, bi := math.Inf(-1), math.Inf(-1), -1
		for i, c := range cents {
			if c == nil {
				continue
			}
			sim, ok := wv.cosine(key, c)
			if !ok {
				break
			}
			switch {
			case sim > best:
				best, next, bi = sim, best, i
			case sim > next:
				next = sim
			}
		}
		if bi < 0 || best < s.opt.MinSimilarity || best-next < s.opt.SimilarMargin {
			continue
		}
		term := st.spelling()
		if nameStopword(term) || taken[termKey(term)] || s.covered(term) {
			continue
		}
		ex := st.examples[int32(bi)]
		if len(ex) == 0 {
			ex = st.examples[-1]
		}
		for g := range int32(len(cents)) {
			if len(ex) > 0 {
				break
			}
			ex = st.examples[g] // the word is only in other features' posts
		}
		n := st.feat[int32(bi)]
		cs = append(cs, cand{key: key, ts: TermSuggestion{
			Feature: s.tg.features[bi].ID, Term: term, Posts: n, Elsewhere: st.examined - n, New: st.unmatched,
			Similarity: math.Round(best*1000) / 1000, Examples: slices.Clone(ex),
		}})
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if c := cmp.Compare(s.tg.ids[a.ts.Feature], s.tg.ids[b.ts.Feature]); c != 0 {
			return c
		}
		if c := cmp.Compare(b.ts.Similarity, a.ts.Similarity); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	out := make([]TermSuggestion, len(cs))
	for i, c := range cs {
		out[i] = c.ts
	}
	return out
}
