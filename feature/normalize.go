package feature

import (
	"unicode"
	"unicode/utf8"
)

// maxTokenBytes bounds one normalised token. Longer runs of letters are not
// words (base64, hashes, keyboard mashing) and are skipped as phrase breaks.
const maxTokenBytes = 48

// token is one word of a text, located in the original bytes.
type token struct {
	start, end  int  // byte offsets of the word in the original text
	hashtag     bool // the word is (part of) a #hashtag
	breakBefore bool // a phrase break (sentence punctuation, URL, symbol) precedes the word
}

// scanner splits a text into words. It lowercases, drops apostrophes inside
// words ("can't" → "cant"), splits CamelCase ("CheckoutFail" → "checkout",
// "fail"), skips @mentions and URLs, and reports punctuation that ends a
// phrase. Hyphens, slashes, underscores and whitespace join the words of a
// phrase; other punctuation, symbols and emoji break it.
//
// The scanner never allocates: next writes the normalised word into buf.
type scanner struct {
	text    string
	pos     int
	hashtag bool // inside a #hashtag (continues over CamelCase parts)
	brk     bool // a phrase break was seen since the last word
}

func isASCIIAlnum(c byte) bool {
	return c-'a' < 26 || c-'A' < 26 || c-'0' < 10
}

func isASCIIUpper(c byte) bool { return c-'A' < 26 }
func isASCIILower(c byte) bool { return c-'a' < 26 }

// joiner reports whether c continues a phrase between two words.
func joiner(c byte) bool {
	switch c {
	case ' ', '\t', '-', '/', '_', '+', '&', '\'', '"':
		return true
	}
	return false
}

// wordRune reports whether r can be part of a word.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// hasPrefixFold reports whether s[i:] starts with the lowercase ASCII prefix p, ignoring case.
func hasPrefixFold(s string, i int, p string) bool {
	if len(s)-i < len(p) {
		return false
	}
	for j := 0; j < len(p); j++ {
		c := s[i+j]
		if isASCIIUpper(c) {
			c += 'a' - 'A'
		}
		if c != p[j] {
			return false
		}
	}
	return true
}

// skipNonSpace advances past the run of non-whitespace bytes at i.
func skipNonSpace(s string, i int) int {
	for i < len(s) && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' {
		i++
	}
	return i
}

// next returns the next word, its normalised (lowercase, unstemmed) bytes
// written to buf, and false at the end of the text.
func (s *scanner) next(buf *[maxTokenBytes]byte) (token, []byte, bool) {
	text := s.text
	for s.pos < len(text) {
		c := text[s.pos]
		if c < utf8.RuneSelf {
			switch {
			case isASCIIAlnum(c):
				if (c == 'h' || c == 'H') && (hasPrefixFold(text, s.pos, "http://") || hasPrefixFold(text, s.pos, "https://")) ||
					(c == 'w' || c == 'W') && hasPrefixFold(text, s.pos, "www.") {
					s.pos = skipNonSpace(text, s.pos)
					s.brk, s.hashtag = true, false
					continue
				}
				if t, w, ok := s.word(buf); ok {
					return t, w, true
				}
				continue
			case c == '#':
				s.pos++
				s.hashtag = true
				continue
			case c == '@':
				// A @handle addresses someone; it is not what the post is about.
				s.pos++
				for s.pos < len(text) && (isASCIIAlnum(text[s.pos]) || text[s.pos] == '_') {
					s.pos++
				}
				s.brk, s.hashtag = true, false
				continue
			case joiner(c) || c == '.' && s.pos > 0 && s.pos+1 < len(text) && isASCIIAlnum(text[s.pos-1]) && isASCIIAlnum(text[s.pos+1]):
				// "amazon.com" and "v2.1" stay one phrase.
				s.hashtag = false
			default:
				s.brk, s.hashtag = true, false
			}
			s.pos++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[s.pos:])
		if wordRune(r) && !unicode.Is(unicode.Mn, r) {
			if t, w, ok := s.word(buf); ok {
				return t, w, true
			}
			continue
		}
		if r == '\u2019' || r == '\u00a0' || r == '\u2018' || r == '\u201c' || r == '\u201d' || r == '\u2013' {
			s.hashtag = false // typographic quotes, nbsp and en dash join like their ASCII forms
		} else {
			s.brk, s.hashtag = true, false
		}
		s.pos += size
	}
	return token{}, nil, false
}

// word consumes one word starting at s.pos. It returns ok=false when the
// word was too long to be a word (it is then skipped as a phrase break).
func (s *scanner) word(buf *[maxTokenBytes]byte) (token, []byte, bool) {
	text := s.text
	start := s.pos
	n := 0
	over := false
	i := start
	end := start // after the last visible character of the word
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if isASCIIAlnum(c) {
				// CamelCase: split before an upper-case letter that follows a
				// lower-case one ("checkoutFail"), or that starts a lower-case
				// run of two or more after capitals ("HTTPError").
				if i > start && isASCIIUpper(c) {
					p := text[i-1]
					if isASCIILower(p) || isASCIIUpper(p) && i+2 < len(text) && isASCIILower(text[i+1]) && isASCIILower(text[i+2]) {
						break
					}
				}
				if n < maxTokenBytes {
					if isASCIIUpper(c) {
						c += 'a' - 'A'
					}
					buf[n] = c
					n++
				} else {
					over = true
				}
				i++
				end = i
				continue
			}
			if c == '\'' && i > start && i+1 < len(text) && isASCIIAlnum(text[i+1]) {
				i++ // "can't" → "cant"
				continue
			}
			break
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '\u2019' && i > start && i+size < len(text) && isASCIIAlnum(text[i+size]) {
			i += size
			continue
		}
		if unicode.Is(unicode.Cf, r) && i > start {
			// Invisible format characters (zero-width space and joiners,
			// soft hyphen, BOM, direction marks) inside a word are not
			// word breaks: "log\u200bin" is "login".
			i += size
			continue
		}
		if !wordRune(r) {
			break
		}
		if !unicode.Is(unicode.Mn, r) {
			lr := unicode.ToLower(r)
			if n+utf8.RuneLen(lr) <= maxTokenBytes && lr != utf8.RuneError {
				n += utf8.EncodeRune(buf[n:], lr)
			} else {
				over = true
			}
		}
		i += size
		end = i
	}
	if i == start { // cannot happen for a word start, but never loop forever
		i++
	}
	if end == start {
		end = i
	}
	s.pos = i
	if over {
		s.brk = true
		return token{}, nil, false
	}
	// Format characters after the word are skipped but not part of it.
	t := token{start: start, end: end, hashtag: s.hashtag, breakBefore: s.brk}
	s.brk = false
	return t, buf[:n], true
}

// stem strips common English inflections from a lowercase word so that
// "logged", "logging", "logs" and "log" share one form. It follows the
// first and last steps of Porter's algorithm (plurals, -ed, -ing, final -e),
// which is enough to map a word's inflections to one form; the same function
// normalises taxonomy terms at build time and text at match time, so the
// form need not be a real root. It rewrites w in place.
func stem(w []byte) []byte {
	n := len(w)
	if n < 4 {
		return w
	}
	switch w[n-1] {
	case 's', 'd', 'g', 'e':
	default:
		return w // nothing to strip: most words
	}
	switch {
	case n > 4 && w[n-3] == 'i' && w[n-2] == 'e' && (w[n-1] == 's' || w[n-1] == 'd'):
		w[n-3] = 'y' // replies, replied → reply
		return w[:n-2]
	case n > 4 && w[n-4] == 's' && w[n-3] == 's' && w[n-2] == 'e' && w[n-1] == 's':
		n -= 2 // addresses → address
	case n > 3 && w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i':
		n--
	}
	stripped := false
	switch {
	case n >= 5 && w[n-2] == 'e' && w[n-1] == 'd' && hasVowel(w[:n-2]):
		n -= 2
		stripped = true
	case n >= 6 && w[n-3] == 'i' && w[n-2] == 'n' && w[n-1] == 'g' && hasVowel(w[:n-3]):
		n -= 3
		stripped = true
	}
	if stripped {
		switch {
		case n >= 6 && w[n-3] == 'e' && w[n-2] == 'l' && w[n-1] == 'l':
			n-- // British doubling: cancelled, travelling → cancel, travel
		case w[n-2] == 'a' && w[n-1] == 't' || w[n-2] == 'b' && w[n-1] == 'l' || w[n-2] == 'i' && w[n-1] == 'z':
			w[n] = 'e' // rated → rate, enabled → enable
			n++
		case n >= 4 && w[n-1] == w[n-2] && isConsonant(w, n-1) && w[n-1] != 'l' && w[n-1] != 's' && w[n-1] != 'z':
			n-- // shipped → ship, logging → log; billed, missed keep theirs
		case measure(w[:n]) == 1 && cvc(w[:n]):
			w[n] = 'e' // hoped → hope, coded → code
			n++
		}
	}
	if n > 3 && w[n-1] == 'e' {
		if m := measure(w[:n-1]); m > 1 || m == 1 && !cvc(w[:n-1]) {
			n-- // charge → charg (as charged), but site, note, phone stay
		}
	}
	return w[:n]
}

// isConsonant reports whether w[i] is a consonant in Porter's sense: not
// a, e, i, o, u, and y only at the start or after a vowel.
func isConsonant(w []byte, i int) bool {
	switch w[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !isConsonant(w, i-1)
	}
	return true
}

func hasVowel(w []byte) bool {
	for i := range w {
		if !isConsonant(w, i) {
			return true
		}
	}
	return false
}

// measure counts the vowel-consonant sequences of w (Porter's m) in one pass.
func measure(w []byte) int {
	m := 0
	prevCons, seenVowel := true, false
	for i, c := range w {
		cons := true
		switch c {
		case 'a', 'e', 'i', 'o', 'u':
			cons = false
		case 'y':
			cons = i == 0 || !prevCons
		}
		if cons && !prevCons && seenVowel {
			m++
		}
		if !cons {
			seenVowel = true
		}
		prevCons = cons
	}
	return m
}

// cvc reports whether w ends consonant-vowel-consonant, the last not w, x or y.
func cvc(w []byte) bool {
	n := len(w)
	if n < 3 || !isConsonant(w, n-3) || isConsonant(w, n-2) || !isConsonant(w, n-1) {
		return false
	}
	c := w[n-1]
	return c != 'w' && c != 'x' && c != 'y'
}
