package sentiment

import (
	"math"

	"github.com/socialpulse/socialpulse/sentiment/internal/learn"
)

// The trainer (internal/train) reads the features of a post through this
// hook, so that it trains on exactly what the analyzer computes.
func init() {
	learn.Extract = func(text string, dst *learn.Features) {
		a := New()
		s := a.pool.Get().(*scratch)
		s.reset()
		if need := 2*len(text) + 16; cap(s.lowerBuf) < need {
			s.lowerBuf = make([]byte, 0, need)
		}
		a.tokenize(s, text)
		a.matchPhrases(s)
		total := a.valence(s)
		denseFeatures(s, normalize(total), &dst.Dense)
		dst.Rows = appendRows(s, dst.Rows[:0])
		if s.small() {
			a.pool.Put(s)
		}
	}
}

// denseFeatures fills the rule features of the learned layer from the
// tokens after valence has run; compound is the rules' score.
func denseFeatures(s *scratch, compound float64, d *[learn.Dense]float32) {
	*d = [learn.Dense]float32{}
	var posSum, negSum float32
	var pos, neg, complaint, sarcasm int
	for i := range s.toks {
		t := &s.toks[i]
		switch {
		case t.val > 0:
			posSum += t.val
			pos++
		case t.val < 0:
			negSum += t.val
			neg++
			if t.flags&fComplaint != 0 {
				complaint++
			}
			if t.flags&fSarcasm != 0 {
				sarcasm++
			}
		}
		if t.flags&fPolite != 0 {
			d[learn.DPolite] = 1
		}
		if t.flags&fWhy != 0 && s.quest > 0 {
			d[learn.DWhy] = 1
		}
		if t.flags&fNegator != 0 {
			d[learn.DNegation] = 1
		}
	}
	for i := range s.clauses {
		if s.clauses[i].resolved {
			d[learn.DResolved] = 1
		}
	}
	d[learn.DCompound] = float32(compound)
	d[learn.DPosSum] = min(posSum/4, 2)
	d[learn.DNegSum] = max(negSum/4, -2)
	d[learn.DPosCount] = log1p(pos)
	d[learn.DNegCount] = log1p(neg)
	d[learn.DComplaint] = log1p(complaint)
	if sarcasm > 0 {
		d[learn.DSarcasm] = 1
	}
	if s.quest > 0 {
		d[learn.DQuestion] = 1
	}
	if s.excl > 0 {
		d[learn.DExclaim] = 1
	}
	if s.capsWords > 0 && s.capsWords < s.words {
		d[learn.DCaps] = 1
	}
	d[learn.DLength] = log1p(len(s.toks)) / 4
	switch LabelOf(compound) {
	case Positive:
		d[learn.DRulePos] = 1
	case Negative:
		d[learn.DRuleNeg] = 1
	}
	if pos+neg == 0 {
		d[learn.DNoTokens] = 1
	}
}

func log1p(n int) float32 {
	if n <= 0 {
		return 0
	}
	return float32(math.Log1p(float64(n)))
}

// ngram reports whether token t takes part in the hashed n-gram features:
// words do, emoji (which have no lowercased form) do not.
func ngram(t *token) bool { return t.hi > t.lo }

// negScope marks negated words for the n-gram features: up to three words
// after a negator in the same clause, before any punctuation, a word is a
// feature of its own ("don't like" does not share the weight of "like").
type negScope struct {
	left   int8
	clause int32
}

// key returns the n-gram key of token t, the next n-gram token of the post.
func (n *negScope) key(t *token) uint32 {
	if t.clause != n.clause {
		n.left, n.clause = 0, t.clause
	}
	h := t.h
	if n.left > 0 {
		h = h*0x9E3779B1 ^ 0x7F4A7C15
		n.left--
	}
	if t.flags&fNegator != 0 {
		n.left = 3
	}
	if t.punctAfter {
		n.left = 0
	}
	return h
}

// appendRows appends the weight rows of the post's unigrams and bigrams.
func appendRows(s *scratch, dst []uint32) []uint32 {
	var ns negScope
	var prev uint32
	for i := range s.toks {
		t := &s.toks[i]
		if !ngram(t) {
			continue
		}
		h := ns.key(t)
		dst = append(dst, learn.Unigram(h))
		if i > 0 && ngram(&s.toks[i-1]) {
			dst = append(dst, learn.Bigram(prev, h))
		}
		prev = h
	}
	return dst
}
