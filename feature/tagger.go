package feature

import (
	"fmt"
	"strings"

	"github.com/socialpulse/socialpulse/textnorm"
)

// excludeWindow is how many words an exclusion may be from a mention and
// still cancel it.
const excludeWindow = 3

// Match is one feature mentioned in a text.
type Match struct {
	Feature    int // index into Tagger.Features()
	Start, End int // byte offsets of the mention in the text
	// Expanded is set when the mention is a WordNet expansion of a term
	// (Feature.Expand), not a term the taxonomy lists.
	Expanded bool
	// Inferred is set when no term matched and a fallback model named the
	// feature (TagOrInfer); the mention is then the empty span at 0.
	Inferred bool

	// Cleared before Tag returns:
	gapped  bool       // found by a pattern with gaps
	oneWord bool       // the mention is one word
	weak    bool       // TagOptions.ShortDerived applies and no second mention was found yet
	src     termSource // the strongest source of the feature's mentions
}

// rule is one term, pattern or exclusion of a feature.
type rule struct {
	feature  int32
	exclude  bool
	expanded bool // a WordNet expansion of a term
	compound bool // a two-word compound that cancels a mention of its first word (TagOptions.Compounds)
	oneWord  bool // a one-word term
	weak     bool // needs a second mention of its feature (TagOptions.ShortDerived)
	loose    bool // the loose form of a phrase (PhraseGap): its words stay within one clause
	src      termSource
	gaps     []int8 // gaps[i]: most words between segment i-1 and i
}

// TagOptions are matching rules beyond what a taxonomy says, the same for
// every taxonomy. The zero value turns them all off; NewTagger uses
// DefaultTagOptions. Each was measured on the name-only evaluation sets
// ("socialpulse eval aspects --guard-grid", see BENCHMARKS.md); only
// PhraseGap is on by default: it never lowered a set, and it gained on the
// only one whose feature names are phrases.
type TagOptions struct {
	// Strongest keeps, of the features a post mentions, only those whose
	// best mention comes from the strongest kind of term: a written term
	// or pattern or the feature's whole id or name; then a word of a
	// multi-word name; then a WordNet expansion or a description word.
	Strongest bool
	// Single keeps one feature per post: the one whose best mention comes
	// from the strongest kind of term (as for Strongest), the earliest
	// mentioned of those.
	Single bool
	// Compounds cancels a one-word mention that is the first word of a
	// two-word WordNet compound ("service charge", "fan club"): in an
	// English compound the second word names the thing. A mention of the
	// feature elsewhere in the post still counts.
	Compounds bool
	// ShortDerived, when positive, makes a one-word term the taxonomy does
	// not list (a word of a feature's name, a WordNet expansion or a
	// description word) of at most this many bytes once normalised ("meal", "fee")
	// count only when its feature is mentioned a second time in the post.
	ShortDerived int
	// Description adds the content words of each feature's description as
	// terms of the weakest kind (dropped, like name words, when two features share
	// one or another feature lists it as a term); DescriptionSecondCue
	// counts one only when its feature is mentioned a second time.
	Description DescriptionMode
	// PhraseGap, when positive, lets the content words of a written
	// multi-word term or of a feature's multi-word id or name match with up
	// to this many other words between each two: in order ("battery life"
	// in "battery's whole life", "lost luggage" in "lost all my luggage"), and a
	// phrase of two content words in either order too ("lost luggage" in
	// "luggage got lost"). Function words of the phrase ("my", "the", "of")
	// and words such as "issue" or "problem" are left out of the gapped
	// form, which does not reach across sentence punctuation, a comma or a
	// symbol; the exact phrase still matches as written. NewTagger uses
	// DefaultPhraseGap. A taxonomy's or feature's phrase_gap replaces it.
	PhraseGap int
}

// DefaultPhraseGap is DefaultTagOptions' PhraseGap: up to two words may
// stand between the content words of a multi-word term or name.
const DefaultPhraseGap = 2

// DefaultTagOptions are the options NewTagger compiles a taxonomy with.
var DefaultTagOptions = TagOptions{PhraseGap: DefaultPhraseGap}

// DescriptionMode says whether description words are terms
// (TagOptions.Description).
type DescriptionMode uint8

// Description modes.
const (
	DescriptionOff       DescriptionMode = iota // description words are not terms
	DescriptionOn                               // they are terms of the weakest kind
	DescriptionSecondCue                        // they count with a second mention of their feature
)

// Tagger finds the features a text mentions. It is immutable after
// NewTagger and safe for concurrent use; to change the taxonomy of a running
// processor, build a new Tagger and swap it in (see Live).
type Tagger struct {
	version    string
	features   []Feature
	ids        map[string]int
	rules      []rule
	hasExclude []bool
	nameTerms  [][]string
	expanded   [][]string // WordNet words each feature's terms expand to
	a          *automaton
	// expand and expandSenses are the taxonomy's, for rebuilding it with
	// more terms (Suggester rounds).
	expand       Expand
	expandSenses int
	phraseGap    *int // the taxonomy's phrase_gap, for the same rebuilds
	opt          TagOptions
	// guarded is set when a rule is weak or opt keeps only some features
	// (Strongest, Single): finish then filters the mentions.
	guarded bool
	// fallback, when set (WithFallback), names a feature for a text no
	// term matches (TagOrInfer).
	fallback *Fallback
}

// NewTagger validates a taxonomy and compiles it with DefaultTagOptions.
// The taxonomy's examples are not run; Check does that.
func NewTagger(t *Taxonomy) (*Tagger, error) { return NewTaggerWith(t, DefaultTagOptions) }

// NewTaggerWith is NewTagger with matching options.
func NewTaggerWith(t *Taxonomy, opt TagOptions) (*Tagger, error) {
	if t == nil {
		return nil, fmt.Errorf("feature: nil taxonomy")
	}
	if ps := validate(t); len(ps) > 0 {
		return nil, &ProblemsError{ps}
	}
	tg := &Tagger{
		version:      t.Version,
		features:     make([]Feature, len(t.Features)),
		ids:          make(map[string]int, len(t.Features)),
		hasExclude:   make([]bool, len(t.Features)),
		nameTerms:    make([][]string, len(t.Features)),
		expanded:     make([][]string, len(t.Features)),
		expand:       t.Expand,
		expandSenses: t.ExpandSenses,
		phraseGap:    t.PhraseGap,
		opt:          opt,
	}
	var phrases [][]byte
	var outs []output
	var singles []string // one-word terms, for TagOptions.Compounds
	addRule := func(fi int, c compiled, exclude bool, src termSource, oneWord bool) {
		r := rule{feature: int32(fi), exclude: exclude, src: src, oneWord: oneWord, gaps: make([]int8, len(c.gaps))}
		for i, g := range c.gaps {
			r.gaps[i] = int8(g)
		}
		ri := int32(len(tg.rules))
		tg.rules = append(tg.rules, r)
		for si, seg := range c.segments {
			for _, p := range seg {
				phrases = append(phrases, p.norm)
				outs = append(outs, output{length: int32(len(p.norm)), rule: ri, seg: int16(si), prefix: p.prefix})
			}
		}
	}
	// Name terms are dropped when another feature claims the same words.
	claims := map[string]int{} // normalised term → feature index, -1 when shared
	explicit := map[string]bool{}
	named := make([][]compiled, len(t.Features))
	namedText := make([][]string, len(t.Features))
	namedSrc := make([][]termSource, len(t.Features))
	for _, f := range t.Features {
		for _, term := range f.Terms {
			c, _ := compileTerm(term) // validated above
			explicit[string(c.segments[0][0].norm)] = true
		}
	}
	for fi, f := range t.Features {
		terms, srcs := nameTerms(f)
		for j, term := range terms {
			c, err := compileTerm(term)
			if err != nil {
				continue // a name with no words or odd punctuation adds nothing
			}
			namedSrc[fi] = append(namedSrc[fi], srcs[j])
			k := string(c.segments[0][0].norm)
			if prev, ok := claims[k]; ok && prev != fi {
				claims[k] = -1
			} else {
				claims[k] = fi
			}
			named[fi] = append(named[fi], c)
			namedText[fi] = append(namedText[fi], term)
		}
	}
	// WordNet expansions of the written and name terms (Feature.Expand).
	taken := map[string]bool{}
	sources := make([][]string, len(t.Features))
	for k := range explicit {
		taken[k] = true
	}
	for fi, f := range t.Features {
		for _, nc := range named[fi] {
			taken[string(nc.segments[0][0].norm)] = true
		}
		// The written terms and the words of the ID and Name.
		sources[fi] = append(sources[fi], f.Terms...)
		plain, _ := nameTerms(f)
		for _, term := range plain {
			if c, err := compileTerm(term); err == nil && claims[string(c.segments[0][0].norm)] == fi {
				sources[fi] = append(sources[fi], term)
			}
		}
	}
	wordnet := expansions(t, sources, taken)
	described := describedWords(t, opt, claims, explicit)
	for fi, f := range t.Features {
		f.Terms = append([]string(nil), f.Terms...)
		f.Patterns = append([]string(nil), f.Patterns...)
		f.Exclude = append([]string(nil), f.Exclude...)
		f.Examples.Match = append([]string(nil), f.Examples.Match...)
		f.Examples.NoMatch = append([]string(nil), f.Examples.NoMatch...)
		if f.Name == "" {
			f.Name = strings.ReplaceAll(f.ID, "_", " ")
		}
		if f.Criticality == 0 {
			f.Criticality = defaultCriticality
		}
		tg.features[fi] = f
		tg.ids[f.ID] = fi
		for _, term := range f.Terms {
			c, _ := compileTerm(term)
			addRule(fi, c, false, srcWritten, isOneWord(term))
			if isOneWord(term) {
				singles = append(singles, term)
			}
		}
		for j, nc := range named[fi] {
			k := nc.segments[0][0].norm
			if claims[string(k)] == fi && !(explicit[string(k)] && !hasTerm(t.Features[fi], nc)) {
				src := namedSrc[fi][j]
				if hasTerm(t.Features[fi], nc) {
					src = srcWritten
				}
				one := isOneWord(namedText[fi][j])
				addRule(fi, nc, false, src, one)
				if one {
					singles = append(singles, namedText[fi][j])
				}
				if one && src != srcWritten && len(k) <= opt.ShortDerived {
					tg.rules[len(tg.rules)-1].weak = true
				}
				tg.nameTerms[fi] = append(tg.nameTerms[fi], namedText[fi][j])
			}
		}
		for _, w := range described[fi] {
			c, _ := compileTerm(w)
			addRule(fi, c, false, srcRelated, true)
			if opt.Description == DescriptionSecondCue || len(c.segments[0][0].norm) <= opt.ShortDerived {
				tg.rules[len(tg.rules)-1].weak = true
			}
			singles = append(singles, w)
		}
		for _, x := range wordnet[fi] {
			addRule(fi, x.c, false, srcRelated, isOneWord(x.word))
			if isOneWord(x.word) {
				singles = append(singles, x.word)
			}
			tg.rules[len(tg.rules)-1].expanded = true
			tg.expanded[fi] = append(tg.expanded[fi], x.word)
		}
		if gap := t.phraseGap(fi, opt.PhraseGap); gap > 0 {
			phr := append([]string(nil), f.Terms...)
			for j, src := range namedSrc[fi] {
				if src == srcWritten && claims[string(named[fi][j].segments[0][0].norm)] == fi {
					phr = append(phr, namedText[fi][j])
				}
			}
			for _, term := range phr {
				for _, c := range gappedPhrases(term, gap) {
					addRule(fi, c, false, srcWritten, false)
					tg.rules[len(tg.rules)-1].loose = true
				}
			}
		}
		for _, p := range f.Patterns {
			c, _ := compilePattern(p)
			addRule(fi, c, false, srcWritten, false)
		}
		for _, p := range f.Exclude {
			c, _ := compilePattern(p)
			addRule(fi, c, true, srcWritten, false)
			tg.hasExclude[fi] = true
		}
	}
	if opt.Compounds {
		skip := make(map[string]bool, len(phrases))
		for _, p := range phrases {
			skip[string(p)] = true
		}
		for _, w := range singles {
			for _, c := range compoundsOf(w, skip) {
				addRule(-1, c, false, 0, false)
				tg.rules[len(tg.rules)-1].compound = true
			}
		}
	}
	tg.a = buildAutomaton(phrases, outs)
	tg.guarded = opt.Strongest || opt.Single
	for _, rl := range tg.rules {
		tg.guarded = tg.guarded || rl.weak
	}
	return tg, nil
}

// describedWords returns, with opt.Description, the content words of each
// feature's description that are no feature's term or name term and in no
// other feature's description.
func describedWords(t *Taxonomy, opt TagOptions, claims map[string]int, explicit map[string]bool) [][]string {
	out := make([][]string, len(t.Features))
	if opt.Description == DescriptionOff {
		return out
	}
	owner := map[string]int{}
	type word struct {
		fi   int
		w, k string
	}
	var all []word
	for fi, f := range t.Features {
		for _, w := range descriptionWords(f.Description) {
			c, err := compileTerm(w)
			if err != nil {
				continue
			}
			k := string(c.segments[0][0].norm)
			if _, ok := claims[k]; ok || explicit[k] {
				continue
			}
			if prev, ok := owner[k]; ok && prev != fi {
				owner[k] = -1
				continue
			} else if ok {
				continue // already listed for fi
			}
			owner[k] = fi
			all = append(all, word{fi, w, k})
		}
	}
	for _, x := range all {
		if owner[x.k] == x.fi {
			out[x.fi] = append(out[x.fi], x.w)
		}
	}
	return out
}

// gappedPhrases compiles the content words of a multi-word term as
// patterns that allow up to gap words between each two of them, in order,
// and for two content words in the other order too. A term with fewer than
// two content words, or with pattern syntax, gives none.
func gappedPhrases(term string, gap int) []compiled {
	if strings.ContainsAny(term, "()[]*|") {
		return nil
	}
	var words []string
	for _, w := range strings.Fields(term) {
		lw := strings.ToLower(w)
		if suggestStopword(lw) || nameStopword(lw) {
			continue
		}
		words = append(words, w)
	}
	if len(words) < 2 {
		return nil
	}
	sep := fmt.Sprintf(" *%d ", min(gap, maxGap))
	orders := []string{strings.Join(words, sep)}
	if len(words) == 2 {
		orders = append(orders, words[1]+sep+words[0])
	}
	var out []compiled
	for _, p := range orders {
		if c, err := compilePattern(p); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// isOneWord reports whether a term is one word in text.
func isOneWord(term string) bool {
	_, n, _ := normalizePhrase(term, false)
	return n == 1
}

// hasTerm reports whether f lists c among its own terms.
func hasTerm(f Feature, c compiled) bool {
	k := string(c.segments[0][0].norm)
	for _, term := range f.Terms {
		if tc, err := compileTerm(term); err == nil && string(tc.segments[0][0].norm) == k {
			return true
		}
	}
	return false
}

// Features returns the tagger's features; Match.Feature indexes it. The
// slice must not be modified.
func (tg *Tagger) Features() []Feature { return tg.features }

// NameTerms returns the terms feature i gets from its ID and Name (see the
// package doc), after dropping those another feature claims.
func (tg *Tagger) NameTerms(i int) []string { return tg.nameTerms[i] }

// Version returns the taxonomy's version.
func (tg *Tagger) Version() string { return tg.version }

// Index returns the index of the feature with the given id.
func (tg *Tagger) Index(id string) (int, bool) {
	i, ok := tg.ids[id]
	return i, ok
}

// tokRing remembers where the last few words start, to check that a phrase
// starts at a word boundary and to find its start offset.
const tokRing = 16

type tokPos struct {
	stream     int32 // offset of the word's first byte in the normalised stream
	start, end int32 // offsets in the text
	hashtag    bool
}

// hit is a rule's phrase found at words [a, b] and bytes [start, end).
type hit struct {
	rule       int32
	seg        int16
	a, b       int32
	start, end int32
}

// pending is a mention that a later exclusion might still cancel.
type pending struct {
	dst int // index in dst
	b   int32
}

// run is the state of one Tag call. It lives on the stack.
type run struct {
	tg       *Tagger
	dst      []Match
	base     int
	excl     [8]hit // recent exclusions, for mentions after them
	nexcl    int
	pend     [8]pending
	npend    int
	partial  [8]hit // matched leading segments of gapped rules
	npartial int
}

// Tag appends to dst the features text mentions, at most one Match per
// feature (its first mention), in order of first mention. It does not
// allocate when dst has room for the matches. Text may be any bytes; invalid
// UTF-8 is skipped.
func (tg *Tagger) Tag(text string, dst []Match) []Match {
	r := run{tg: tg, dst: dst, base: len(dst)}
	a := tg.a
	nc := a.nclass
	sc := textnorm.NewScanner(text, textnorm.Options{})
	var buf [textnorm.MaxTokenBytes]byte
	var ring [tokRing]tokPos
	row := int32(0) // current state's row in a.delta
	stream := int32(0)
	tok := int32(-1)
	for {
		t, w, ok := sc.Next(&buf)
		if !ok {
			break
		}
		if t.Break {
			row = 0
			r.breakClause()
		}
		w = textnorm.Stem(w)
		tok++
		ring[uint32(tok)%tokRing] = tokPos{stream: stream, start: int32(t.Start), end: int32(t.End), hashtag: t.Kind == textnorm.Hashtag}
		for i := 0; i < len(w); i++ {
			row = a.delta[row+int32(a.class[w[i]])]
			stream++
			if row >= 0 {
				continue
			}
			row = ^row
			state := row / int32(nc)
			o0, o1 := a.outStart[state], a.outStart[state+1]
			atEnd := i == len(w)-1
			for _, o := range a.outs[o0:o1] {
				interior := t.Kind == textnorm.Hashtag && o.length >= hashtagInteriorMin
				if !atEnd && !o.prefix && !interior {
					continue
				}
				// Find the word the phrase starts in.
				begin := stream - o.length
				k := tok
				for k >= 0 && tok-k < tokRing && ring[uint32(k)%tokRing].stream > begin {
					k--
				}
				if k < 0 || tok-k >= tokRing {
					continue
				}
				if p := ring[uint32(k)%tokRing]; p.stream != begin && !(p.hashtag && interior) {
					continue
				}
				r.hit(hit{rule: o.rule, seg: o.seg, a: k, b: tok, start: ring[uint32(k)%tokRing].start, end: int32(t.End)})
			}
		}
	}
	return r.finish()
}

// hit handles one phrase match.
func (r *run) hit(h hit) {
	rl := &r.tg.rules[h.rule]
	if len(rl.gaps) > 1 {
		if h.seg > 0 {
			// Join with the latest earlier segment that ends close enough before.
			found := -1
			for i := 0; i < r.npartial; i++ {
				p := r.partial[i]
				if p.rule == h.rule && p.seg == h.seg-1 && p.b < h.a && h.a-p.b-1 <= int32(rl.gaps[h.seg]) {
					found = i
				}
			}
			if found < 0 {
				return
			}
			h.a, h.start = r.partial[found].a, r.partial[found].start
		}
		if int(h.seg) < len(rl.gaps)-1 {
			if r.npartial == len(r.partial) {
				copy(r.partial[:], r.partial[1:])
				r.npartial--
			}
			r.partial[r.npartial] = h
			r.npartial++
			return
		}
	}
	if rl.compound {
		r.compound(h)
		return
	}
	f := int(rl.feature)
	if rl.exclude {
		r.exclusion(f, h)
		return
	}
	r.mention(f, h)
}

// breakClause forgets the started loose phrases at a break (sentence
// punctuation, a symbol): "lost. The luggage" is not "lost luggage". A
// pattern's own gaps may still span a break, as they always have.
func (r *run) breakClause() {
	n := 0
	for _, p := range r.partial[:r.npartial] {
		if !r.tg.rules[p.rule].loose {
			r.partial[n] = p
			n++
		}
	}
	r.npartial = n
}

func near(a1, b1, a2, b2 int32) bool {
	return a2 <= b1+excludeWindow && a1 <= b2+excludeWindow
}

func (r *run) exclusion(f int, h hit) {
	if r.nexcl == len(r.excl) {
		copy(r.excl[:], r.excl[1:])
		r.nexcl--
	}
	h.rule = int32(f) // reuse the field for the feature
	r.excl[r.nexcl] = h
	r.nexcl++
	// Cancel pending mentions of f near the exclusion.
	j := 0
	for i := 0; i < r.npend; i++ {
		p := r.pend[i]
		m := r.dst[p.dst]
		if m.Feature == f && near(h.a, h.b, p.b, p.b) {
			r.dst[p.dst].Feature = -1
			continue
		}
		r.pend[j] = p
		j++
	}
	r.npend = j
}

func (r *run) mention(f int, h hit) {
	rl := &r.tg.rules[h.rule]
	m := Match{Feature: f, Start: int(h.start), End: int(h.end), Expanded: rl.expanded, gapped: len(rl.gaps) > 1,
		oneWord: rl.oneWord, weak: rl.weak, src: rl.src}
	// The longest mention wins: a word inside another feature's longer
	// phrase ("drive" in "hard drive") is part of that phrase, not a
	// mention of its own; the shorter feature may still be found elsewhere.
	// Only literal phrases compete: a pattern with gaps ("checkout *2
	// broken" for availability) spans words that keep their own meaning.
	for i := r.base; i < len(r.dst); i++ {
		o := r.dst[i]
		if o.Feature < 0 || o.Feature == f || o.gapped || m.gapped {
			continue
		}
		switch {
		case o.Start <= m.Start && m.End <= o.End && m.End-m.Start < o.End-o.Start:
			return
		case m.Start <= o.Start && o.End <= m.End && o.End-o.Start < m.End-m.Start:
			r.dst[i].Feature = -1
		}
	}
	if !r.tg.hasExclude[f] {
		for i := r.base; i < len(r.dst); i++ {
			if r.dst[i].Feature == f {
				r.again(i, m)
				return
			}
		}
		r.dst = append(r.dst, m)
		return
	}
	for i := 0; i < r.nexcl; i++ {
		e := r.excl[i]
		if int(e.rule) == f && near(e.a, e.b, h.a, h.b) {
			return
		}
	}
	// A mention that no exclusion can reach any more is final; later
	// mentions of the feature only move its start earlier.
	for i := r.base; i < len(r.dst); i++ {
		if r.dst[i].Feature != f || r.isPending(i) {
			continue
		}
		r.again(i, m)
		return
	}
	if r.npend == len(r.pend) {
		copy(r.pend[:], r.pend[1:]) // the oldest becomes final
		r.npend--
	}
	r.pend[r.npend] = pending{dst: len(r.dst), b: h.b}
	r.npend++
	r.dst = append(r.dst, m)
}

// again merges a further mention m into the feature's match at dst[i]: the
// earlier mention is kept, a second mention at another place lifts the
// ShortDerived guard, and the strongest source is remembered.
func (r *run) again(i int, m Match) {
	r.dst[i] = merged(r.dst[i], m)
}

// merged is the match of a feature mentioned as o and as m: the earlier
// mention, weak only when both are the same weak mention, with the
// stronger source.
func merged(o, m Match) Match {
	weak := o.weak && m.weak && o.Start == m.Start && o.End == m.End
	src := max(o.src, m.src)
	if earlier(m, o) {
		o = m
	}
	o.weak, o.src = weak, src
	return o
}

// compound cancels a one-word mention at the first word of a compound h,
// unless its feature is also mentioned before it.
func (r *run) compound(h hit) {
	for i := r.base; i < len(r.dst); i++ {
		m := &r.dst[i]
		if m.Feature >= 0 && m.oneWord && int32(m.Start) == h.start && int32(m.End) < h.end {
			m.Feature = -1
		}
	}
}

func (r *run) isPending(i int) bool {
	for _, p := range r.pend[:r.npend] {
		if p.dst == i {
			return true
		}
	}
	return false
}

// finish drops cancelled and duplicate matches, keeping each feature's
// earliest mention, and sorts them by start.
func (r *run) finish() []Match {
	out := r.dst[:r.base]
	for _, m := range r.dst[r.base:] {
		if m.Feature < 0 {
			continue
		}
		m.gapped = false
		dup := false
		for i := r.base; i < len(out); i++ {
			if out[i].Feature == m.Feature {
				out[i] = merged(out[i], m)
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, m)
		}
	}
	if !r.tg.guarded {
		for i := r.base; i < len(out); i++ {
			out[i].oneWord, out[i].src = false, 0
		}
		sortMatches(out[r.base:])
		return out
	}
	// Guards: a weak mention needs a second one; with Strongest, only the
	// features with the strongest source stay.
	best := termSource(0)
	for _, m := range out[r.base:] {
		if !m.weak {
			best = max(best, m.src)
		}
	}
	n := r.base
	for _, m := range out[r.base:] {
		if m.weak || r.tg.opt.Strongest && m.src < best {
			continue
		}
		out[n] = m
		n++
	}
	out = out[:n]
	if r.tg.opt.Single && len(out)-r.base > 1 {
		// out is not sorted yet: keep the strongest, then the earliest.
		k := r.base
		for i := r.base + 1; i < len(out); i++ {
			if out[i].src > out[k].src || out[i].src == out[k].src && earlier(out[i], out[k]) {
				k = i
			}
		}
		out[r.base] = out[k]
		out = out[:r.base+1]
	}
	for i := r.base; i < len(out); i++ {
		out[i].oneWord, out[i].src = false, 0
	}
	sortMatches(out[r.base:])
	return out
}

// sortMatches sorts ms by where each mention starts (insertion sort: a post
// has few).
func sortMatches(ms []Match) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Start < ms[j-1].Start; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// earlier reports whether mention a comes before b: it starts earlier, or
// starts at the same place and is longer.
func earlier(a, b Match) bool {
	return a.Start < b.Start || a.Start == b.Start && a.End > b.End
}
