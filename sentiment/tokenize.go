package sentiment

import (
	"unicode"
	"unicode/utf8"
)

// token is one word, emoticon or emoji of a text.
type token struct {
	start, end int32  // byte span in the text
	lo, hi     int32  // lowercased form in scratch.lowerBuf
	h          uint32 // hashKey of the lowercased form
	clause     int32
	val        float32
	neg        float32 // valence when negated, for function verbs
	boost      float32
	flags      uint32
	caps       bool // ALL CAPS word
	elong      bool // elongated word ("sooo")
	used       bool // negator already spent on a function verb
	punctAfter bool // punctuation follows directly ("no," "ok.")
	hashtag    bool // a word of a hashtag
	maxPh      uint8
}

func (t *token) lower(s *scratch) string { return string(s.lowerBuf[t.lo:t.hi]) }

// clauseSpan is a clause under construction.
type clauseSpan struct {
	start, end  int32 // byte span; end is past the last non-space byte
	t0, t1      int32 // token range
	sentence    int32
	excl, quest int32
	but         bool // starts with "but" or "however"
	resolved    bool // has a resolution word ("fixed")
	sum, score  float64
	r0, r1      int32 // the clause's hashed features in scratch.rows
}

// scratch holds the buffers of one call.
type scratch struct {
	lowerBuf  []byte
	key       []byte
	toks      []token
	clauses   []clauseSpan
	rows      []uint32 // hashed features of the learned model
	words     int      // word tokens that have letters (for the ALL CAPS rule)
	capsWords int
	excl      int
	quest     int

	// tokenizer state
	pendingBreak bool  // a sentence or clause end was seen
	lastEnd      int32 // past the last non-space byte consumed
	sentence     int32
}

func newScratch() *scratch {
	return &scratch{
		lowerBuf: make([]byte, 0, 1024),
		key:      make([]byte, 0, 64),
		toks:     make([]token, 0, 64),
		clauses:  make([]clauseSpan, 0, 8),
		rows:     make([]uint32, 0, 512),
	}
}

func (s *scratch) reset() {
	s.lowerBuf = s.lowerBuf[:0]
	s.toks = s.toks[:0]
	s.clauses = s.clauses[:0]
	s.words, s.capsWords, s.excl, s.quest = 0, 0, 0, 0
	s.pendingBreak = false
	s.lastEnd = 0
	s.sentence = 0
}

// small reports whether the buffers are worth keeping for reuse.
func (s *scratch) small() bool {
	return cap(s.lowerBuf) <= 1<<16 && cap(s.toks) <= 4096 && cap(s.rows) <= 1<<16
}

// content opens a clause for content starting at pos, closing the current
// clause first when a break is pending or split is set.
func (s *scratch) content(pos int32, split bool) {
	n := len(s.clauses)
	if n > 0 && !s.pendingBreak && !split {
		return
	}
	if n > 0 {
		c := &s.clauses[n-1]
		if split && !s.pendingBreak && c.t0 == int32(len(s.toks)) {
			return // nothing to split off
		}
		c.end = s.lastEnd
		c.t1 = int32(len(s.toks))
		if s.pendingBreak {
			s.sentence++
		}
	}
	s.clauses = append(s.clauses, clauseSpan{start: pos, end: pos, t0: int32(len(s.toks)), t1: int32(len(s.toks)), sentence: s.sentence})
	s.pendingBreak = false
}

func (s *scratch) cur() *clauseSpan { return &s.clauses[len(s.clauses)-1] }

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\v' || b == '\f'
}

// htmlEntity returns the length of the HTML entity at the start of s (tweets
// carry "&amp;", "&gt;", "&lt;", "&quot;", "&#39;"), or 0.
func htmlEntity(s string) int {
	for _, e := range [...]string{"&amp;", "&gt;", "&lt;", "&quot;", "&#39;", "&apos;", "&nbsp;"} {
		if len(s) >= len(e) && s[:len(e)] == e {
			return len(e)
		}
	}
	return 0
}

func isWordByte(b byte) bool { return isAlnum(b) || b == '\'' }

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// tokenize splits text into tokens and clauses by scanning its bytes once.
func (a *Analyzer) tokenize(s *scratch, text string) {
	n := len(text)
	for i := 0; i < n; {
		b := text[i]
		if isSpace(b) {
			if b == '\n' && len(s.clauses) > 0 {
				s.pendingBreak = true
			}
			i++
			continue
		}
		if byteClass[b] != cOther && b|0x20 != 'h' && b|0x20 != 'w' &&
			(i+1 == n || byteClass[text[i+1]] != cOther || isSpace(text[i+1]) || text[i+1] == '\'') {
			// Fast path: a chunk that starts with a plain word.
			i = a.plain(s, text, i)
			if i == n || isSpace(text[i]) {
				continue
			}
		}
		j := i
		for j < n && !isSpace(text[j]) {
			j++
		}
		if j > i && (i == 0 || isSpace(text[i-1])) {
			a.chunk(s, text, i, j)
		} else {
			a.words(s, text, i, j)
		}
		i = j
	}
	if len(s.clauses) > 0 {
		s.cur().end = s.lastEnd
		s.cur().t1 = int32(len(s.toks))
	}
	for i := range s.clauses {
		if s.clauses[i].end < s.clauses[i].start {
			s.clauses[i].end = s.clauses[i].start
		}
	}
}

// chunk handles text[i:j], a run of non-space bytes.
func (a *Analyzer) chunk(s *scratch, text string, i, j int) {
	c := text[i:j]
	if len(c) > 1 && byteClass[c[0]] != cOther && byteClass[c[1]] != cOther && c[0]|0x20 != 'h' && c[0]|0x20 != 'w' {
		a.words(s, text, i, j) // the common case: a plain word
		return
	}
	switch {
	case c[0] == '@' && len(c) > 1:
		s.content(int32(i), false)
		s.lastEnd = int32(j)
		a.trailingPunct(s, text, i+1, j)
		return
	case hasPrefixFold(c, "http://") || hasPrefixFold(c, "https://") || hasPrefixFold(c, "www."):
		s.content(int32(i), false)
		s.lastEnd = int32(j)
		return
	case c[0] == '#' && len(c) > 1 && (isAlnum(c[1]) || c[1] >= 0x80):
		a.hashtag(s, text, i, j)
		return
	}
	if a.emoticon(s, text, i, j) {
		return
	}
	a.words(s, text, i, j)
}

// plain scans ASCII words and punctuation from text[i] up to the next space
// or non-ASCII byte and returns where it stopped. A word that runs into a
// non-ASCII byte ("don’t") is left unscanned and its start returned, so that
// words can take over.
func (a *Analyzer) plain(s *scratch, text string, i int) int {
	n := len(text)
	var w wordState
	for i < n {
		b := text[i]
		if byteClass[b] != cOther {
			// Scan one ASCII word, lowercasing and hashing as we go. The
			// caller sized lowerBuf so that ASCII words always fit.
			// Few live variables keep the loop in registers.
			buf := s.lowerBuf[:cap(s.lowerBuf)]
			lo, start := len(s.lowerBuf), i
			k := lo
			var cases uint8
			for ; i < n; i++ {
				b = text[i]
				cases |= byteCase[b]
				if lb := lowerByte[b]; lb != 0 {
					b = lb
				} else if b != '\'' && b != '-' || i == start || i+1 >= n || !isAlnum(text[i+1]) {
					break
				}
				buf[k] = b
				k++
			}
			if i < n && text[i] >= 0x80 {
				return start // let words handle "don’t", "café"
			}
			s.lowerBuf = buf[:k]
			up := 0
			if cases == caseUpper { // ALL CAPS: count the capitals
				for x := start; x < i; x++ {
					up += int(byteCase[text[x]] & caseUpper)
				}
			}
			w.start, w.lo, w.cases, w.upper = start, int32(lo), cases, up // fields, not a literal: see endWord
			a.endWord(s, &w, i, false)
			continue
		}
		if b >= 0x80 || isSpace(b) {
			return i
		}
		if b == '&' {
			if k := htmlEntity(text[i:]); k > 0 {
				s.lastEnd = int32(i + k)
				i += k
				continue
			}
		}
		if len(s.toks) > 0 && s.toks[len(s.toks)-1].end == int32(i) {
			s.toks[len(s.toks)-1].punctAfter = true
		}
		a.punct(s, b, i+1 == n || !isAlnum(text[i+1]))
		s.lastEnd = int32(i + 1)
		i++
	}
	return i
}

// trailingPunct counts the sentence punctuation at the end of text[i:j]
// without emitting tokens (used after @mentions).
func (a *Analyzer) trailingPunct(s *scratch, text string, i, j int) {
	k := j
	for k > i && (text[k-1] == '.' || text[k-1] == '!' || text[k-1] == '?' || text[k-1] == ';' || text[k-1] == ',' || text[k-1] == ':') {
		k--
	}
	for ; k < j; k++ {
		a.punct(s, text[k], k+1 == j || !isAlnum(text[k+1]))
	}
}

// punct records one punctuation byte; end reports whether it is not followed
// by a letter or digit.
func (a *Analyzer) punct(s *scratch, b byte, end bool) {
	if len(s.clauses) == 0 {
		return
	}
	switch b {
	case '!':
		s.excl++
		s.cur().excl++
		s.pendingBreak = true
	case '?':
		s.quest++
		s.cur().quest++
		s.pendingBreak = true
	case '.', ';':
		if end {
			s.pendingBreak = true
		}
	}
}

func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		b := s[i]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != prefix[i] {
			return false
		}
	}
	return true
}

// emoticon emits text[i:j] as one token when, without trailing sentence
// punctuation, it is a rated emoticon or hyphenated term such as ":-(" or
// "</3".
func (a *Analyzer) emoticon(s *scratch, text string, i, j int) bool {
	if j-i > 1 && isWordByte(text[i]) && isWordByte(text[i+1]) {
		return false // a word, perhaps with punctuation inside
	}
	k := j
	for k > i+1 && (text[k-1] == '.' || text[k-1] == ',' || text[k-1] == '!' || text[k-1] == '?' || text[k-1] == '"') {
		k--
	}
	core := text[i:k]
	if len(core) > 20 {
		return false
	}
	special := false
	for x := 0; x < len(core); x++ {
		b := core[x]
		if b >= 0x80 {
			return false
		}
		if !isAlnum(b) && b != '\'' {
			special = true
		}
	}
	if !special {
		return false
	}
	s.key = appendLowerASCII(s.key[:0], core)
	e, ok := a.m.wordTab.lookup(s.key)
	if !ok && len(core) > 2 && core[len(core)-1] == core[len(core)-2] {
		// ":((" and ":)))": drop the repeats.
		r := len(s.key)
		for r > 1 && s.key[r-1] == s.key[r-2] {
			r--
		}
		e, ok = a.m.wordTab.lookup(s.key[:r])
	}
	if !ok || e.flags&fLexicon == 0 {
		return false
	}
	s.content(int32(i), false)
	lo := int32(len(s.lowerBuf))
	s.lowerBuf = append(s.lowerBuf, s.key...)
	s.toks = append(s.toks, token{start: int32(i), end: int32(k), lo: lo, hi: int32(len(s.lowerBuf)),
		clause: int32(len(s.clauses) - 1), val: e.val, flags: e.flags, h: hashKey(s.key)})
	s.lastEnd = int32(j)
	for x := k; x < j; x++ {
		a.punct(s, text[x], true)
	}
	return true
}

func appendLowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		dst = append(dst, b)
	}
	return dst
}

// Byte classes for the word scanner.
const (
	cOther = iota
	cLower
	cUpper
	cDigit
)

var byteClass = func() (t [256]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		t[b] = cLower
	}
	for b := 'A'; b <= 'Z'; b++ {
		t[b] = cUpper
	}
	for b := '0'; b <= '9'; b++ {
		t[b] = cDigit
	}
	return t
}()

// Letter cases, as bits.
const (
	caseUpper = 1
	caseLower = 2
)

// lowerByte maps ASCII letters and digits to their lowercase form and every
// other byte to 0; byteCase is caseUpper or caseLower for letters.
var lowerByte, byteCase = func() (l, c [256]uint8) {
	for b := 0; b < 256; b++ {
		switch byteClass[b] {
		case cLower:
			l[b], c[b] = byte(b), caseLower
		case cUpper:
			l[b], c[b] = byte(b)|0x20, caseUpper
		case cDigit:
			l[b] = byte(b)
		}
	}
	return l, c
}()

// words emits the words, emoji and punctuation of text[i:j].
func (a *Analyzer) words(s *scratch, text string, i, j int) {
	w := wordState{start: -1}
	for x := i; x < j; {
		b := text[x]
		if b < 0x80 {
			if byteClass[b] != cOther || b == '\'' && w.start >= 0 && x+1 < j && isAlnum(text[x+1]) {
				x = w.scanASCII(s, text, x, j)
				continue
			}
			a.endWord(s, &w, x, false)
			if b == '&' {
				if n := htmlEntity(text[x:j]); n > 0 {
					s.lastEnd = int32(x + n)
					x += n
					continue
				}
			}
			if len(s.toks) > 0 && s.toks[len(s.toks)-1].end == int32(x) {
				s.toks[len(s.toks)-1].punctAfter = true
			}
			a.punct(s, b, x+1 == j || !isAlnum(text[x+1]))
			s.lastEnd = int32(x + 1)
			x++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[x:])
		switch {
		case r == '\u2019' && w.start >= 0 && x+size < j && isAlnum(text[x+size]):
			w.addByte(s, '\'')
		case r == utf8.RuneError && size == 1:
			a.endWord(s, &w, x, false)
		case unicode.IsLetter(r) || unicode.IsMark(r) && w.start >= 0:
			w.addRune(s, x, r)
		default:
			a.endWord(s, &w, x, false)
			if e, ok := a.m.emoji[r]; ok {
				s.content(int32(x), false)
				lo := int32(len(s.lowerBuf))
				s.toks = append(s.toks, token{start: int32(x), end: int32(x + size), lo: lo, hi: lo,
					clause: int32(len(s.clauses) - 1), val: e.val, flags: e.flags, h: hashKey(nil)})
			}
			s.lastEnd = int32(x + size)
		}
		x += size
	}
	a.endWord(s, &w, j, false)
}

// wordState accumulates one word while scanning.
type wordState struct {
	start int
	lo    int32
	cases uint8 // caseUpper|caseLower seen
	upper int   // uppercase letters (needed only when cases == caseUpper)
}

func (w *wordState) begin(s *scratch, x int) {
	if w.start < 0 {
		w.start = x
		w.lo = int32(len(s.lowerBuf))
		w.cases, w.upper = 0, 0
	}
}

// scanASCII adds the run of ASCII letters, digits and inner apostrophes at
// text[x:j] to the word and returns the offset after it.
func (w *wordState) scanASCII(s *scratch, text string, x, j int) int {
	w.begin(s, x)
	buf := s.lowerBuf
	for ; x < j; x++ {
		b := text[x]
		c := byteCase[b]
		w.cases |= c
		w.upper += int(c & caseUpper)
		if lb := lowerByte[b]; lb != 0 {
			b = lb
		} else if b != '\'' && b != '-' || x+1 >= j || !isAlnum(text[x+1]) || x == w.start {
			break
		}
		buf = append(buf, b)
	}
	s.lowerBuf = buf
	return x
}

func (w *wordState) addByte(s *scratch, b byte) {
	s.lowerBuf = append(s.lowerBuf, b)
}

func (w *wordState) addRune(s *scratch, x int, r rune) {
	w.begin(s, x)
	if unicode.IsUpper(r) {
		w.cases |= caseUpper
		w.upper++
	} else if unicode.IsLower(r) {
		w.cases |= caseLower
	}
	s.lowerBuf = utf8.AppendRune(s.lowerBuf, unicode.ToLower(r))
}

// endWord emits the word in progress, if any; end is its end offset.
func (a *Analyzer) endWord(s *scratch, w *wordState, end int, hashtag bool) {
	if w.start < 0 {
		return
	}
	start := w.start
	w.start = -1
	hi := int32(len(s.lowerBuf))
	low := s.lowerBuf[w.lo:hi]
	h := hashKey(low)
	e := a.m.wordTab.getp(low, h) // a pointer: copying the entry out stalls
	elong := false
	if e == nil && hasTriple(low) {
		if el, ok := a.lookupElongated(s, low); ok {
			e, elong = &el, true
		}
	}
	if e == nil {
		if hashtag && len(low) >= 6 && a.splitCompound(s, w.lo, hi, start, end) {
			return
		}
		e = &zeroEntry
	}
	flags := e.flags
	if len(s.clauses) == 0 || flags&(fBut|fClauseWord) != 0 {
		s.content(int32(start), true)
		if flags&fBut != 0 {
			s.cur().but = true
		}
	} else if s.pendingBreak {
		s.content(int32(start), false)
	}
	if len(low) >= 3 && low[len(low)-3] == 'n' && low[len(low)-2] == '\'' && low[len(low)-1] == 't' {
		flags |= fNegator
	}
	caps := false
	if !hashtag && w.cases != 0 {
		s.words++
		if w.upper >= 2 && w.cases == caseUpper {
			caps = true
			s.capsWords++
		}
	}
	// Fill the new element in place: composing a struct literal first makes
	// the copy stall on store forwarding.
	s.toks = append(s.toks, token{})
	t := &s.toks[len(s.toks)-1]
	t.start, t.end, t.lo, t.hi, t.h = int32(start), int32(end), w.lo, hi, h
	t.clause = int32(len(s.clauses) - 1)
	t.val, t.neg, t.boost, t.flags, t.maxPh = e.val, e.neg, e.boost, flags, e.maxPh
	t.caps, t.elong = caps, elong && e.val != 0
	t.hashtag = hashtag
	s.lastEnd = int32(end)
}

// hasTriple reports whether a letter repeats three times in a row ("sooo").
func hasTriple(b []byte) bool {
	for i := 2; i < len(b); i++ {
		if b[i] == b[i-1] && b[i] == b[i-2] && b[i] > '9' {
			return true
		}
	}
	return false
}

// lookupElongated retries an elongated word with letter runs cut to two and
// then to one ("goooood" → "good", "sooo" → "so").
func (a *Analyzer) lookupElongated(s *scratch, low []byte) (entry, bool) {
	for _, keep := range [2]int{2, 1} {
		s.key = s.key[:0]
		run := 0
		for i, b := range low {
			if i > 0 && b == low[i-1] {
				run++
			} else {
				run = 1
			}
			if run <= keep {
				s.key = append(s.key, b)
			}
		}
		if e, ok := a.m.wordTab.lookup(s.key); ok {
			return e, true
		}
	}
	return entry{}, false
}

// hashtag emits the words of a hashtag, split at case changes
// (#CheckoutFail → checkout fail).
func (a *Analyzer) hashtag(s *scratch, text string, i, j int) {
	s.content(int32(i), false)
	w := wordState{start: -1}
	prevLower := false
	x := i + 1
	for x < j {
		b := text[x]
		if b >= 0x80 {
			r, size := utf8.DecodeRuneInString(text[x:])
			if unicode.IsLetter(r) {
				if unicode.IsUpper(r) && prevLower {
					a.endWord(s, &w, x, true)
				}
				prevLower = unicode.IsLower(r)
				w.addRune(s, x, r)
				x += size
				continue
			}
			break
		}
		if !isAlnum(b) {
			if b == '_' {
				a.endWord(s, &w, x, true)
				prevLower = false
				x++
				continue
			}
			break
		}
		if b >= 'A' && b <= 'Z' && prevLower {
			a.endWord(s, &w, x, true)
		}
		prevLower = b >= 'a' && b <= 'z'
		w.scanASCII(s, text, x, x+1)
		x++
	}
	a.endWord(s, &w, x, true)
	s.lastEnd = int32(j)
	for ; x < j; x++ {
		a.punct(s, text[x], x+1 == j || !isAlnum(text[x+1]))
	}
}

// splitCompound tries to read an unsplit hashtag word as two words, the
// second one rated (#epicfail → epic fail). It emits the tokens and reports
// whether it did.
func (a *Analyzer) splitCompound(s *scratch, lo, hi int32, start, end int) bool {
	low := s.lowerBuf[lo:hi]
	for k := 2; k <= len(low)-3; k++ {
		e, ok := a.m.wordTab.lookup(low[k:])
		if !ok || e.val >= 0 || e.flags&fComplaint == 0 {
			continue // only failure words: #epicfail, #servicefail
		}
		left, _ := a.m.wordTab.lookup(low[:k])
		s.content(int32(start), false)
		s.toks = append(s.toks,
			token{start: int32(start), end: int32(end), lo: lo, hi: lo + int32(k), clause: int32(len(s.clauses) - 1),
				val: left.val, boost: left.boost, flags: left.flags &^ (fBut | fClauseWord | fPhraseStart), h: hashKey(low[:k])},
			token{start: int32(start), end: int32(end), lo: lo + int32(k), hi: hi, clause: int32(len(s.clauses) - 1),
				val: e.val, boost: e.boost, flags: e.flags &^ (fBut | fClauseWord | fPhraseStart), h: hashKey(low[k:])})
		s.lastEnd = int32(end)
		return true
	}
	return false
}

// matchPhrases replaces runs of tokens that form a known phrase by the
// phrase's entry on the first token; the others keep only their negation.
func (a *Analyzer) matchPhrases(s *scratch) {
	toks := s.toks
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		if t.flags&fPhraseStart == 0 || i+1 == len(toks) || !a.m.pairs.has(t.h, toks[i+1].h) {
			continue
		}
		maxN := min(int(t.maxPh), len(toks)-i)
		var best entry
		bestN := 0
		s.key = append(s.key[:0], s.lowerBuf[t.lo:t.hi]...)
		for n := 2; n <= maxN; n++ {
			next := &toks[i+n-1]
			if next.clause != t.clause {
				break
			}
			s.key = append(s.key, ' ')
			s.key = append(s.key, s.lowerBuf[next.lo:next.hi]...)
			e, ok := a.m.phraseTab.lookup(s.key)
			if !ok {
				break
			}
			if e.flags&fPrefix == 0 {
				best, bestN = e, n
			}
		}
		if bestN == 0 {
			continue
		}
		t.val, t.neg, t.boost, t.flags = best.val, best.neg, best.boost, best.flags
		t.end = toks[i+bestN-1].end
		for k := 1; k < bestN; k++ {
			c := &toks[i+k]
			c.val, c.boost, c.flags = 0, 0, c.flags&fNegator
		}
		i += bestN - 1
	}
}
