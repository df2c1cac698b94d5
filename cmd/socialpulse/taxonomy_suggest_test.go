package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/synth"
)

// TestTaxonomySuggestOnDemoStream runs suggest on the demo's synthetic stream
// with the default taxonomy: it must propose words the synthetic complaints
// use that the taxonomy lacks, and --apply must write a taxonomy that passes
// check and tags them, with either statistic and with the default ("").
func TestTaxonomySuggestOnDemoStream(t *testing.T) {
	for _, method := range []string{"", "share", "logodds"} {
		t.Run("method="+method, func(t *testing.T) { testTaxonomySuggestOnDemoStream(t, method) })
	}
}

func testTaxonomySuggestOnDemoStream(t *testing.T, method string) {
	dir := t.TempDir()
	posts := filepath.Join(dir, "posts.jsonl")
	var buf bytes.Buffer
	g := synth.New(7)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 4000 {
		buf.Write(g.JSON(t0.Add(time.Duration(i) * time.Second)))
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(posts, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	applied := filepath.Join(dir, "applied.yaml")
	var out, errOut bytes.Buffer
	args := []string{"suggest", "--json", "--apply", applied, posts}
	if method != "" {
		args = append([]string{"suggest", "--method", method}, args[1:]...)
	}
	if err := runTaxonomy(context.Background(), args, nil, &out, &errOut); err != nil {
		t.Fatalf("suggest: %v\n%s", err, errOut.String())
	}
	var res struct {
		Examined int                      `json:"examined"`
		Terms    []feature.TermSuggestion `json:"terms"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.Examined == 0 || len(res.Terms) < 10 {
		t.Fatalf("examined %d posts, suggested %d terms, want at least 10:\n%s", res.Examined, len(res.Terms), out.String())
	}
	def, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	fromComplaints := 0
	for _, s := range res.Terms {
		if ms := def.Tag(s.Term, nil); len(ms) > 0 {
			t.Errorf("%s: %q is already a term of the default taxonomy", s.Feature, s.Term)
		}
		used := false
		for _, tpl := range synth.Complaints[s.Feature] {
			used = used || strings.Contains(strings.ReplaceAll(strings.ToLower(tpl), "'", ""), s.Term)
		}
		if used {
			fromComplaints++
		} else {
			// Suggestions come from the posts the scorer reads as negative;
			// words filled into the templates' slots (products, times) or
			// from another feature's complaint that also names this one can
			// contribute a few.
			t.Logf("%s: %q is not in the synthetic %s complaints", s.Feature, s.Term, s.Feature)
		}
		if s.Posts < 3 || len(s.Examples) == 0 {
			t.Errorf("%s: %q has %d posts and %d examples", s.Feature, s.Term, s.Posts, len(s.Examples))
		}
	}
	if fromComplaints < 10 || fromComplaints*10 < len(res.Terms)*8 {
		t.Errorf("%d of %d suggested terms come from the synthetic complaints, want at least 10 and 80%%", fromComplaints, len(res.Terms))
	}
	var chk bytes.Buffer
	if err := runTaxonomy(context.Background(), []string{"check", applied}, nil, &chk, &errOut); err != nil {
		t.Fatalf("applied taxonomy fails check: %v\n%s", err, chk.String())
	}
	tax, err := feature.LoadTaxonomy(applied)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := feature.NewTagger(tax)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Terms {
		found := false
		for _, m := range tg.Tag(s.Term, nil) {
			found = found || tg.Features()[m.Feature].ID == s.Feature
		}
		if !found {
			t.Errorf("applied taxonomy does not tag %q as %s", s.Term, s.Feature)
		}
	}
}

// TestTaxonomySuggestSimilarWords: a word close in meaning to a feature's
// name is proposed, marked as such in the report and in the applied file,
// unless --similar=false.
func TestTaxonomySuggestSimilarWords(t *testing.T) {
	dir := t.TempDir()
	tax := filepath.Join(dir, "tax.yaml")
	if err := os.WriteFile(tax, []byte("features:\n  - id: price\n    name: Price\n  - id: delivery\n    name: Delivery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var posts bytes.Buffer
	for range 4 {
		posts.WriteString(`{"text":"the cost is outrageous"}` + "\n" + `{"text":"price went up again"}` + "\n")
	}
	in := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(in, posts.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		flags []string
		want  bool
	}{
		{"proposed by default", nil, true},
		{"not with --similar=false", []string{"--similar=false"}, false},
		{"not above the similarity asked for", []string{"--min-similarity", "0.99"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			applied := filepath.Join(t.TempDir(), "applied.yaml")
			var out, errOut bytes.Buffer
			args := append([]string{"suggest", "--all", "--taxonomy", tax, "--apply", applied}, tt.flags...)
			if err := runTaxonomy(context.Background(), append(args, in), nil, &out, &errOut); err != nil {
				t.Fatalf("suggest: %v\n%s", err, errOut.String())
			}
			report := strings.Contains(out.String(), `+ "cost"`) && strings.Contains(out.String(), "similar to its words (")
			file, err := os.ReadFile(applied)
			if err != nil {
				t.Fatal(err)
			}
			written := strings.Contains(string(file), "- cost # suggested: similar to price's words (")
			if report != tt.want || written != tt.want {
				t.Errorf("cost in the report %v, in the file %v; want %v\n%s\n%s", report, written, tt.want, out.String(), file)
			}
		})
	}
	var out, errOut bytes.Buffer
	if err := runTaxonomy(context.Background(), []string{"suggest", "--min-similarity", "1.5", in}, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--min-similarity") {
		t.Errorf("--min-similarity 1.5: %v, want a usage error naming it", err)
	}
}

// TestTaxonomySuggestScope: suggest examines every post by default and the
// negative ones with --all=false; a word of the feature's complaints and
// praise is proposed, a word only praise uses never is.
func TestTaxonomySuggestScope(t *testing.T) {
	dir := t.TempDir()
	tax := filepath.Join(dir, "tax.yaml")
	if err := os.WriteFile(tax, []byte("features:\n  - id: delivery\n    name: Delivery\n  - id: login\n    name: Login\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var posts bytes.Buffer
	for range 6 {
		posts.WriteString(`{"text":"my delivery is late again, the driver lost it, terrible"}` + "\n" +
			`{"text":"lovely delivery, the driver did gift wrapping, thank you"}` + "\n" +
			`{"text":"cannot login, password rejected again, awful"}` + "\n")
	}
	in := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(in, posts.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, flag, want string
	}{
		{"all posts by default", "--all", "18 posts read (0 unreadable lines), 18 posts examined, 12 of them negative\n"},
		{"negative posts with --all=false", "--all=false", "18 posts read (0 unreadable lines), 12 negative posts examined\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := runTaxonomy(context.Background(), []string{"suggest", tt.flag, "--taxonomy", tax, in}, nil, &out, &errOut); err != nil {
				t.Fatalf("suggest: %v\n%s", err, errOut.String())
			}
			got := out.String()
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("report starts %q, want %q", strings.SplitAfter(got, "\n")[0], tt.want)
			}
			if !strings.Contains(got, `delivery             + "driver"`) {
				t.Errorf("driver, a word of delivery's complaints and praise, not proposed:\n%s", got)
			}
			for _, w := range []string{`"lovely"`, `"wrapping"`, `"gift"`} {
				if strings.Contains(got, "+ "+w) {
					t.Errorf("%s, a word only praise uses, proposed:\n%s", w, got)
				}
			}
		})
	}
}
