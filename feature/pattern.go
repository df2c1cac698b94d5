package feature

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/socialpulse/socialpulse/textnorm"
)

// Limits that keep a taxonomy's automaton small and a post's cost bounded.
const (
	maxPhraseTokens    = 12   // words in one term or pattern segment
	maxExpansions      = 1024 // literal phrases one pattern segment may expand to
	maxGap             = 9    // largest *N gap
	defaultGap         = 3    // tokens a bare * may skip
	hashtagInteriorMin = 5    // bytes a term needs to match inside an unsplit #hashtag
)

// phrase is one literal alternative, normalised into matcher bytes.
type phrase struct {
	norm   []byte // concatenated stemmed words
	prefix bool   // the last word is a prefix ("refund*")
}

// compiled is one term, pattern or exclusion turned into segments of
// literal phrases separated by gaps.
type compiled struct {
	segments [][]phrase
	gaps     []int // gaps[i]: most tokens allowed between segment i-1 and i (gaps[0] unused)
}

// normalizePhrase turns literal words into matcher bytes, the way Tag
// normalises text. prefix keeps the last word unstemmed. It reports whether
// punctuation inside the words would break the phrase in text.
func normalizePhrase(words string, prefix bool) (norm []byte, ntok int, broken bool) {
	sc := textnorm.NewScanner(words, textnorm.Options{})
	var buf [textnorm.MaxTokenBytes]byte
	var toks [][]byte
	for {
		t, w, ok := sc.Next(&buf)
		if !ok {
			break
		}
		if t.Break && len(toks) > 0 {
			broken = true
		}
		toks = append(toks, append([]byte(nil), w...))
	}
	for i, w := range toks {
		if !(prefix && i == len(toks)-1) {
			w = textnorm.Stem(w)
		}
		norm = append(norm, w...)
	}
	return norm, len(toks), broken
}

// compileTerm compiles a literal term: words and phrases, no syntax.
func compileTerm(term string) (compiled, error) {
	norm, n, broken := normalizePhrase(term, false)
	switch {
	case n == 0:
		return compiled{}, errors.New("has no words")
	case n > maxPhraseTokens:
		return compiled{}, fmt.Errorf("has %d words, at most %d", n, maxPhraseTokens)
	case broken:
		return compiled{}, errors.New("has punctuation between its words that breaks a phrase in text; split it into separate terms")
	}
	return compiled{segments: [][]phrase{{{norm: norm}}}, gaps: []int{0}}, nil
}

// compilePattern compiles the pattern syntax documented in the package doc:
// words, (a|b) alternatives, [a|b] optional alternatives, word* prefixes and
// * or *N gaps.
func compilePattern(p string) (compiled, error) {
	items, err := splitPattern(p)
	if err != nil {
		return compiled{}, err
	}
	var c compiled
	var seg [][]string // items of the current segment, each a list of alternatives
	gap := 0
	flush := func() error {
		if len(seg) == 0 {
			return nil
		}
		phr, err := expand(seg)
		if err != nil {
			return err
		}
		c.segments = append(c.segments, phr)
		c.gaps = append(c.gaps, gap)
		seg = nil
		return nil
	}
	for i, it := range items {
		if n, ok := gapItem(it); ok {
			if i == 0 || i == len(items)-1 {
				return compiled{}, errors.New("a gap (*) needs words on both sides")
			}
			if len(seg) == 0 {
				return compiled{}, errors.New("two gaps in a row")
			}
			if err := flush(); err != nil {
				return compiled{}, err
			}
			gap = n
			continue
		}
		if strings.HasPrefix(it, "*") && len(it) > 1 {
			return compiled{}, fmt.Errorf("bad gap %q: want * or *1..*%d", it, maxGap)
		}
		if strings.HasPrefix(it, "(") || strings.HasPrefix(it, "[") {
			alts := strings.Split(it[1:len(it)-1], "|")
			for j := range alts {
				alts[j] = strings.TrimSpace(alts[j])
			}
			if it[0] == '[' {
				alts = append(alts, "")
			} else {
				for _, a := range alts {
					if a == "" {
						return compiled{}, fmt.Errorf("empty alternative in %s; use [...] for optional words", it)
					}
				}
			}
			seg = append(seg, alts)
			continue
		}
		seg = append(seg, []string{it})
	}
	if err := flush(); err != nil {
		return compiled{}, err
	}
	if len(c.segments) == 0 {
		return compiled{}, errors.New("has no words")
	}
	return c, nil
}

func gapItem(it string) (int, bool) {
	if it == "*" {
		return defaultGap, true
	}
	if len(it) == 2 && it[0] == '*' && it[1] >= '1' && it[1] <= '9' {
		n, _ := strconv.Atoi(it[1:])
		return n, true
	}
	return 0, false
}

// splitPattern splits a pattern into words and bracketed groups.
func splitPattern(p string) ([]string, error) {
	var items []string
	i := 0
	for i < len(p) {
		c := p[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == '[':
			closer := byte(')')
			if c == '[' {
				closer = ']'
			}
			j := strings.IndexByte(p[i+1:], closer)
			if j < 0 {
				return nil, fmt.Errorf("unclosed %q", string(c))
			}
			body := p[i+1 : i+1+j]
			if strings.ContainsAny(body, "()[]") {
				return nil, errors.New("groups cannot nest")
			}
			items = append(items, p[i:i+j+2])
			i += j + 2
		case c == ')' || c == ']':
			return nil, fmt.Errorf("unexpected %q", string(c))
		default:
			j := i
			for j < len(p) && p[j] != ' ' && p[j] != '\t' && p[j] != '(' && p[j] != '[' && p[j] != ')' && p[j] != ']' {
				j++
			}
			items = append(items, p[i:j])
			i = j
		}
	}
	return items, nil
}

// expand turns a segment's items into its literal phrases.
func expand(seg [][]string) ([]phrase, error) {
	combos := []string{""}
	for _, alts := range seg {
		if len(combos)*len(alts) > maxExpansions {
			return nil, fmt.Errorf("expands to more than %d phrases", maxExpansions)
		}
		next := make([]string, 0, len(combos)*len(alts))
		for _, c := range combos {
			for _, a := range alts {
				next = append(next, strings.TrimSpace(c+" "+a))
			}
		}
		combos = next
	}
	var out []phrase
	seen := map[string]bool{}
	for _, words := range combos {
		prefix := false
		if strings.HasSuffix(words, "*") {
			prefix = true
			words = strings.TrimSuffix(words, "*")
		}
		if strings.Contains(words, "*") {
			return nil, errors.New("word* must be the last word of the pattern or come right before a gap (inflections such as \"opened\" match \"open\" without it)")
		}
		if strings.Contains(words, "|") {
			return nil, errors.New("| outside (...) or [...]")
		}
		norm, n, broken := normalizePhrase(words, prefix)
		switch {
		case n == 0:
			return nil, errors.New("a segment can be empty; make one of its words required")
		case n > maxPhraseTokens:
			return nil, fmt.Errorf("a phrase has %d words, at most %d", n, maxPhraseTokens)
		case broken:
			return nil, fmt.Errorf("%q has punctuation that breaks a phrase in text", words)
		}
		key := string(norm)
		if prefix {
			key += "*"
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, phrase{norm: norm, prefix: prefix})
	}
	return out, nil
}
