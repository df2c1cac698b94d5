package feature

import (
	"strings"
	"sync"
)

var (
	compoundsOnce sync.Once
	compoundIndex map[string][]string // first word → two-word WordNet entries starting with it
)

// wordnetCompounds returns the two-word words of the WordNet table
// (data/synonyms.txt) whose first word is first.
func wordnetCompounds(first string) []string {
	compoundsOnce.Do(func() {
		compoundIndex = map[string][]string{}
		seen := map[string]bool{}
		for line := range strings.SplitSeq(synonymTable, "\n") {
			if line == "" || line[0] == '#' {
				continue
			}
			for _, item := range strings.FieldsFunc(line, func(r rune) bool { return r == '\t' || r == ',' }) {
				a, b, ok := strings.Cut(item, " ")
				if !ok || b == "" || strings.ContainsAny(b, " -") || seen[item] {
					continue
				}
				seen[item] = true
				compoundIndex[a] = append(compoundIndex[a], item)
			}
		}
	})
	return compoundIndex[first]
}

// compoundsOf compiles the two-word WordNet compounds whose first word is
// the one-word term word (also after a plural or verb ending is taken off),
// leaving out those whose normalised form is in skip.
func compoundsOf(word string, skip map[string]bool) []compiled {
	norm, n, _ := normalizePhrase(word, false)
	if n != 1 {
		return nil
	}
	key := strings.ToLower(strings.TrimSpace(word))
	var out []compiled
	for _, w := range append([]string{key}, baseForms(key)...) {
		for _, cw := range wordnetCompounds(w) {
			first, _, _ := strings.Cut(cw, " ")
			if fn, _, _ := normalizePhrase(first, false); string(fn) != string(norm) {
				continue
			}
			c, err := compileTerm(cw)
			if err != nil {
				continue
			}
			k := string(c.segments[0][0].norm)
			if skip[k] {
				continue
			}
			skip[k] = true
			out = append(out, c)
		}
	}
	return out
}
