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

// writeAspectData writes a tiny data directory in the SemEval files' formats,
// including the leading space before <?xml of Laptop_Train_v2.xml.
func writeAspectData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s14 := filepath.Join(dir, "aspects", "semeval2014")
	s16 := filepath.Join(dir, "aspects", "semeval2016_laptops")
	must(os.MkdirAll(s14, 0o755))
	must(os.MkdirAll(s16, 0o755))
	rest := `<?xml version="1.0" encoding="UTF-8"?>
<sentences>
  <sentence id="1"><text>The food was delicious but the waiter was rude.</text>
    <aspectCategories><aspectCategory category="food" polarity="positive"/><aspectCategory category="service" polarity="negative"/></aspectCategories></sentence>
  <sentence id="2"><text>We went there for my birthday.</text>
    <aspectCategories><aspectCategory category="anecdotes/miscellaneous" polarity="neutral"/></aspectCategories></sentence>
  <sentence id="3"><text>Terrible prices.</text>
    <aspectCategories><aspectCategory category="price" polarity="negative"/></aspectCategories></sentence>
  <sentence id="4"><text>Lovely atmosphere.</text>
    <aspectCategories><aspectCategory category="ambience" polarity="positive"/></aspectCategories></sentence>
</sentences>`
	must(os.WriteFile(filepath.Join(s14, "Restaurants_Train_v2.xml"), []byte(rest), 0o644))
	lap14 := ` <?xml version="1.0" encoding="UTF-8"?>
<sentences><sentence id="1"><text>The battery life is great.</text>
  <aspectTerms><aspectTerm term="battery life" polarity="positive" from="4" to="16"/></aspectTerms></sentence></sentences>`
	must(os.WriteFile(filepath.Join(s14, "Laptop_Train_v2.xml"), []byte(lap14), 0o644))
	lap16 := `<?xml version="1.0" encoding="UTF-8"?>
<Reviews><Review rid="1"><sentences>
  <sentence id="1:0"><text>The screen is gorgeous but the battery dies fast.</text>
    <Opinions><Opinion category="DISPLAY#QUALITY" polarity="positive"/><Opinion category="BATTERY#OPERATION_PERFORMANCE" polarity="negative"/></Opinions></sentence>
  <sentence id="1:1"><text>I love this laptop.</text>
    <Opinions><Opinion category="LAPTOP#GENERAL" polarity="positive"/></Opinions></sentence>
  <sentence id="1:2"><text>Great value for the money.</text>
    <Opinions><Opinion category="LAPTOP#PRICE" polarity="positive"/></Opinions></sentence>
</sentences></Review></Reviews>`
	for _, f := range []string{"ABSA16_Laptops_Train_SB1_v2.xml", "EN_LAPT_SB1_TEST_gold.xml"} {
		must(os.WriteFile(filepath.Join(s16, f), []byte(lap16), 0o644))
	}
	return dir
}

func TestEvalAspectsTables(t *testing.T) {
	dir := writeAspectData(t)
	var out, errOut bytes.Buffer
	err := runEvalAspects(context.Background(), []string{"--data", dir, "--taxonomies", "../../taxonomies"}, &out, &errOut)
	if err != nil {
		t.Fatalf("runEvalAspects: %v\n%s", err, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"| category | gold | tagged | precision | recall | F1 |",
		"#### restaurants, tuning half (even sentences): 2 sentences",
		"| food | 1 | 1 | 1.000 | 1.000 | 1.000 |",
		"| service | 1 | 1 | 1.000 | 1.000 | 1.000 |",
		"| other | 1 | 1 | 1.000 | 1.000 | 1.000 |",
		"#### laptops 2016, test (held out): 3 sentences",
		"| display | 1 | 1 | 1.000 | 1.000 | 1.000 |",
		"| price | 1 | 1 | 1.000 | 1.000 | 1.000 |",
		"| 1 | 1 | 1.000 |", // the 2014 laptop aspect term is covered
		"### Name-only taxonomies: quality and cost a post, this run",
		"| set | taxonomy | macro F1 | tagging ns/post | allocs | enrichment ns/post | allocs | posts/s |",
		"| restaurants | name-only | ",
		"| laptops 2016 | name-only + learned matching (margin ",
		"| laptops 2016 | name-only + suggest --method logodds (all posts, the default, terms: ", // learned matching on top of the default suggest run
		") + learned matching (margin ",
		"Cost in this run, a post: tagging ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestEvalAspectsMissingData(t *testing.T) {
	var out bytes.Buffer
	err := runEvalAspects(context.Background(), []string{"--data", filepath.Join(t.TempDir(), "nope")}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "pass --data") {
		t.Errorf("err = %v, want a hint to pass --data", err)
	}
}

// TestEvalAspectsDevData runs on the real SemEval files when they are present.
func TestEvalAspectsDevData(t *testing.T) {
	dir := testenv.DevData(t, "aspects")
	var out, errOut bytes.Buffer
	if err := runEvalAspects(context.Background(), []string{"--data", dir, "--taxonomies", "../../taxonomies"}, &out, &errOut); err != nil {
		t.Fatalf("runEvalAspects: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "laptops 2016, test (held out): 808 sentences") {
		t.Errorf("unexpected output:\n%s", out.String())
	}
}

func TestEvalAspectsSuggestGrid(t *testing.T) {
	dir := writeAspectData(t)
	comp := filepath.Join(dir, "complaints")
	if err := os.MkdirAll(comp, 0o755); err != nil {
		t.Fatal(err)
	}
	csv := "1,my flight was cancelled again,1,transport\n2,the app crashes on update,1,software\n3,nice day,0,random_tweet\n4,train late again,1,transport\n"
	if err := os.WriteFile(filepath.Join(comp, "complaints-data.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := runEvalAspects(context.Background(), []string{"--data", dir, "--taxonomies", "../../taxonomies", "--suggest-grid"}, &out, &errOut); err != nil {
		t.Fatalf("runEvalAspects: %v\n%s", err, errOut.String())
	}
	got := out.String()
	tests := []struct {
		name, want string
	}{
		{"held-out learning, negative posts", "learned from the learning half/train (held out), negative posts"},
		{"same posts, all posts (the default)", "learned from the measured posts themselves, without labels, all posts (the default)"},
		{"today's statistic is a row", "| share, 1 round(s) |"},
		{"the log-odds settings are rows", "| log-odds z>=1.5, min posts 3, 2 round(s) |"},
		{"each set is picked for on the other two", "| complaints | "},
		{"one setting over every mode", "#### One setting for every mode: leave one set out on the mean over the 4 tables above"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(got, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, got)
			}
		})
	}
}

func TestEvalAspectsGuardGrid(t *testing.T) {
	dir := writeAspectData(t)
	comp := filepath.Join(dir, "complaints")
	if err := os.MkdirAll(comp, 0o755); err != nil {
		t.Fatal(err)
	}
	csv := "1,my flight was cancelled again,1,transport\n2,the app crashes on update,1,software\n3,nice day,0,random_tweet\n4,train late again,1,transport\n"
	if err := os.WriteFile(filepath.Join(comp, "complaints-data.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	// One more name-only set, as a user's taxonomy and labelled posts.
	tax := filepath.Join(dir, "luggage.yaml")
	if err := os.WriteFile(tax, []byte("version: t\nfeatures:\n  - id: lost_luggage\n    name: Lost luggage\n  - id: damaged_luggage\n    name: Damaged luggage\n  - id: lost_card\n    name: Lost card\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	labels := filepath.Join(dir, "luggage.csv")
	if err := os.WriteFile(labels, []byte("text,feature\nmy luggage was lost,lost_luggage\nlost luggage,lost_luggage\nthe card is gone,lost_card\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := runEvalAspects(context.Background(), []string{"--data", dir, "--taxonomies", "../../taxonomies", "--guard-grid", "--guard-set", tax + "=" + labels}, &out, &errOut); err != nil {
		t.Fatalf("runEvalAspects: %v\n%s", err, errOut.String())
	}
	got := out.String()
	tests := []struct {
		name, want string
	}{
		{"the default matching is a row", "| phrase gap 2 (default) |"},
		{"no option is a row", "| none |"},
		{"every option together is a row", "| description, strongest, compounds, short derived ≤99 |"},
		{"the tuned taxonomies are columns", "laptops tuned (test)"},
		{"each name-only set is picked for on the others", "| complaints name-only (odd) | "},
		// the phrase gap finds "luggage was lost"; exact phrases only do not
		{"an extra set is a column and a left-out row", "| luggage.csv name-only | 1.000 | "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(got, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, got)
			}
		})
	}
}

func TestEvalAspectsGuardSetUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--guard-set", "a.yaml=b.csv"}, "--guard-set needs --guard-grid"},
		{[]string{"--guard-grid", "--guard-set", "a.yaml"}, "want TAXONOMY=LABELS"},
	} {
		var out, errOut bytes.Buffer
		err := runEvalAspects(context.Background(), tt.args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error()+errOut.String(), tt.want) {
			t.Errorf("%q: error %v (stderr %q), want %q", tt.args, err, errOut.String(), tt.want)
		}
	}
}
