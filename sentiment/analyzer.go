package sentiment

import (
	"math"
	"strings"
	"sync"
)

// Analyzer scores English social posts. It is immutable after it is made
// and safe for concurrent use; share one.
type Analyzer struct {
	m    *model     // the lexicon and its rules
	lm   *Model     // the learned scorer; nil: the lexicon alone
	pool *sync.Pool // of *scratch, the per-call buffers
}

// The shared, lazily built values: the lexicon, the embedded model and the
// two default analyzers. They are immutable once built.
var (
	lexiconOnce     sync.Once
	lexiconModel    *model
	embeddedOnce    sync.Once
	embedded        *Model
	defaultOnce     sync.Once
	defaultAnalyzer *Analyzer
	lexOnlyOnce     sync.Once
	lexiconAnalyzer *Analyzer
)

func lexicon() *model {
	lexiconOnce.Do(func() {
		m, err := buildModel()
		if err != nil {
			panic(err)
		}
		lexiconModel = m
	})
	return lexiconModel
}

func newAnalyzer(lm *Model) *Analyzer {
	return &Analyzer{m: lexicon(), lm: lm, pool: &sync.Pool{New: func() any { return newScratch() }}}
}

// New returns the default English analyzer: the embedded learned model
// (EmbeddedModel) labels posts and clauses, reading the lexicon's outputs
// among its features. The lexicon and the model are loaded on the first
// call (a few milliseconds) and shared by every later call, so New is cheap.
// It panics only if the embedded data is malformed, which the package tests
// rule out.
func New() *Analyzer {
	defaultOnce.Do(func() { defaultAnalyzer = newAnalyzer(EmbeddedModel()) })
	return defaultAnalyzer
}

// NewLexicon returns the analyzer that scores with the lexicon and its rules
// alone, as socialpulse did before the learned model.
func NewLexicon() *Analyzer {
	lexOnlyOnce.Do(func() { lexiconAnalyzer = newAnalyzer(nil) })
	return lexiconAnalyzer
}

// NewWithModel returns an analyzer that labels with m (for example a model
// read with LoadModel); a nil m gives the lexicon alone.
func NewWithModel(m *Model) *Analyzer { return newAnalyzer(m) }

// Score returns the sentiment of text. It equals the overall result of
// Analyze and does not allocate.
func (a *Analyzer) Score(text string) Result {
	r, _ := a.analyze(text, nil, false)
	return r
}

// Analyze scores the whole text and each of its clauses, appending the
// clauses to dst in text order, and returns the extended slice; pass the
// previous slice truncated to zero length to avoid allocations. Clauses end
// at sentence ends ('.', '!', '?', newlines), at ';', and before contrast
// words ("but", "however", "although", ...); together they cover every
// non-space byte of the text. The overall result equals Score(text). With a
// learned model, a text of one clause gives that clause the text's result,
// and each clause of a longer text is scored by the model on the clause's
// own features (a clause of fewer than three tokens keeps the lexicon's
// score).
func (a *Analyzer) Analyze(text string, dst []Clause) (Result, []Clause) {
	return a.analyze(text, dst, true)
}

// minModelClause is the fewest tokens a clause needs for the learned model
// to score it on its own; shorter fragments ("though!", "ok.") keep the
// lexicon's clause score, as the model has too little to go on.
const minModelClause = 3

func (a *Analyzer) analyze(text string, dst []Clause, wantClauses bool) (Result, []Clause) {
	s := a.pool.Get().(*scratch)
	s.reset()
	if need := 2*len(text) + 16; cap(s.lowerBuf) < need {
		s.lowerBuf = make([]byte, 0, need)
	}
	a.tokenize(s, text)
	a.matchPhrases(s)
	total := a.valence(s)
	res := result(total)
	var d [nDense]float32
	if a.lm != nil {
		appendFeatures(s, text, a.lm.spec)
		postDense(s, normalize(total), &d)
		res = resultOf(a.lm.logits(&d, s.rows))
	}
	if wantClauses {
		several := 0
		for i := range s.clauses {
			if s.clauses[i].end > s.clauses[i].start {
				several++
			}
		}
		for i := range s.clauses {
			c := &s.clauses[i]
			if c.end <= c.start {
				continue
			}
			r := result(c.score)
			if a.lm != nil && several == 1 {
				r = res
			} else if a.lm != nil && c.t1-c.t0 >= minModelClause {
				clauseDense(s, c, &d)
				r = resultOf(a.lm.logits(&d, s.rows[c.r0:c.r1]))
			}
			dst = append(dst, Clause{Start: int(c.start), End: int(c.end), Result: r})
		}
	}
	if s.small() {
		a.pool.Put(s)
	}
	return res, dst
}

func result(sum float64) Result {
	score := normalize(sum)
	return Result{Label: LabelOf(score), Score: score}
}

// normalize maps a valence sum to (-1, 1) as VADER does.
func normalize(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	if math.IsInf(x, 0) {
		return math.Copysign(1, x)
	}
	v := x / math.Sqrt(x*x+normAlpha)
	return max(-1, min(1, v))
}

// valence applies the rules to the tokens, fills each clause's score (a
// valence sum including its punctuation emphasis) and returns the valence sum
// of the whole text.
func (a *Analyzer) valence(s *scratch) float64 {
	toks := s.toks
	capDiff := s.capsWords > 0 && s.capsWords < s.words
	complaint := false // the post has complaint language

	for i := range toks {
		t := &toks[i]
		if t.flags&(fLexicon|fFnVerb|fRepeat|fResolve) == 0 {
			continue // nothing to rate
		}
		if t.flags&fFnVerb != 0 {
			if k := negatorBefore(s, i, int(t.clause)); k >= 0 {
				toks[k].used = true
				t.val = t.neg
				t.flags |= fComplaint
				complaint = true
				continue
			}
		}
		if t.flags&fRepeat != 0 {
			if n := i + 1; n < int(s.clauses[t.clause].t1) && strings.HasSuffix(toks[n].lower(s), "ing") && toks[n].val <= 0 {
				t.val = t.neg
				t.flags |= fComplaint | fLexicon
				complaint = true
			}
			continue
		}
		if t.val == 0 {
			continue
		}
		if t.flags&fTail != 0 && (i+1 < int(s.clauses[t.clause].t1) || phrasalVerb(s, i)) {
			t.val = 0 // "down" inside a clause ("down the road") or after a verb ("sit down")
			continue
		}
		v := t.val
		if t.flags&fNo != 0 && (t.punctAfter || i+1 < len(toks) && toks[i+1].clause == t.clause && toks[i+1].val != 0 && toks[i+1].flags&fFnVerb == 0) {
			t.val = 0 // "no" before a rated word only negates it; "no," is an interjection
			continue
		}
		if t.caps && capDiff {
			v += sign(v) * capsIncr
		}
		if t.elong {
			v += sign(v) * elongationIncr
		}
		for j := 1; j <= 3; j++ {
			k := i - j
			if k < 0 || toks[k].clause != t.clause {
				break
			}
			p := &toks[k]
			if p.flags&fLexicon != 0 && p.val != 0 && p.flags&fNegator == 0 || p.punctAfter {
				break // the nearer rated word takes the modifiers; commas end their reach
			}
			if p.flags&fBooster != 0 {
				b := p.boost * boosterIncr
				if p.caps && capDiff {
					b += p.boost * capsIncr
				}
				if v < 0 {
					b = -b
				}
				switch j {
				case 2:
					b *= 0.95
				case 3:
					b *= 0.9
				}
				v += b
			}
			if p.flags&fNegator != 0 && !p.used && t.flags&fNegator == 0 && !(p.flags&fNo != 0 && p.punctAfter) {
				if p.lower(s) == "never" && j > 1 && neverSo(s, k+1, i) || enoughAfter(s, k, i) {
					v *= neverSoScale // "never so happy", "can't love this enough"
				} else {
					v *= negScalar
				}
			}
			if p.flags&fLeast != 0 && j == 1 && (k == 0 || toks[k-1].lower(s) != "at" && toks[k-1].lower(s) != "very") {
				v *= negScalar
			}
		}
		if t.flags&fResolve != 0 && v < 0 {
			// "not fixed", "still not resolved": a failure, not a resolution.
			v = min(v, resolveNegated)
			t.flags = t.flags&^fResolve | fComplaint
		}
		if t.flags&fResolve != 0 {
			s.clauses[t.clause].resolved = true
		}
		if v < 0 && t.flags&fComplaint != 0 {
			complaint = true
		}
		t.val = v
	}

	// Clause rules: sarcasm, resolutions, politeness, questions.
	for ci := range s.clauses {
		c := &s.clauses[ci]
		resolved := c.resolved
		question := c.quest > 0
		var sum float64
		aggr, why := 0, false
		for i := c.t0; i < c.t1; i++ {
			t := &toks[i]
			if t.flags&fAggravate != 0 {
				aggr++
			}
			if t.flags&fWhy != 0 {
				why = true
			}
			v := t.val
			if v == 0 {
				continue
			}
			switch {
			case v > 0 && t.flags&fSarcasm != 0 && !resolved && complaintAfter(toks, int(i), int(c.t1)):
				v *= sarcasmScale
			case v < 0 && resolved && t.flags&fComplaint != 0:
				v *= resolveScale
			}
			if v > 0 && t.flags&fPolite != 0 && (complaint || question) {
				v = 0
			}
			if v > 0 && question {
				v *= questionDampen
			}
			t.val = v
			sum += float64(v)
		}
		if why && question {
			sum += whyQuestion
		}
		if sum < 0 && aggr > 0 {
			sum -= aggravateIncr * float64(min(aggr, 2))
		}
		c.sum = sum
		c.score = sum + emphasis(sum, int(c.excl), int(c.quest))
	}

	// "but" shifts the weight of a sentence onto what follows it.
	var total float64
	for ci := 0; ci < len(s.clauses); {
		sent := s.clauses[ci].sentence
		end := ci
		butAt := -1
		for end < len(s.clauses) && s.clauses[end].sentence == sent {
			if butAt < 0 && s.clauses[end].but && end > ci {
				butAt = end
			}
			end++
		}
		for k := ci; k < end; k++ {
			w := 1.0
			if butAt >= 0 {
				if k < butAt {
					w = butBefore
				} else {
					w = butAfter
				}
			}
			total += w * s.clauses[k].sum
		}
		ci = end
	}
	return total + emphasis(total, s.excl, s.quest)
}

// emphasis is VADER's punctuation amplifier, signed like sum.
func emphasis(sum float64, excl, quest int) float64 {
	if sum == 0 {
		return 0
	}
	amp := float64(min(excl, maxExcl)) * exclIncr
	if quest > 1 {
		amp += min(float64(quest)*questIncr, maxQuest)
	}
	if sum < 0 {
		return -amp
	}
	return amp
}

// phrasalVerb reports whether one of the two words before token i is a verb
// that makes it a neutral particle ("calm down", "turned him down").
func phrasalVerb(s *scratch, i int) bool {
	for k := i - 1; k >= 0 && k >= i-2 && s.toks[k].clause == s.toks[i].clause; k-- {
		w := s.toks[k].lower(s)
		for _, v := range particleVerbs {
			if w == v {
				return true
			}
		}
	}
	return false
}

// enoughAfter reports whether the negator at neg is "can't" or "couldn't"
// and "enough" follows token i within three tokens, or "more" ends the
// clause after "agree": the negation then intensifies ("can't thank you
// enough", "couldn't agree more").
func enoughAfter(s *scratch, neg, i int) bool {
	switch s.toks[neg].lower(s) {
	case "can't", "cant", "cannot", "couldn't", "couldnt":
	default:
		return false
	}
	c := &s.clauses[s.toks[i].clause]
	for k := i + 1; k <= i+3 && k < len(s.toks) && s.toks[k].clause == s.toks[i].clause; k++ {
		if w := s.toks[k].lower(s); w == "enough" || w == "more" && s.toks[i].lower(s) == "agree" && (k+1 == len(s.toks) || k+1 >= int(c.t1) || s.toks[k].punctAfter) {
			return true
		}
	}
	return false
}

// neverSo reports whether a token in [from, to) is "so" or "this".
func neverSo(s *scratch, from, to int) bool {
	for k := from; k < to; k++ {
		if w := s.toks[k].lower(s); w == "so" || w == "this" {
			return true
		}
	}
	return false
}

// negatorBefore returns the index of an unused negator within the three
// tokens before i in the same clause, or -1. An imperative "don't" at the
// start of a clause ("don't forget", "please don't send") does not count.
func negatorBefore(s *scratch, i, clause int) int {
	toks := s.toks
	for j := 1; j <= 3; j++ {
		k := i - j
		if k < 0 || int(toks[k].clause) != clause || toks[k].punctAfter {
			return -1
		}
		if toks[k].flags&fNegator != 0 && !toks[k].used {
			if w := toks[k].lower(s); (w == "don't" || w == "dont") &&
				(k == int(s.clauses[clause].t0) || k > 0 && toks[k-1].lower(s) == "please") {
				return -1
			}
			return k
		}
		if toks[k].val != 0 && toks[k].flags&fLexicon != 0 {
			return -1
		}
	}
	return -1
}

// complaintAfter reports whether complaint language follows token i closely
// in its clause, the cue for reading a positive word as sarcasm.
func complaintAfter(toks []token, i, end int) bool {
	for k := i + 1; k < end && k <= i+sarcasmReach; k++ {
		if toks[k].flags&fComplaint != 0 && toks[k].val < 0 {
			return true
		}
	}
	return false
}

func sign(v float32) float32 {
	if v < 0 {
		return -1
	}
	return 1
}
