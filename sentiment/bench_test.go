package sentiment_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jonreiter/govader"

	"github.com/socialpulse/socialpulse/sentiment"
)

// The benchmarks report ns/op per post over the same corpus: Score and
// Analyze use the default (learned) analyzer, the Lexicon ones the rules alone.

func BenchmarkScore(b *testing.B) {
	a := sentiment.New()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		a.Score(benchCorpus[i%len(benchCorpus)])
	}
}

func BenchmarkAnalyze(b *testing.B) {
	a := sentiment.New()
	dst := make([]sentiment.Clause, 0, 16)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		_, dst = a.Analyze(benchCorpus[i%len(benchCorpus)], dst[:0])
	}
}

func BenchmarkGovader(b *testing.B) {
	v := govader.NewSentimentIntensityAnalyzer()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		v.PolarityScores(benchCorpus[i%len(benchCorpus)])
	}
}

// devTweets loads the VADER rated tweets from ../../shared/data when present.
func devTweets(b *testing.B) []string {
	path := filepath.Join("..", "..", "shared", "data", "vader", "tweets_GroundTruth.txt")
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("dev data not available (%v); the benchCorpus benchmarks still run", err)
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(strings.TrimRight(sc.Text(), "\r"), "\t", 3)
		if len(parts) == 3 {
			texts = append(texts, parts[2])
		}
	}
	return texts
}

func BenchmarkScoreDevTweets(b *testing.B) {
	texts := devTweets(b)
	a := sentiment.New()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		a.Score(texts[i%len(texts)])
	}
}

func BenchmarkGovaderDevTweets(b *testing.B) {
	texts := devTweets(b)
	v := govader.NewSentimentIntensityAnalyzer()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		v.PolarityScores(texts[i%len(texts)])
	}
}

func BenchmarkScoreLexicon(b *testing.B) {
	a := sentiment.NewLexicon()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		a.Score(benchCorpus[i%len(benchCorpus)])
	}
}

func BenchmarkAnalyzeLexicon(b *testing.B) {
	a := sentiment.NewLexicon()
	dst := make([]sentiment.Clause, 0, 16)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		_, dst = a.Analyze(benchCorpus[i%len(benchCorpus)], dst[:0])
	}
}

func BenchmarkScoreLexiconDevTweets(b *testing.B) {
	texts := devTweets(b)
	a := sentiment.NewLexicon()
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		a.Score(texts[i%len(texts)])
	}
}
