package textnorm

import (
	"unicode"
	"unicode/utf8"
)

// MaxTokenBytes bounds one normalised token. Longer runs of letters are not
// words (base64, hashes, keyboard mashing); they are skipped and break a
// phrase.
const MaxTokenBytes = 48

// Kind is what a token is.
type Kind uint8

// Token kinds.
const (
	Word    Kind = iota + 1 // letters and digits with at least one letter
	Number                  // digits only
	Hashtag                 // a word of a #hashtag; "#CheckoutFail" gives two
	Mention                 // an @handle; the normalised form is the handle without "@"
	URL                     // http://, https:// or www. up to the next space or invalid UTF-8; no normalised form
	Emoji                   // one emoji with its modifiers (skin tone, variation selector, ZWJ sequence)
)

var kindNames = [...]string{"", "word", "number", "hashtag", "mention", "url", "emoji"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Kinds is a set of kinds.
type Kinds uint8

// Set returns the set of the given kinds.
func Set(kinds ...Kind) Kinds {
	var s Kinds
	for _, k := range kinds {
		s |= 1 << k
	}
	return s
}

// Has reports whether k is in s.
func (s Kinds) Has(k Kind) bool { return s&(1<<k) != 0 }

// Words is the default set: words, numbers and hashtag words.
var Words = Set(Word, Number, Hashtag)

// Options is a stage's policy over the shared definition of a token.
type Options struct {
	// Emit is the kinds Next returns. A token of another kind is skipped and
	// breaks a phrase. Zero means Words.
	Emit Kinds
	// KeepApostrophes keeps an apostrophe between two letters or digits in
	// the normalised word ("won't"; U+2019 becomes "'"). Without it the
	// apostrophe is dropped ("wont").
	KeepApostrophes bool
	// KeepHyphens keeps a hyphen between two letters or digits inside one
	// word ("sign-in"). Without it the hyphen separates two words of one
	// phrase.
	KeepHyphens bool
	// KeepCamelCase keeps a CamelCase word outside a hashtag whole
	// ("PayPal" → "paypal", "iPhone" → "iphone"), for stages that show
	// words to people. Hashtags are split either way. Without it
	// "checkoutFail" is "checkout", "fail" wherever it is.
	KeepCamelCase bool
}

// Token is one token of a text, located in the original bytes.
type Token struct {
	Start, End int  // byte span in the text as written
	Kind       Kind // what the token is
	// Break reports a phrase break between this token and the previous one:
	// sentence punctuation, symbols, or a skipped token (a mention, URL or
	// emoji not emitted, an over-long word). Whitespace, hyphens, slashes,
	// underscores, "+", "&" and quotes join the words of a phrase, and so
	// does a "." between two letters or digits ("amazon.com", "v2.1").
	Break bool
}

// Scanner splits a text into tokens. The zero Scanner scans the empty text;
// a Scanner is a value and its use does not allocate.
//
// Words are runs of letters, digits and combining marks (marks are dropped
// from the normalised form), lowercased. A word is split before an
// upper-case letter that follows a lower-case one ("checkoutFail") or that
// starts a lower-case run of two or more after capitals ("HTTPError"); with
// Options.KeepCamelCase only inside a hashtag.
// Invisible format characters (zero-width space and joiners, soft hyphen,
// BOM) inside a word are skipped: "log\u200bin" is "login".
type Scanner struct {
	text    string
	pos     int
	opts    Options
	hashtag bool // inside a #hashtag (continues over CamelCase parts)
	brk     bool // a phrase break was seen since the last token
}

// NewScanner returns a scanner of text under opts.
func NewScanner(text string, opts Options) Scanner {
	if opts.Emit == 0 {
		opts.Emit = Words
	}
	return Scanner{text: text, opts: opts}
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

// urlEnd returns the end of the URL starting at i: the next whitespace or
// invalid UTF-8.
func urlEnd(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return i
}

// Next returns the next token of an emitted kind, its normalised form
// written to buf (lowercase, not stemmed; empty for a URL), and false at the
// end of the text. The returned slice aliases buf.
func (s *Scanner) Next(buf *[MaxTokenBytes]byte) (Token, []byte, bool) {
	text := s.text
	for s.pos < len(text) {
		c := text[s.pos]
		if c < utf8.RuneSelf {
			switch {
			case isASCIIAlnum(c):
				if (c == 'h' || c == 'H') && (hasPrefixFold(text, s.pos, "http://") || hasPrefixFold(text, s.pos, "https://")) ||
					(c == 'w' || c == 'W') && hasPrefixFold(text, s.pos, "www.") {
					start := s.pos
					s.pos = urlEnd(text, s.pos)
					if t, ok := s.other(start, URL); ok {
						return t, buf[:0], true
					}
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
				if t, w, ok := s.mention(buf); ok {
					return t, w, true
				}
				continue
			case joiner(c) || c == '.' && s.pos > 0 && s.pos+1 < len(text) && isASCIIAlnum(text[s.pos-1]) && isASCIIAlnum(text[s.pos+1]):
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
			s.pos += size
			continue
		}
		if isEmoji(r) {
			start := s.pos
			s.pos = emojiEnd(text, r, s.pos+size)
			if t, ok := s.other(start, Emoji); ok {
				if s.pos-start <= MaxTokenBytes {
					return t, buf[:copy(buf[:], text[start:s.pos])], true
				}
			}
			continue
		}
		s.brk, s.hashtag = true, false
		s.pos += size
	}
	return Token{}, nil, false
}

// other finishes a token that is not a word: it is returned when its kind is
// emitted, and either way breaks the phrase after it.
func (s *Scanner) other(start int, k Kind) (Token, bool) {
	s.hashtag = false
	if !s.opts.Emit.Has(k) {
		s.brk = true
		return Token{}, false
	}
	t := Token{Start: start, End: s.pos, Kind: k, Break: s.brk}
	s.brk = true
	return t, true
}

// mention consumes "@handle" at s.pos. A lone "@" is a phrase break.
func (s *Scanner) mention(buf *[MaxTokenBytes]byte) (Token, []byte, bool) {
	text := s.text
	start := s.pos
	s.pos++
	n := 0
	for s.pos < len(text) && (isASCIIAlnum(text[s.pos]) || text[s.pos] == '_') {
		c := text[s.pos]
		if isASCIIUpper(c) {
			c += 'a' - 'A'
		}
		if n < MaxTokenBytes {
			buf[n] = c
		}
		n++
		s.pos++
	}
	if n == 0 || n > MaxTokenBytes {
		s.brk, s.hashtag = true, false
		return Token{}, nil, false
	}
	t, ok := s.other(start, Mention)
	return t, buf[:n], ok
}

// word consumes one word starting at s.pos. It returns ok=false when the
// word was skipped: too long to be a word, or of a kind not emitted.
func (s *Scanner) word(buf *[MaxTokenBytes]byte) (Token, []byte, bool) {
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
				if i > start && isASCIIUpper(c) && (s.hashtag || !s.opts.KeepCamelCase) {
					p := text[i-1]
					if isASCIILower(p) || isASCIIUpper(p) && i+2 < len(text) && isASCIILower(text[i+1]) && isASCIILower(text[i+2]) {
						break
					}
				}
				if n < MaxTokenBytes {
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
				i++ // "can't" → "cant" (or "can't")
				n, over = s.keep(buf, n, over, '\'', s.opts.KeepApostrophes)
				continue
			}
			if c == '-' && s.opts.KeepHyphens && i > start && i+1 < len(text) && isASCIIAlnum(text[i+1]) {
				i++
				n, over = s.keep(buf, n, over, '-', true)
				continue
			}
			break
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '\u2019' && i > start && i+size < len(text) && isASCIIAlnum(text[i+size]) {
			i += size
			n, over = s.keep(buf, n, over, '\'', s.opts.KeepApostrophes)
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
			if n+utf8.RuneLen(lr) <= MaxTokenBytes && lr != utf8.RuneError {
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
		return Token{}, nil, false
	}
	k := Word
	if s.hashtag {
		k = Hashtag
	} else if c := buf[0]; (c < 'A' || c >= utf8.RuneSelf) && isNumber(buf[:n]) {
		k = Number // most words start with an ASCII letter and skip the loop
	}
	if !s.opts.Emit.Has(k) {
		s.brk = true
		return Token{}, nil, false
	}
	// Format characters after the word are skipped but not part of it.
	t := Token{Start: start, End: end, Kind: k, Break: s.brk}
	s.brk = false
	return t, buf[:n], true
}

// isNumber reports whether the normalised word w has digits and no letters.
func isNumber(w []byte) bool {
	for i := 0; i < len(w); {
		if c := w[i]; c < utf8.RuneSelf {
			if c >= 'A' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(w[i:])
		if !unicode.IsDigit(r) {
			return false
		}
		i += size
	}
	return true
}

// keep writes the inner punctuation c into the word when want is set.
func (s *Scanner) keep(buf *[MaxTokenBytes]byte, n int, over bool, c byte, want bool) (int, bool) {
	if !want {
		return n, over
	}
	if n < MaxTokenBytes {
		buf[n] = c
		return n + 1, over
	}
	return n, true
}

// isEmoji reports whether r starts an emoji: the pictograph, symbol and
// dingbat blocks, and regional indicators (flags).
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, // pictographs, emoticons, transport, flags, supplemental symbols
		r >= 0x2600 && r <= 0x27BF, // miscellaneous symbols, dingbats
		r >= 0x2300 && r <= 0x23FF, // technical: watch, hourglass
		r >= 0x2B00 && r <= 0x2BFF: // arrows, stars
		return true
	}
	return false
}

// emojiEnd returns the end of the emoji whose first rune ends at i: it takes
// variation selectors, skin tones, keycaps, tags, a second regional
// indicator, and further pictographs joined by zero-width joiners.
func emojiEnd(text string, first rune, i int) int {
	flag := first >= 0x1F1E6 && first <= 0x1F1FF
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == 0xFE0F || r == 0xFE0E || r == 0x20E3 || r >= 0x1F3FB && r <= 0x1F3FF || r >= 0xE0020 && r <= 0xE007F:
			i += size
		case flag && r >= 0x1F1E6 && r <= 0x1F1FF: // the second letter of a flag
			i += size
			flag = false
		case r == 0x200D:
			r2, size2 := utf8.DecodeRuneInString(text[i+size:])
			if !isEmoji(r2) {
				return i
			}
			i += size + size2
		default:
			return i
		}
	}
	return i
}
