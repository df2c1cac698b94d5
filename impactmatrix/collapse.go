package impactmatrix

import (
	"hash/fnv"
	"strings"
	"unicode"
)

// nearDuplicate is the least Jaccard similarity of two samples' word-pair
// shingles for them to count as copies of one post.
const nearDuplicate = 0.6

// Collapse merges near-duplicate samples (retweets, copy-and-paste campaigns,
// the same template with another number, handle or link) into one sample
// each, the first of its group, whose Count says how many samples it stands
// for. Texts are compared by the word pairs of their normalised form
// (lowercase, @handles, links and digits dropped). The order of the first
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
// words, or its single word.
func shingles(text string) map[uint64]struct{} {
	var words []string
	for _, f := range strings.Fields(strings.ToLower(text)) {
		if strings.HasPrefix(f, "@") || strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://") || strings.HasPrefix(f, "www.") || f == "rt" {
			continue
		}
		w := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) {
				return r
			}
			return -1
		}, f)
		if w != "" {
			words = append(words, w)
		}
	}
	out := make(map[uint64]struct{}, len(words))
	h := fnv.New64a()
	add := func(parts ...string) {
		h.Reset()
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		out[h.Sum64()] = struct{}{}
	}
	if len(words) == 1 {
		add(words[0])
	}
	for i := 1; i < len(words); i++ {
		add(words[i-1], words[i])
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
