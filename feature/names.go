package feature

import "strings"

// termSource says where a term comes from; a written term is the strongest
// evidence of its feature, a WordNet expansion the weakest (TagOptions.Strongest).
type termSource uint8

const (
	srcRelated  termSource = iota + 1 // a WordNet expansion or description word
	srcNameWord                       // one word of a feature's id or name
	srcWritten                        // a written term or pattern, or the whole id or name
)

// nameTerms returns the terms a feature gets from its ID and Name: the ID
// and Name as phrases and each content word of them. This makes a taxonomy
// written from feature names alone useful. NewTagger drops a name term that
// two features share, or that another feature lists as a term, so "order
// status" and "order history" do not both claim "order". The second result
// says where each term comes from.
//
// There is no hand-written list of words related to name words: one was
// measured on the three name-only evaluation sets and did not help (see
// BENCHMARKS.md); WordNet expansion (Feature.Expand) is the opt-in route.
func nameTerms(f Feature) ([]string, []termSource) {
	if f.NoNameTerms {
		return nil, nil
	}
	var out []string
	var srcs []termSource
	seen := map[string]bool{}
	src := srcWritten
	add := func(s string) {
		norm, n, _ := normalizePhrase(s, false)
		if n == 0 || seen[string(norm)] {
			return
		}
		seen[string(norm)] = true
		out = append(out, strings.TrimSpace(s))
		srcs = append(srcs, src)
	}
	id := strings.ReplaceAll(f.ID, "_", " ")
	add(id)
	add(f.Name)
	for _, name := range []string{id, f.Name} {
		src = srcNameWord
		for _, w := range lowerWords(name) {
			w = strings.Trim(w, "'-")
			if len(w) < 3 || nameStopword(w) {
				continue
			}
			add(w)
		}
	}
	return out, srcs
}

// descriptionWords returns the content words of a feature's description:
// lowercase words of at least three letters that are neither function
// words nor words any complaint or review uses.
func descriptionWords(d string) []string {
	var out []string
	for _, w := range lowerWords(d) {
		w = strings.ReplaceAll(strings.Trim(w, "'-"), "'", "")
		if len(w) < 3 || nameStopword(w) || suggestStopword(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// lowerWords splits a name or description into lowercase words: letters,
// digits, apostrophes, hyphens and non-ASCII runes.
func lowerWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '\'' || r == '-' || r > 127)
	})
}

// termKey normalises a word or phrase the way the tagger matches it.
func termKey(s string) string {
	norm, _, _ := normalizePhrase(s, false)
	return string(norm)
}

// nameStopword reports words of a feature name that say nothing about what
// a post is about ("Billing issue", "Other problems").
func nameStopword(w string) bool {
	switch w {
	case "issue", "issues", "problem", "problems", "complaint", "complaints", "bad", "poor",
		"other", "general", "misc", "miscellaneous", "can't", "cant", "cannot", "and",
		"the", "for", "with", "not", "our", "your", "about", "related", "etc", "wrong",
		"experience", "trouble", "troubles", "concern", "concerns", "question", "questions",
		"request", "requests", "feedback", "negative", "positive", "unknown", "none",
		"product", "products", "item", "items", "thing", "things", "stuff", "error", "errors",
		"failure", "failures", "fail", "fails", "broken", "new", "all", "any", "management",
		"customer", "customers", "client", "clients", "user", "users":
		return true
	}
	return false
}
