package feature

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
)

// Check validates a taxonomy and runs every feature's examples. It returns
// one Problem per bad field and per failing example, in file order; none
// means the taxonomy is good to deploy.
func Check(t *Taxonomy) []Problem {
	if t == nil {
		return []Problem{{Message: "nil taxonomy"}}
	}
	tg, err := NewTagger(t)
	if err != nil {
		var pe *ProblemsError
		if errors.As(err, &pe) {
			return pe.Problems
		}
		return []Problem{{Source: t.source, Message: err.Error()}}
	}
	var ps []Problem
	var ms []Match
	for fi, f := range t.Features {
		for j, ex := range f.Examples.Match {
			ms = tg.Tag(ex, ms[:0])
			if !hasFeature(ms, fi) {
				field := fmt.Sprintf("features[%d].examples.match[%d]", fi, j)
				ps = append(ps, t.problem(field, "%s does not match %q%s", f.ID, ex, tagged(tg, ms)))
			}
		}
		for j, ex := range f.Examples.NoMatch {
			ms = tg.Tag(ex, ms[:0])
			for _, m := range ms {
				if m.Feature == fi {
					field := fmt.Sprintf("features[%d].examples.no_match[%d]", fi, j)
					ps = append(ps, t.problem(field, "%s matches %q at %q", f.ID, ex, ex[m.Start:m.End]))
				}
			}
		}
	}
	return ps
}

func hasFeature(ms []Match, fi int) bool {
	for _, m := range ms {
		if m.Feature == fi {
			return true
		}
	}
	return false
}

func tagged(tg *Tagger, ms []Match) string {
	if len(ms) == 0 {
		return " (no feature matches)"
	}
	s := " (matches "
	for i, m := range ms {
		if i > 0 {
			s += ", "
		}
		s += tg.features[m.Feature].ID
	}
	return s + ")"
}

// Live holds the Tagger a running processor uses and replaces it as a
// whole, so a reload (on SIGHUP, say) never exposes a half-built taxonomy
// and never loses the processor's state. Readers call Tagger once per post
// or batch and use that Tagger for both Tag and Features, since feature
// indexes differ between taxonomies. Live is safe for concurrent use.
type Live struct {
	cur atomic.Pointer[Tagger]
}

// NewLive returns a Live serving tg.
func NewLive(tg *Tagger) *Live {
	l := &Live{}
	l.cur.Store(tg)
	return l
}

// Tagger returns the tagger in use.
func (l *Live) Tagger() *Tagger { return l.cur.Load() }

// Swap checks t and, if Check finds no problem, makes it the taxonomy in
// use. Otherwise it keeps the current tagger and returns a *ProblemsError.
func (l *Live) Swap(t *Taxonomy) error {
	if ps := Check(t); len(ps) > 0 {
		return &ProblemsError{ps}
	}
	tg, err := NewTagger(t)
	if err != nil {
		return err
	}
	l.cur.Store(tg)
	return nil
}

// Reload loads the taxonomy file at path and swaps it in as Swap does. A
// file that does not parse or fails Check is refused and the current tagger
// kept.
func (l *Live) Reload(path string) error {
	t, err := LoadTaxonomy(path)
	if err != nil {
		return err
	}
	return l.Swap(t)
}

// Enclosing returns the index of the span, among n spans given by at, that
// holds a match: the one containing the match's start, else the one that
// overlaps it most, else -1. Pass sentiment clauses to give each feature the
// sentiment of the clause that mentions it:
//
//	i := feature.Enclosing(m, len(clauses), func(i int) (int, int) { return clauses[i].Start, clauses[i].End })
func Enclosing(m Match, n int, at func(i int) (start, end int)) int {
	best, bestOverlap := -1, 0
	for i := 0; i < n; i++ {
		s, e := at(i)
		if s <= m.Start && m.Start < e {
			return i
		}
		if o := min(e, m.End) - max(s, m.Start); o > bestOverlap {
			best, bestOverlap = i, o
		}
	}
	return best
}

// Warnings returns advice on a valid taxonomy that will match little: one
// warning per feature with no terms or patterns of its own whose id and
// name give it no word of its own either, because each word of its name is
// shared with another feature's name or terms (and so dropped) or says
// nothing about a topic ("bad", "issue"). Such a feature matches only the
// whole phrase of its id or name, and `taxonomy suggest`, which learns from
// the posts a feature's terms match, cannot find words for it. Warnings
// never make a taxonomy invalid; a taxonomy Check refuses has none.
func Warnings(t *Taxonomy) []Problem {
	if t == nil {
		return nil
	}
	tg, err := NewTagger(t)
	if err != nil {
		return nil
	}
	// Who claims each one-word name word or written term.
	claimants := map[string][]string{}
	claim := func(term, id string) {
		if !isOneWord(term) {
			return
		}
		k := termKey(term)
		if !slices.Contains(claimants[k], id) {
			claimants[k] = append(claimants[k], id)
		}
	}
	for _, f := range t.Features {
		for _, term := range f.Terms {
			claim(term, f.ID)
		}
		plain, _ := nameTerms(f)
		for _, term := range plain {
			claim(term, f.ID)
		}
	}
	var ps []Problem
	for fi, f := range t.Features {
		if len(f.Terms) > 0 || len(f.Patterns) > 0 || f.NoNameTerms || slices.ContainsFunc(tg.NameTerms(fi), isOneWord) {
			continue
		}
		var why []string
		plain, _ := nameTerms(f)
		for _, term := range plain {
			if !isOneWord(term) {
				continue
			}
			others := slices.DeleteFunc(slices.Clone(claimants[termKey(term)]), func(id string) bool { return id == f.ID })
			if len(others) > 0 {
				why = append(why, fmt.Sprintf("%q is also %s's", term, strings.Join(others, "'s and ")))
			}
		}
		for _, w := range lowerWords(f.Name + " " + strings.ReplaceAll(f.ID, "_", " ")) {
			w = strings.Trim(w, "'-")
			if nameStopword(w) && !slices.Contains(why, fmt.Sprintf("%q says nothing about a topic", w)) {
				why = append(why, fmt.Sprintf("%q says nothing about a topic", w))
			}
		}
		only := f.Name
		if only == "" {
			only = strings.ReplaceAll(f.ID, "_", " ")
		}
		msg := fmt.Sprintf("warning: %s has no terms, and its name gives it no word of its own", f.ID)
		if len(why) > 0 {
			msg += " (" + strings.Join(why, "; ") + ")"
		}
		loose := ""
		if gap := t.phraseGap(fi, DefaultPhraseGap); gap > 0 && len(gappedPhrases(only, gap)) > 0 {
			loose = fmt.Sprintf(" (its words up to %d apart)", gap)
		}
		msg += fmt.Sprintf(": it matches only the phrase %q%s, and taxonomy suggest cannot learn from posts it never matches; add the words customers use for it", strings.ToLower(only), loose)
		ps = append(ps, t.problem(fmt.Sprintf("features[%d].name", fi), "%s", msg))
	}
	return ps
}
