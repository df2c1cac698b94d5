package sentiment

import (
	"path/filepath"
	"slices"
	"testing"
	"unicode"

	"github.com/socialpulse/socialpulse/internal/devdata"
	"github.com/socialpulse/socialpulse/textnorm"
)

// BenchmarkTokensAgainstTextnorm measures why this package keeps its own
// tokenizer: on the SemEval 2013–2016 training tweets (the learned model's
// training data) it compares the token forms the learned model hashes (each
// token's lowercase form; an emoji's bytes) with the tokens of textnorm's
// scanner under the closest options (words, numbers, hashtag words and
// emoji; apostrophes, hyphens and CamelCase words kept). It reports the share
// of tweets whose token sequences are identical, the share with an emoticon
// token (":)", "</3"), which textnorm has no kind for, and the two
// tokenizers' time per tweet (this package's includes its lexicon lookups).
// A differing sequence is a different set of hashed features: moving to
// textnorm means retraining the model.
func BenchmarkTokensAgainstTextnorm(b *testing.B) {
	tweets, err := devdata.ReadSemEval(filepath.Join("..", "..", "shared", "data", "semeval2017-4a-train"))
	if err != nil {
		b.Skipf("dev data not available: %v", err)
	}
	a := New()
	s := newScratch()
	opts := textnorm.Options{Emit: textnorm.Set(textnorm.Word, textnorm.Number, textnorm.Hashtag, textnorm.Emoji), KeepApostrophes: true, KeepHyphens: true, KeepCamelCase: true}
	var own, shared []string
	var buf [textnorm.MaxTokenBytes]byte
	b.Run("compare", func(b *testing.B) {
		for b.Loop() {
			same, emoticon := 0, 0
			for _, tw := range tweets {
				s.reset()
				if need := 2*len(tw.Text) + 16; cap(s.lowerBuf) < need {
					s.lowerBuf = make([]byte, 0, need)
				}
				a.tokenize(s, tw.Text)
				own = own[:0]
				hasEmoticon := false
				for i := range s.toks {
					t := &s.toks[i]
					if t.hi == t.lo {
						own = append(own, tw.Text[t.start:t.end])
						continue
					}
					w := string(s.lowerBuf[t.lo:t.hi])
					if !slices.ContainsFunc([]rune(w), func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
						hasEmoticon = true
					}
					own = append(own, w)
				}
				shared = shared[:0]
				sc := textnorm.NewScanner(tw.Text, opts)
				for {
					_, w, ok := sc.Next(&buf)
					if !ok {
						break
					}
					shared = append(shared, string(w))
				}
				if slices.Equal(own, shared) {
					same++
				}
				if hasEmoticon {
					emoticon++
				}
			}
			b.ReportMetric(100*float64(same)/float64(len(tweets)), "%identical")
			b.ReportMetric(100*float64(emoticon)/float64(len(tweets)), "%emoticon")
			b.ReportMetric(float64(len(tweets)), "tweets")
		}
	})
	b.Run("own", func(b *testing.B) {
		i := 0
		for b.Loop() {
			s.reset()
			text := tweets[i%len(tweets)].Text
			if need := 2*len(text) + 16; cap(s.lowerBuf) < need {
				s.lowerBuf = make([]byte, 0, need)
			}
			a.tokenize(s, text)
			i++
		}
	})
	b.Run("textnorm", func(b *testing.B) {
		i := 0
		for b.Loop() {
			sc := textnorm.NewScanner(tweets[i%len(tweets)].Text, opts)
			for {
				if _, _, ok := sc.Next(&buf); !ok {
					break
				}
			}
			i++
		}
	})
}
