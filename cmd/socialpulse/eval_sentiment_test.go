package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/internal/testenv"
)

// writeSentimentData writes a tiny data directory in the dev data's formats:
// VADER files with CRLF ends (one with a BOM) and the complaints CSV.
func writeSentimentData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "vader"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "complaints"), 0o755))
	rated := "1\t2.5\tI love this, it is great\r\n2\t-2.9\tthis is awful and broken\r\n3\t0.1\tthe shop opens at nine\r\n"
	for _, f := range []string{"tweets", "movieReviewSnippets", "nytEditorialSnippets"} {
		must(os.WriteFile(filepath.Join(dir, "vader", f+"_GroundTruth.txt"), []byte(rated), 0o644))
	}
	must(os.WriteFile(filepath.Join(dir, "vader", "amazonReviewSnippets_GroundTruth.txt"), []byte("\ufeff1_1\t"+rated[2:]), 0o644))
	csv := "1,\"@shop my order never arrived, still waiting\",1,retail\n" +
		"2,@shop what time do you open on Sunday?,0,retail\n" +
		"3,\"app keeps crashing, fix it\",1,software\n"
	must(os.WriteFile(filepath.Join(dir, "complaints", "complaints-data.csv"), []byte(csv), 0o644))
	se := filepath.Join(dir, "semeval2017-4a-train")
	must(os.MkdirAll(se, 0o755))
	train := "1\tpositive\tlove this phone so much\t\n2\tnegative\tworst update ever, it broke my app\n" +
		"3\tneutral\tthe store opens at nine\n4\tpositive\tgreat game last night\n" +
		"5\tnegative\tso angry, my flight got cancelled\n6\tneutral\tmeeting moved to monday\n"
	test := "7\tpositive\t\"what a great day\"\n8\tnegative\tmy order never came, awful\n9\tneutral\tnew hours start tomorrow\n" +
		"1\tpositive\tlove this phone so much\n"
	must(os.WriteFile(filepath.Join(se, "twitter-2013train-A.tsv"), []byte(train), 0o644))
	must(os.WriteFile(filepath.Join(se, "twitter-2016test-A.tsv"), []byte(test), 0o644))
	return dir
}

func TestEvalSentimentTable(t *testing.T) {
	dir := writeSentimentData(t)
	var out, errOut bytes.Buffer
	if err := runEvalSentiment(context.Background(), []string{"--data", dir, "--folds", "2"}, &out, &errOut); err != nil {
		t.Fatalf("runEvalSentiment: %v\nstderr:\n%s", err, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"| data set | n | metric | lexicon | learned | govader |",
		"| VADER tweets | 3 | accuracy (3-class) | 1.000 |",
		"| VADER Amazon reviews | 3 | macro-F1 (3-class) |",
		"| Complaints (Preotiuc-Pietro et al. 2019) | 3 | complaint F1 | 1.000 |",
		// 9 lines, one repeated id: 8 tweets, 3 of them in the 2016 test file.
		"| SemEval 2016 test (learned: trained on 2013–2016 without it) | 3 | macro-recall (SemEval's measure) |",
		"| SemEval 2013–2016, all (learned: 2-fold cross-validation) | 9 | macro-F1 (3-class) |",
		"scoring time per text",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(errOut.String(), "eval sentiment: complaints: 3 texts") {
		t.Errorf("no progress on stderr:\n%s", errOut.String())
	}
}

func TestEvalSentimentMissingData(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	err := runEvalSentiment(context.Background(), []string{"--data", missing}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("err = %v, want an error naming %s", err, missing)
	}
}

func TestEvalSentimentRealData(t *testing.T) {
	dir := testenv.DevData(t, "vader", "complaints")
	if testing.Short() {
		t.Skip("scores 48k texts with govader and trains a model; skipped in -short mode")
	}
	var out bytes.Buffer
	// No cross-validation: five more trainings would add minutes under -race;
	// the temporal hold-out still trains once.
	if err := runEvalSentiment(context.Background(), []string{"--data", dir, "--folds", "0"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
}
