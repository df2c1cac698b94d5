package sentiment

import (
	"bufio"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

//go:embed data/vader_lexicon.txt
var vaderLexicon string

//go:embed data/vader_emoji.txt
var vaderEmoji string

//go:embed data/complaint_lexicon.txt
var complaintLexicon string

// Word flags.
const (
	fNegator uint32 = 1 << iota
	fBooster
	fBut
	fClauseWord
	fPhraseStart
	fFnVerb
	fComplaint
	fPolite
	fSarcasm
	fResolve
	fAggravate
	fLexicon // has a valence of its own (VADER's "in lexicon" test)
	fLeast
	fNo
	fPrefix // a proper prefix of a longer phrase, not a phrase itself
	fTail   // rated only at the end of a clause
	fWhy    // "why": a question clause with it reads as a complaint
	fRepeat // "keeps": negative before a verb in -ing ("keeps logging me out")
)

// entry is what the model knows about one lowercased word or phrase.
type entry struct {
	val   float32 // valence
	neg   float32 // for fFnVerb words, the valence when negated
	boost float32 // booster sign (+1 intensifier, -1 dampener)
	flags uint32
	maxPh uint8 // longest phrase (in words) starting with this word
}

// model is the immutable lexicon shared by all Analyzers.
type model struct {
	words   map[string]entry // single words and emoticons (while building)
	phrases map[string]entry // multiword terms, words joined by one space (while building)
	emoji   map[rune]entry   // single-rune emoji

	wordTab, phraseTab *table // the lookup tables built from words and phrases
	pairs              pairSet
}

// pairSet is a small Bloom-style filter of the first two words of every
// phrase, keyed by the words' hashes, so that phrase matching skips most
// word pairs without building a key.
type pairSet [64]uint64

func pairBit(h1, h2 uint32) uint32 { return ((h1*0x9E3779B1)^h2)>>26 | (h2*0x85EBCA6B)>>26<<6 }

func (p *pairSet) add(h1, h2 uint32) { b := pairBit(h1, h2); p[b>>6] |= 1 << (b & 63) }

func (p *pairSet) has(h1, h2 uint32) bool { b := pairBit(h1, h2); return p[b>>6]&(1<<(b&63)) != 0 }

func buildModel() (*model, error) {
	m := &model{
		words:   make(map[string]entry, 8192),
		phrases: make(map[string]entry, 512),
		emoji:   make(map[rune]entry, 2048),
	}
	if err := m.loadVader(); err != nil {
		return nil, err
	}
	m.loadEmoji()
	if err := m.loadExtension(); err != nil {
		return nil, err
	}
	for _, w := range negators {
		m.setFlags(w, fNegator)
	}
	for w, s := range boosters {
		e := m.words[w]
		e.boost = s
		e.flags |= fBooster
		m.words[w] = e
	}
	for _, w := range butWords {
		m.setFlags(w, fBut)
	}
	for _, w := range clauseWords {
		m.setFlags(w, fClauseWord)
	}
	m.setFlags("least", fLeast)
	m.setFlags("no", fNo)
	// Index the proper prefixes of long phrases so that matching can stop
	// at the first word pair that starts no phrase.
	for p := range m.phrases {
		for i, c := range p {
			if c != ' ' || i == strings.IndexByte(p, ' ') {
				continue
			}
			if _, ok := m.phrases[p[:i]]; !ok {
				m.phrases[p[:i]] = entry{flags: fPrefix}
			}
		}
	}
	// Mark phrase starts.
	for p := range m.phrases {
		first, _, _ := strings.Cut(p, " ")
		n := uint8(strings.Count(p, " ") + 1)
		e := m.words[first]
		e.flags |= fPhraseStart
		if n > e.maxPh {
			e.maxPh = n
		}
		m.words[first] = e
	}
	for p := range m.phrases {
		w1, rest, _ := strings.Cut(p, " ")
		w2, _, _ := strings.Cut(rest, " ")
		m.pairs.add(hashKey([]byte(w1)), hashKey([]byte(w2)))
	}
	m.wordTab = newTable(m.words)
	m.phraseTab = newTable(m.phrases)
	return m, nil
}

func (m *model) setFlags(w string, f uint32) {
	e := m.words[w]
	e.flags |= f
	m.words[w] = e
}

func (m *model) loadVader() error {
	sc := bufio.NewScanner(strings.NewReader(vaderLexicon))
	for sc.Scan() {
		term, rest, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		vs, _, _ := strings.Cut(rest, "\t")
		v, err := strconv.ParseFloat(vs, 32)
		if err != nil {
			return fmt.Errorf("sentiment: vader lexicon %q: %w", term, err)
		}
		lower := strings.ToLower(term)
		if lower != term {
			if _, dup := m.words[lower]; dup {
				continue // keep the lowercase spelling's own rating
			}
		}
		m.put(lower, entry{val: float32(v), flags: fLexicon})
	}
	return sc.Err()
}

func (m *model) put(term string, e entry) {
	if strings.Contains(term, " ") {
		m.phrases[term] = e
		return
	}
	old := m.words[term]
	e.flags |= old.flags & (fPhraseStart)
	if old.maxPh > e.maxPh {
		e.maxPh = old.maxPh
	}
	m.words[term] = e
}

// loadEmoji scores each single-rune emoji by the VADER valences of the words
// of its description, as VADER does by substituting the description.
func (m *model) loadEmoji() {
	sc := bufio.NewScanner(strings.NewReader(vaderEmoji))
	for sc.Scan() {
		sym, desc, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		r, size := utf8.DecodeRuneInString(sym)
		if rest := sym[size:]; rest != "" && rest != "\ufe0f" {
			continue // sequences: skin tones, ZWJ families, flags
		}
		var sum float32
		for _, w := range strings.FieldsFunc(desc, func(r rune) bool { return r == ' ' || r == '-' || r == ':' || r == ',' }) {
			sum += m.words[strings.ToLower(w)].val
		}
		if sum != 0 {
			m.emoji[r] = entry{val: sum, flags: fLexicon}
		}
	}
}

func (m *model) loadExtension() error {
	sc := bufio.NewScanner(strings.NewReader(complaintLexicon))
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) < 2 {
			return fmt.Errorf("sentiment: complaint lexicon line %d: want term<TAB>valence", line)
		}
		v, err := strconv.ParseFloat(f[1], 32)
		if err != nil {
			return fmt.Errorf("sentiment: complaint lexicon line %d: %w", line, err)
		}
		e := entry{val: float32(v)}
		if len(f) > 2 {
			for _, fl := range strings.Split(f[2], ",") {
				switch fl {
				case "complaint":
					e.flags |= fComplaint
				case "fnverb":
					e.flags |= fFnVerb
				case "polite":
					e.flags |= fPolite
				case "sarcasm":
					e.flags |= fSarcasm
				case "resolve":
					e.flags |= fResolve
				case "aggravate":
					e.flags |= fAggravate
				case "tail":
					e.flags |= fTail
				case "why":
					e.flags |= fWhy
				case "repeat":
					e.neg, e.val = e.val, 0
					e.flags |= fRepeat
				case "booster":
					e.boost, e.val = e.val, 0
					e.flags |= fBooster
				default:
					return fmt.Errorf("sentiment: complaint lexicon line %d: unknown flag %q", line, fl)
				}
			}
		}
		term := f[0]
		if e.flags&fFnVerb != 0 {
			// A function verb keeps VADER's own valence ("play" is
			// positive) and takes this one when negated.
			e.neg, e.val = e.val, 0
			if old, ok := m.words[term]; ok {
				e.val = old.val
			}
			if old, ok := m.phrases[term]; ok {
				e.val = old.val
			}
		}
		if e.val != 0 {
			e.flags |= fLexicon
		}
		if r, size := utf8.DecodeRuneInString(term); r >= 0x2000 && (size == len(term) || term[size:] == "\ufe0f") {
			m.emoji[r] = e
			continue
		}
		m.put(term, e)
	}
	return sc.Err()
}
