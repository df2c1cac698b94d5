package emerging

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"

	"github.com/socialpulse/socialpulse/textnorm"
)

// Term kinds.
const (
	KindWord   = "word"
	KindPhrase = "phrase"
)

// candidate is one term found in a post.
type candidate struct {
	text, kind string
}

// token is one word of a cleaned post. breakBefore marks punctuation (or a
// dropped token) between it and the previous token: phrases never span it.
type token struct {
	orig, low   string
	breakBefore bool
}

// tokenize splits text into words with textnorm's scanner, keeping
// apostrophes and hyphens inside a word ("won't", "sign-in") and CamelCase
// words outside hashtags whole ("PayPal"). URLs,
// @handles, emoji and numbers are skipped and break phrases; hashtags lose
// their # and are split at case changes (#GiftCardFail -> gift card fail).
// Words with fewer than two letters ("x2", "3x") are dropped and break
// phrases too.
func tokenize(text string, dst []token) []token {
	sc := textnorm.NewScanner(text, textnorm.Options{
		Emit:            textnorm.Set(textnorm.Word, textnorm.Hashtag),
		KeepApostrophes: true,
		KeepHyphens:     true,
		KeepCamelCase:   true,
	})
	var buf [textnorm.MaxTokenBytes]byte
	brk := false
	for {
		t, w, ok := sc.Next(&buf)
		if !ok {
			return dst
		}
		if letters(w) < 2 {
			brk = true
			continue
		}
		orig := text[t.Start:t.End]
		low := orig
		if string(w) != orig { // case folded or a typographic apostrophe replaced
			low = string(w)
		}
		if low != orig && strings.ContainsRune(orig, '’') {
			orig = strings.ReplaceAll(orig, "’", "'")
		}
		dst = append(dst, token{orig: orig, low: low, breakBefore: brk || t.Break || len(dst) == 0})
		brk = false
	}
}

// letters counts the letters of a normalised word.
func letters(w []byte) int {
	n := 0
	for _, r := range string(w) {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// singular folds a regular English plural to its singular ("cards" ->
// "card", "deliveries" -> "delivery") with textnorm.Singular.
func singular(w string) string {
	if len(w) > textnorm.MaxTokenBytes {
		return w
	}
	var buf [textnorm.MaxTokenBytes]byte
	s := textnorm.Singular(append(buf[:0], w...))
	if string(s) == w[:len(s)] {
		return w[:len(s)] // a suffix dropped: no copy
	}
	return string(s)
}

// content reports whether a lower-cased word can be (part of) a term: at
// least three letters, not a stopword, not a word every complaint uses.
func content(low string) bool {
	if utf8.RuneCountInString(low) < 3 {
		return false
	}
	_, stop := stopwords[low]
	return !stop
}

// extractor finds candidate terms in a post. Implementations are safe for
// concurrent use.
type extractor interface {
	extract(text string, toks []token, dst []candidate) ([]token, []candidate)
}

// heuristicExtractor takes every content word, and as phrases the 2- and
// 3-word runs of adjacent content words not split by punctuation.
type heuristicExtractor struct{}

func (heuristicExtractor) extract(text string, toks []token, dst []candidate) ([]token, []candidate) {
	toks = tokenize(text, toks[:0])
	run := 0 // content words ending at i, unbroken
	for i, t := range toks {
		if t.breakBefore || !content(t.low) {
			run = 0
		}
		if !content(t.low) {
			continue
		}
		run++
		w := singular(t.low)
		dst = append(dst, candidate{w, KindWord})
		if run >= 2 {
			dst = append(dst, candidate{toks[i-1].low + " " + w, KindPhrase})
		}
		if run >= 3 {
			dst = append(dst, candidate{toks[i-2].low + " " + toks[i-1].low + " " + w, KindPhrase})
		}
	}
	return toks, dst
}

// posExtractor tags the cleaned words with prose's averaged-perceptron POS
// tagger (one model shared by all workers; tagging only reads it). Words
// are the nouns, verbs and adjectives; phrases are noun phrases of two or
// three words: adjectives and nouns ending in a noun.
type posExtractor struct {
	model *prose.Model
}

// sharedModel loads prose's tagger once per process: about 0.3 s and
// tens of MB, so it must never happen per post or per Miner.
var sharedModel = sync.OnceValues(func() (*prose.Model, error) {
	// NewDocument with a nil model loads the built-in tagger (and, since
	// extraction is off, not the entity classifier) into doc.Model.
	doc, err := prose.NewDocument("", prose.WithSegmentation(false), prose.WithExtraction(false))
	if err != nil {
		return nil, err
	}
	return doc.Model, nil
})

func (p posExtractor) extract(text string, toks []token, dst []candidate) ([]token, []candidate) {
	toks = tokenize(text, toks[:0])
	if len(toks) == 0 {
		return toks, dst
	}
	// Tag sentence by sentence, split where tokenize saw punctuation, so the
	// tagger's own tokenizer sees only clean words.
	var b strings.Builder
	for i := 0; i < len(toks); {
		j := i + 1
		for j < len(toks) && !toks[j].breakBefore {
			j++
		}
		b.Reset()
		for k := i; k < j; k++ {
			if k > i {
				b.WriteByte(' ')
			}
			b.WriteString(toks[k].orig)
		}
		doc, err := prose.NewDocument(b.String(), prose.UsingModel(p.model),
			prose.WithSegmentation(false), prose.WithExtraction(false))
		if err == nil {
			dst = posCandidates(doc.Tokens(), dst)
		}
		i = j
	}
	return toks, dst
}

func posCandidates(tagged []prose.Token, dst []candidate) []candidate {
	run := 0 // adjectives/nouns ending at i
	var w1, w2 string
	for _, t := range tagged {
		low := strings.ToLower(t.Text)
		ok := content(low)
		noun := strings.HasPrefix(t.Tag, "NN")
		mod := noun || t.Tag == "JJ"
		if ok && (noun || strings.HasPrefix(t.Tag, "VB") || strings.HasPrefix(t.Tag, "JJ")) {
			w := low
			if noun {
				w = singular(low)
			}
			dst = append(dst, candidate{w, KindWord})
		}
		if !ok || !mod {
			run = 0
			continue
		}
		run++
		if noun && run >= 2 {
			head := singular(low)
			dst = append(dst, candidate{w1 + " " + head, KindPhrase})
			if run >= 3 {
				dst = append(dst, candidate{w2 + " " + w1 + " " + head, KindPhrase})
			}
		}
		w2, w1 = w1, low
	}
	return dst
}

// dedupe removes repeated candidates in place: a post counts once per term.
func dedupe(c []candidate) []candidate {
	out := c[:0]
outer:
	for _, x := range c {
		for _, y := range out {
			if x.text == y.text {
				continue outer
			}
		}
		out = append(out, x)
	}
	return out
}
