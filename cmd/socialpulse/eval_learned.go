package main

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/socialpulse/socialpulse/feature"
)

// selfTrained is a measured experiment, not a product feature: per-feature
// naive Bayes models over the words of the posts a taxonomy's terms matched
// (the words of the mention itself left out), trained on unlabelled text
// and used only for posts no term matched. eval aspects reports it so the
// route is judged on held-out sentences before anyone ships it.
type selfTrained struct {
	tg    *feature.Tagger
	count []map[string]float64 // per feature: context word counts in its posts
	total []float64
	other map[string]float64 // all context words of tagged posts
	otot  float64
	posts []int
	n     int
	vocab map[string]bool
}

// selfTrainMargin is the log-odds a feature's model must reach, and beat
// every other feature's by, to tag a post no term matched.
const selfTrainMargin = 3.0

func trainSelf(tg *feature.Tagger, texts []string) *selfTrained {
	k := len(tg.Features())
	m := &selfTrained{tg: tg, count: make([]map[string]float64, k), total: make([]float64, k), other: map[string]float64{}, posts: make([]int, k), vocab: map[string]bool{}}
	for i := range m.count {
		m.count[i] = map[string]float64{}
	}
	var ms []feature.Match
	for _, text := range texts {
		ms = tg.Tag(text, ms[:0])
		if len(ms) == 0 {
			continue
		}
		m.n++
		for _, w := range contextWords(text, ms) {
			m.vocab[w] = true
			m.other[w]++
			m.otot++
			for _, mt := range ms {
				m.count[mt.Feature][w]++
				m.total[mt.Feature]++
			}
		}
		for _, mt := range ms {
			m.posts[mt.Feature]++
		}
	}
	return m
}

// contextWords returns the lowercase words of text outside the matches.
func contextWords(text string, ms []feature.Match) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		for _, mt := range ms {
			if start < mt.End && mt.Start < end {
				start = -1
				return
			}
		}
		w := strings.ToLower(text[start:end])
		if len(w) >= 3 && !nbStop[w] {
			out = append(out, w)
		}
		start = -1
	}
	for i, r := range text {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

var nbStop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("the and was were for with this that but are not have had has you they their there very just all its it's our from one what when which will would been also than then them too out about some can could only") {
		m[w] = true
	}
	return m
}()

// tag returns term matches, or, when there are none, the features whose
// model is confident.
func (m *selfTrained) tag(text string, dst []feature.Match) []feature.Match {
	dst = m.tg.Tag(text, dst)
	if len(dst) > 0 || m.n == 0 {
		return dst
	}
	words := contextWords(text, nil)
	v := float64(len(m.vocab) + 1)
	best, second, bi := math.Inf(-1), math.Inf(-1), -1
	for f := range m.count {
		if m.posts[f] == 0 {
			continue
		}
		rest := m.otot - m.total[f]
		s := math.Log(float64(m.posts[f])) - math.Log(float64(m.n-m.posts[f]+1))
		for _, w := range words {
			if !m.vocab[w] {
				continue
			}
			s += math.Log((m.count[f][w]+1)/(m.total[f]+v)) - math.Log((m.other[w]-m.count[f][w]+1)/(rest+v))
		}
		if s > best {
			best, second, bi = s, best, f
		} else if s > second {
			second = s
		}
	}
	if bi >= 0 && best >= selfTrainMargin && best-second >= selfTrainMargin {
		dst = append(dst, feature.Match{Feature: bi, Start: 0, End: 0})
	}
	return dst
}

// selfTrainedRuns reports name-only taxonomies with the self-trained
// fallback, trained on the learning text and measured on held-out text.
func (ev *aspectEval) selfTrainedRun(ctx context.Context, name, path string, learn, measure []aspectSentence) error {
	tg, err := ev.tagger(path)
	if err != nil {
		return err
	}
	texts := make([]string, len(learn))
	for i, s := range learn {
		texts[i] = s.text
	}
	m := trainSelf(tg, texts)
	return ev.reportWith(ctx, fmt.Sprintf("%s + self-trained fallback (naive Bayes, log-odds >= %.0f)", name, selfTrainMargin), tg, m.tag, measure)
}
