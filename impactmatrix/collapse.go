package impactmatrix

import (
	"hash/fnv"
	"unicode"
	"unicode/utf8"

	"github.com/socialpulse/socialpulse/textnorm"
)

// nearDuplicate is the least Jaccard similarity of two samples' word-pair
// shingles for them to count as copies of one post.
const nearDuplicate = 0.6

// Collapse merges near-duplicate samples (retweets, copy-and-paste campaigns,
// the same template with another number, handle or link) into one sample
// each, the first of its group, whose Count says how many samples it stands
// for. Texts are compared by the word pairs of their normalised form
// (textnorm's words, lowercase, @handles, links, emoji and digits dropped). The order of the first
// samples is kept. Collapse is pure; it does not modify samples.
func Collapse(samples []Sample) []Sample {
	type group struct {
		s        Sample
		shingles map[uint64]struct{}
	}
	var groups []group
	for _, sm := range samples {
		sh := shingles(sm.Text)
		merged := false
		for i := range groups {
			if jaccard(groups[i].shingles, sh) >= nearDuplicate {
				groups[i].s.Count += max(sm.Count, 1)
				merged = true
				break
			}
		}
		if !merged {
			sm.Count = max(sm.Count, 1)
			groups = append(groups, group{s: sm, shingles: sh})
		}
	}
	out := make([]Sample, len(groups))
	for i, g := range groups {
		out[i] = g.s
	}
	return out
}

// shingles returns the hashed adjacent word pairs of a text's normalised
// words, or its single word. Words are textnorm's words and hashtag words
// (so @handles, links, emoji and numbers are not words) with their letters
// only ("v2" is "v"), and the retweet marker "rt" is dropped.
func shingles(text string) map[uint64]struct{} {
	sc := textnorm.NewScanner(text, textnorm.Options{Emit: textnorm.Set(textnorm.Word, textnorm.Hashtag)})
	var buf, cur, prev [textnorm.MaxTokenBytes]byte
	np, words := 0, 0
	out := make(map[uint64]struct{}, 16)
	h := fnv.New64a()
	add := func(parts ...[]byte) {
		h.Reset()
		for _, p := range parts {
			h.Write(p)
			h.Write([]byte{0})
		}
		out[h.Sum64()] = struct{}{}
	}
	for {
		_, w, ok := sc.Next(&buf)
		if !ok {
			break
		}
		n := 0
		for _, r := range string(w) {
			if unicode.IsLetter(r) {
				n += utf8.EncodeRune(cur[n:], r)
			}
		}
		if n == 0 || string(cur[:n]) == "rt" {
			continue
		}
		if words++; words > 1 {
			add(prev[:np], cur[:n])
		}
		prev, np = cur, n
	}
	if words == 1 {
		add(prev[:np])
	}
	return out
}

func jaccard(a, b map[uint64]struct{}) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for k := range a {
		if _, ok := b[k]; ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
