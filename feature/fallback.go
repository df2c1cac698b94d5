package feature

import (
	"cmp"
	"math"
	"slices"

	"github.com/socialpulse/socialpulse/textnorm"
)

// Fallback is a per-feature naive Bayes model learned, without labels,
// from the posts a taxonomy's terms match: for each feature, how the words
// of its posts outside the mention differ from those of every other post of
// the history, the posts no term matches included. It names a feature for a
// post no term matches, only when that feature's log-odds and its lead over
// the runner-up both reach the feature's margin (FeatureMargin). Counting
// the untagged posts on the "not this feature" side gives the model a way
// to say "none": a post that reads like the stream's ordinary chatter is
// left alone rather than given the least unlikely feature.
//
// LearnFallback trains one as "socialpulse taxonomy learn" does; Save and
// LoadFallback write and read its model file; Tagger.WithFallback attaches
// it to the tagger of the taxonomy it was trained for, and TagOrInfer uses
// it. A Fallback is immutable once trained (or loaded) and its margin set,
// and safe for concurrent use.
type Fallback struct {
	// Margin is the least log-odds, and the least lead over the next
	// feature, of a feature Classify names.
	Margin float64
	// floors holds, per feature, a higher margin that feature alone needs
	// (its no_match examples raised it; LearnFallback), 0 where none; nil
	// when no feature has one.
	floors  []float64
	k       int
	ids     []string         // the feature ids of the taxonomy, in order
	version string           // the taxonomy's version, for people
	words   map[string]int32 // stemmed word → row of weights
	weights []float32        // row*k + feature: the word's log-likelihood ratio
	prior   []float32        // per feature: log-odds of a tagged post being the feature's
	trained int              // tagged posts learned from
}

// DefaultFallbackMargin is the Margin TrainFallback sets.
const DefaultFallbackMargin = 2

// fallbackMaxWords caps the vocabulary: the most frequent words are kept.
const fallbackMaxWords = 50000

// TrainFallback learns a Fallback from texts (a stream's posts, no labels)
// and the features tg's terms find in them: a feature's posts against all
// the others, tagged or not.
func TrainFallback(tg *Tagger, texts []string) *Fallback {
	k := len(tg.features)
	fb := &Fallback{Margin: DefaultFallbackMargin, k: k, words: map[string]int32{}, prior: make([]float32, k), version: tg.version}
	for _, f := range tg.features {
		fb.ids = append(fb.ids, f.ID)
	}
	count := map[string][]float64{} // word → per feature count, then the total at [k]
	total := make([]float64, k+1)
	posts := make([]int, k)
	var ms []Match
	var keys []postWord
	untagged := 0
	for _, text := range texts {
		ms = tg.Tag(text, ms[:0])
		if len(ms) == 0 {
			untagged++
		} else {
			fb.trained++
		}
		for _, m := range ms {
			posts[m.Feature]++
		}
		// Words of every post count in the total at [k]; a tagged post's
		// words outside its mentions count for its features too.
		keys = postWords(text, keys[:0])
		for _, w := range keys {
			if containsSpace(w.key) || insideAny(w, ms) {
				continue
			}
			c := count[w.key]
			if c == nil {
				c = make([]float64, k+1)
				count[w.key] = c
			}
			c[k]++
			total[k]++
			for _, m := range ms {
				c[m.Feature]++
				total[m.Feature]++
			}
		}
	}
	if fb.trained == 0 {
		return fb
	}
	// Keep the most frequent words when there are too many.
	minCount := 0.0
	if len(count) > fallbackMaxWords {
		ns := make([]float64, 0, len(count))
		for _, c := range count {
			ns = append(ns, c[k])
		}
		slices.Sort(ns)
		minCount = ns[len(ns)-fallbackMaxWords] + 1 // ties at the cut are dropped
	}
	for w, c := range count {
		if c[k] >= minCount {
			fb.words[w] = int32(len(fb.words))
		}
	}
	v := float64(len(fb.words) + 1)
	fb.weights = make([]float32, len(fb.words)*k)
	for w, row := range fb.words {
		c := count[w]
		for f := 0; f < k; f++ {
			rest := total[k] - total[f]
			fb.weights[int(row)*k+f] = float32(math.Log((c[f]+1)/(total[f]+v)) - math.Log((c[k]-c[f]+1)/(rest+v)))
		}
	}
	for f := range k {
		fb.prior[f] = float32(math.Log(float64(posts[f])+1e-9) - math.Log(float64(fb.trained+untagged-posts[f]+1)))
	}
	return fb
}

func containsSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return true
		}
	}
	return false
}

// insideAny reports whether w lies inside one of the mentions (and so says
// nothing about the post's features beyond the term itself).
func insideAny(w postWord, ms []Match) bool {
	for _, m := range ms {
		if w.start < m.End && m.Start < w.end {
			return true
		}
	}
	return false
}

// Trained returns the number of tagged posts the model learned from.
func (fb *Fallback) Trained() int { return fb.trained }

// Classify returns the feature the model names for text, or -1 when none
// reaches the margin. scores is scratch space of at least as many elements
// as the taxonomy has features; Classify does not allocate.
func (fb *Fallback) Classify(text string, scores []float64) int {
	if !fb.score(text, scores) {
		return -1
	}
	bi, conf := pick(scores[:fb.k])
	if bi >= 0 && conf >= fb.FeatureMargin(bi) {
		return bi
	}
	return -1
}

// FeatureMargin returns the margin feature f needs: Margin, or the higher
// margin its no_match examples gave it.
func (fb *Fallback) FeatureMargin(f int) float64 {
	if f < len(fb.floors) {
		return max(fb.Margin, fb.floors[f])
	}
	return fb.Margin
}

// score fills scores[:k] with each feature's log-odds for text. It reports
// false, leaving scores alone, when the model is untrained or scores short.
func (fb *Fallback) score(text string, scores []float64) bool {
	if fb.trained == 0 || len(scores) < fb.k {
		return false
	}
	scores = scores[:fb.k]
	for f := range scores {
		scores[f] = float64(fb.prior[f])
	}
	sc := textnorm.NewScanner(text, textnorm.Options{})
	var buf [textnorm.MaxTokenBytes]byte
	for {
		_, w, ok := sc.Next(&buf)
		if !ok {
			break
		}
		if len(w) < 3 || suggestStopwordBytes(w) || allDigitsBytes(w) {
			continue
		}
		row, ok := fb.words[string(textnorm.Stem(w))]
		if !ok {
			continue
		}
		ws := fb.weights[int(row)*fb.k : int(row+1)*fb.k]
		for f, x := range ws {
			scores[f] += float64(x)
		}
	}
	return true
}

// pick returns the best-scoring feature and its confidence: the smaller of
// its log-odds and its lead over the next feature.
func pick(scores []float64) (int, float64) {
	best, second, bi := math.Inf(-1), math.Inf(-1), -1
	for f, s := range scores {
		if s > best {
			best, second, bi = s, best, f
		} else if s > second {
			second = s
		}
	}
	return bi, min(best, best-second)
}

// CalibrateMargin sets Margin from the posts tg's terms match, without
// labels: it trains a model on half of texts, hides the mentions of the
// other half's tagged posts, classifies them as if no term had matched, and
// takes the least margin at which the features it names agree with the
// terms' on at least target of the posts named. It returns the margin and
// the number of posts it was calibrated on; with none it leaves Margin.
func (fb *Fallback) CalibrateMargin(tg *Tagger, texts []string, target float64) (float64, int) {
	var train, held []string
	for i, t := range texts {
		if i%2 == 0 {
			train = append(train, t)
		} else {
			held = append(held, t)
		}
	}
	half := TrainFallback(tg, train)
	type guess struct {
		conf float64
		ok   bool
	}
	var gs []guess
	var ms []Match
	scores := make([]float64, fb.k)
	for _, t := range held {
		ms = tg.Tag(t, ms[:0])
		if len(ms) == 0 {
			continue
		}
		b := []byte(t)
		for _, m := range ms {
			for i := m.Start; i < m.End; i++ {
				b[i] = ' '
			}
		}
		if !half.score(string(b), scores) {
			continue
		}
		f, conf := pick(scores)
		if f < 0 {
			continue
		}
		ok := false
		for _, m := range ms {
			ok = ok || m.Feature == f
		}
		gs = append(gs, guess{conf, ok})
	}
	if len(gs) == 0 {
		return fb.Margin, 0
	}
	slices.SortFunc(gs, func(a, b guess) int { return cmp.Compare(b.conf, a.conf) })
	// The least confidence whose posts at or above it are right often enough.
	right, margin := 0, math.Inf(1)
	for i, g := range gs {
		if g.ok {
			right++
		}
		if float64(right) >= target*float64(i+1) && (i+1 == len(gs) || gs[i+1].conf < g.conf) {
			margin = g.conf
		}
	}
	if math.IsInf(margin, 1) {
		margin = gs[0].conf + 1 // never right enough: name nothing
	}
	fb.Margin = max(margin, 0)
	return fb.Margin, len(gs)
}

func suggestStopwordBytes(w []byte) bool {
	_, ok := suggestStopwords[string(w)]
	return ok
}

func allDigitsBytes(w []byte) bool {
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
