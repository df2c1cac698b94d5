package feature

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Expand says which WordNet words a feature's terms are expanded with when
// the taxonomy is compiled (YAML "expand", per feature or for the whole
// taxonomy). A match found through an expansion has Match.Expanded set.
type Expand string

// Expansion settings.
const (
	ExpandDefault  Expand = ""         // a feature: the taxonomy's setting; a taxonomy: ExpandOff
	ExpandOff      Expand = "off"      // only the written terms
	ExpandSynonyms Expand = "synonyms" // + other words of the same WordNet synset
	ExpandHyponyms Expand = "hyponyms" // + synonyms and the synset's direct hyponyms
)

// DefaultExpandSenses is how many of a term's most frequent WordNet senses
// an expansion uses when Taxonomy.ExpandSenses is 0.
const DefaultExpandSenses = 1

func (e Expand) valid() bool {
	switch e {
	case ExpandDefault, ExpandOff, ExpandSynonyms, ExpandHyponyms:
		return true
	}
	return false
}

// synonymTable is data/synonyms.txt, written by feature/internal/wngen from
// WordNet 3.1 (see data/NOTICE): word TAB synonyms of sense 1 TAB hyponyms
// of sense 1 TAB synonyms of sense 2 TAB hyponyms of sense 2, items
// comma-separated.
//
//go:embed data/synonyms.txt
var synonymTable string

var (
	synonymsOnce sync.Once
	synonymLines []string // the table's lines, sorted by word (wngen writes them so)
)

// wordnetLine returns the table line of word, without the word.
func wordnetLine(word string) (string, bool) {
	synonymsOnce.Do(func() {
		synonymLines = make([]string, 0, 70000)
		for line := range strings.SplitSeq(synonymTable, "\n") {
			if line != "" && line[0] != '#' {
				synonymLines = append(synonymLines, line)
			}
		}
	})
	key := func(line string) string {
		w, _, _ := strings.Cut(line, "\t")
		return w
	}
	i, ok := slices.BinarySearchFunc(synonymLines, word, func(line, w string) int { return strings.Compare(key(line), w) })
	if !ok {
		return "", false
	}
	_, rest, _ := strings.Cut(synonymLines[i], "\t")
	return rest, true
}

// wordnetExpansions returns the WordNet words a term expands to under e,
// from its first senses senses. A term is looked up as written (lowercase,
// one or two words) and then with a plural or verb ending taken off its last
// word ("drinks" → "drink", "cancelled" → "cancel").
func wordnetExpansions(term string, e Expand, senses int) []string {
	if e != ExpandSynonyms && e != ExpandHyponyms {
		return nil
	}
	key := strings.Join(strings.Fields(strings.ToLower(term)), " ")
	if strings.Count(key, " ") > 1 {
		return nil
	}
	rest, ok := wordnetLine(key)
	for _, base := range baseForms(key) {
		if ok {
			break
		}
		rest, ok = wordnetLine(base)
	}
	if !ok {
		return nil
	}
	var out []string
	for i, field := range strings.Split(rest, "\t") {
		if i >= 2*senses {
			break
		}
		if i%2 == 1 && e != ExpandHyponyms {
			continue
		}
		for _, w := range strings.Split(field, ",") {
			if w != "" {
				out = append(out, w)
			}
		}
	}
	return out
}

// baseForms returns the forms a word's last word may have before a plural
// or verb ending, most likely first (after WordNet's morphy rules).
func baseForms(key string) []string {
	head, last := "", key
	if i := strings.LastIndexByte(key, ' '); i >= 0 {
		head, last = key[:i+1], key[i+1:]
	}
	var out []string
	for _, r := range [][2]string{
		{"ies", "y"}, {"ches", "ch"}, {"shes", "sh"}, {"ses", "s"}, {"xes", "x"}, {"s", ""},
		{"lled", "l"}, {"ied", "y"}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""},
	} {
		if stem, ok := strings.CutSuffix(last, r[0]); ok && len(stem) >= 2 && !strings.HasSuffix(last, "ss") {
			out = append(out, head+stem+r[1])
		}
	}
	return out
}

// expansion is a WordNet word that a feature's terms expand to.
type expansion struct {
	feature int
	word    string
	c       compiled
}

// expansions compiles the WordNet words each feature's terms expand to,
// leaving out words that are a written or name term of any feature (taken
// is their normalised first phrase) and words two features expand to.
func expansions(t *Taxonomy, terms [][]string, taken map[string]bool) [][]expansion {
	out := make([][]expansion, len(t.Features))
	senses := t.ExpandSenses
	if senses <= 0 {
		senses = DefaultExpandSenses
	}
	owner := map[string]int{} // normalised word → feature, -1 when shared
	var all []expansion
	for fi, f := range t.Features {
		e := f.Expand
		if e == ExpandDefault {
			e = t.Expand
		}
		seen := map[string]bool{}
		for _, term := range terms[fi] {
			for _, w := range wordnetExpansions(term, e, senses) {
				c, err := compileTerm(w)
				if err != nil {
					continue
				}
				k := string(c.segments[0][0].norm)
				if taken[k] || seen[k] {
					continue
				}
				seen[k] = true
				if prev, ok := owner[k]; ok && prev != fi {
					owner[k] = -1
				} else {
					owner[k] = fi
				}
				all = append(all, expansion{feature: fi, word: w, c: c})
			}
		}
	}
	for _, x := range all {
		if owner[string(x.c.segments[0][0].norm)] == x.feature {
			out[x.feature] = append(out[x.feature], x)
		}
	}
	return out
}

// ExpandedTerms returns the WordNet words feature i's terms were expanded
// with (see Expand).
func (tg *Tagger) ExpandedTerms(i int) []string { return tg.expanded[i] }

func badExpand(e Expand) string {
	return fmt.Sprintf("%q: want %s, %s or %s", e, ExpandOff, ExpandSynonyms, ExpandHyponyms)
}
