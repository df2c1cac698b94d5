package sentiment

import "math"

// Dense features: the lexicon scorer's outputs for a post or clause, each
// scaled to about [-1, 1]. The order is part of the model file format.
const (
	dCompound  = iota // the lexicon's compound score
	dPosSum           // sum of positive token valences after the rules, /4
	dNegSum           // sum of negative token valences after the rules, /4
	dPosCount         // log1p(positive tokens)
	dNegCount         // log1p(negative tokens)
	dComplaint        // log1p(complaint-language tokens with negative valence)
	dSarcasm          // a sarcasm cue with negative valence
	dPolite           // a politeness or request word
	dQuestion         // a question mark
	dExclaim          // an exclamation mark
	dWhy              // a "why" question
	dResolved         // a resolution word ("fixed")
	dNegation         // a negator
	dCaps             // an ALL CAPS word among lowercase ones
	dLength           // log1p(tokens)/4
	dLexPos           // the lexicon's label is positive
	dLexNeg           // the lexicon's label is negative
	dNoTokens         // no rated tokens
	nDense            // number of dense features
)

// Seeds that keep the hashed feature kinds apart.
const (
	seedWord    = 0x1b873593
	seedNegated = 0x7f4a7c15
	seedBigram  = 0x27d4eb2f
	seedChar    = 0x165667b1
	seedEmoji   = 0x4cf5ad43
	seedElong   = 0x2545f491
	seedHashtag = 0x9e3779b9
	seedPrefix  = 0x61c88647
	seedSuffix  = 0x3c6ef372
)

// maxNormWord caps the bytes of a word that take part in its features.
const maxNormWord = 32

// featureSpec says which hashed features a model uses: word unigrams and
// bigrams always, character n-grams of lengths charMin..charMax (inside
// "<word>", 0 for none), and the optional features in flags.
type featureSpec struct {
	charMin, charMax int
	flags            uint8 // feature* bits
}

// Optional hashed features, recorded in the model file.
const (
	// FeatureNegToPunct extends a negation's scope from three words to
	// the next punctuation or the clause's end.
	FeatureNegToPunct uint8 = 1 << iota
	// FeatureNegBoth also emits the plain unigram of a negated word.
	FeatureNegBoth
	// FeatureElong emits a marker for each elongated word ("sooo").
	FeatureElong
	// FeatureHashtag emits the words of a hashtag a second time, marked.
	FeatureHashtag
	// FeatureAffix emits the first four and last three letters of a word
	// of six or more letters that the lexicon does not rate.
	FeatureAffix
	featureAll = FeatureNegToPunct | FeatureNegBoth | FeatureElong | FeatureHashtag | FeatureAffix
)

// dense fills d from tokens [t0, t1) after valence has run; compound is the
// lexicon's score of that span, quest and excl its '?' and '!' counts.
func dense(s *scratch, t0, t1 int32, compound float64, quest, excl int, resolved bool, d *[nDense]float32) {
	*d = [nDense]float32{}
	var posSum, negSum float32
	var pos, neg, complaint, sarcasm int
	for i := t0; i < t1; i++ {
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
			d[dPolite] = 1
		}
		if t.flags&fWhy != 0 && quest > 0 {
			d[dWhy] = 1
		}
		if t.flags&fNegator != 0 {
			d[dNegation] = 1
		}
	}
	if resolved {
		d[dResolved] = 1
	}
	d[dCompound] = float32(compound)
	d[dPosSum] = min(posSum/4, 2)
	d[dNegSum] = max(negSum/4, -2)
	d[dPosCount] = log1p(pos)
	d[dNegCount] = log1p(neg)
	d[dComplaint] = log1p(complaint)
	if sarcasm > 0 {
		d[dSarcasm] = 1
	}
	if quest > 0 {
		d[dQuestion] = 1
	}
	if excl > 0 {
		d[dExclaim] = 1
	}
	if s.capsWords > 0 && s.capsWords < s.words {
		d[dCaps] = 1
	}
	d[dLength] = log1p(int(t1-t0)) / 4
	switch LabelOf(compound) {
	case Positive:
		d[dLexPos] = 1
	case Negative:
		d[dLexNeg] = 1
	}
	if pos+neg == 0 {
		d[dNoTokens] = 1
	}
}

// postDense fills d for the whole post.
func postDense(s *scratch, compound float64, d *[nDense]float32) {
	resolved := false
	for i := range s.clauses {
		resolved = resolved || s.clauses[i].resolved
	}
	dense(s, 0, int32(len(s.toks)), compound, s.quest, s.excl, resolved, d)
}

// clauseDense fills d for clause c.
func clauseDense(s *scratch, c *clauseSpan, d *[nDense]float32) {
	dense(s, c.t0, c.t1, normalize(c.score), int(c.quest), int(c.excl), c.resolved, d)
}

// log1pTab holds log1p(n) for small n, so that the hot path skips math.Log1p.
var log1pTab = func() (t [64]float32) {
	for n := range t {
		t[n] = float32(math.Log1p(float64(n)))
	}
	return t
}()

func log1p(n int) float32 {
	switch {
	case n <= 0:
		return 0
	case n < len(log1pTab):
		return log1pTab[n]
	}
	return float32(math.Log1p(float64(n)))
}

// fnv hashes b with FNV-1a from seed h.
func fnv(h uint32, b []byte) uint32 {
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

// normWord writes the feature form of a lowercased word to buf: runs of a
// letter longer than two are cut to two ("sooo" is "soo"), digits read as
// '0', and at most maxNormWord bytes are kept. elongated reports a cut run
// of a letter.
func normWord(buf *[maxNormWord]byte, low []byte) (w []byte, elongated bool) {
	n := 0
	for i, c := range low {
		if n == maxNormWord {
			break
		}
		if c >= '0' && c <= '9' {
			c = '0'
		}
		if i >= 2 && low[i-1] == low[i] && low[i-2] == low[i] {
			elongated = elongated || c > '9'
			continue
		}
		buf[n] = c
		n++
	}
	return buf[:n], elongated
}

// appendFeatures appends the hashed features of the post's tokens to
// s.rows and records each clause's share of them (clauseSpan.r0, r1):
// every word's unigram (marked when it is in a negation's scope: up to
// three words after a negator in its clause, before punctuation), the
// bigram with the word before it in the same clause, the word's character
// n-grams, and each emoji or emoticon; and, as spec.flags ask, the plain
// unigram of a negated word too, a marker for an elongated word and a
// hashtag word's marked unigram.
func appendFeatures(s *scratch, text string, spec featureSpec) {
	s.rows = s.rows[:0]
	var buf [maxNormWord]byte
	var pad [maxNormWord + 2]byte
	for ci := range s.clauses {
		c := &s.clauses[ci]
		c.r0 = int32(len(s.rows))
		var prev uint32
		havePrev := false
		negLeft := 0
		for i := c.t0; i < c.t1; i++ {
			t := &s.toks[i]
			if t.hi == t.lo { // an emoji: its bytes in the text
				s.rows = append(s.rows, fnv(seedEmoji, []byte(text[t.start:t.end])))
				havePrev = false
				continue
			}
			w, elongated := normWord(&buf, s.lowerBuf[t.lo:t.hi])
			h := fnv(seedWord, w)
			u := h
			if negLeft > 0 {
				u = fnv(seedNegated, w)
				negLeft--
				if spec.flags&FeatureNegBoth != 0 {
					s.rows = append(s.rows, h)
				}
			}
			s.rows = append(s.rows, u)
			if spec.flags&FeatureElong != 0 && elongated {
				s.rows = append(s.rows, seedElong)
			}
			if spec.flags&FeatureHashtag != 0 && t.hashtag {
				s.rows = append(s.rows, fnv(seedHashtag, w))
			}
			if spec.flags&FeatureAffix != 0 && t.val == 0 && len(w) >= 6 && isAlnum(w[0]) {
				s.rows = append(s.rows, fnv(seedPrefix, w[:4]), fnv(seedSuffix, w[len(w)-3:]))
			}
			if havePrev {
				s.rows = append(s.rows, (prev^seedBigram)*0x85EBCA6B^h*0xC2B2AE35)
			}
			prev, havePrev = h, true
			if t.flags&fNegator != 0 {
				negLeft = 3
				if spec.flags&FeatureNegToPunct != 0 {
					negLeft = 1 << 30
				}
			}
			if t.punctAfter {
				negLeft = 0
			}
			if spec.charMax > 0 && isAlnum(w[0]) {
				pad[0] = '<'
				n := copy(pad[1:], w)
				pad[n+1] = '>'
				p := pad[:n+2]
				for a := 0; a+spec.charMin <= len(p); a++ {
					g := uint32(seedChar)
					for k := 0; k < spec.charMax && a+k < len(p); k++ {
						g = (g ^ uint32(p[a+k])) * 16777619
						if k+1 >= spec.charMin && !(a == 0 && a+k+1 == len(p)) {
							s.rows = append(s.rows, g+uint32(k))
						}
					}
				}
			}
		}
		c.r1 = int32(len(s.rows))
	}
}
