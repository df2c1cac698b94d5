package taxonomyio

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/internal/jsonl"
)

const learnHistory = "../../cmd/socialpulse/testdata/fallback_history.jsonl"

func learnTo(t *testing.T, posts string, o LearnOptions) ([]byte, string, error) {
	t.Helper()
	in, err := os.Open(posts)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var model, report bytes.Buffer
	err = Learn(context.Background(), in, &model, &report, o)
	return model.Bytes(), report.String(), err
}

func TestLearnWritesTheSameBytesForTheSameInput(t *testing.T) {
	first, report, err := learnTo(t, learnHistory, LearnOptions{Taxonomy: Default})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(report, "margin:") || !strings.Contains(report, "taxonomy sha256:") {
		t.Errorf("report lacks the margin or the taxonomy:\n%s", report)
	}
	out := filepath.Join(t.TempDir(), "model.json")
	tests := []struct {
		name string
		run  func() []byte
	}{
		{"to the model writer, again", func() []byte {
			b, _, err := learnTo(t, learnHistory, LearnOptions{Taxonomy: Default})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}},
		{"to a file", func() []byte {
			if _, _, err := learnTo(t, learnHistory, LearnOptions{Taxonomy: Default, Out: out}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.run(); !bytes.Equal(got, first) {
				t.Errorf("%d bytes, want the first run's %d", len(got), len(first))
			}
		})
	}
	fb, err := feature.LoadFallback(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tg.WithFallback(fb); err != nil {
		t.Errorf("the model does not fit the taxonomy it was learned for: %v", err)
	}
}

func TestLearnRefuses(t *testing.T) {
	dir := t.TempDir()
	unmatched := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(unmatched, []byte(`{"text":"what a sunny day"}`+"\n"+`{"text":"had coffee"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, posts, taxonomy, want string
	}{
		{"posts no term matches", unmatched, Default, "nothing to learn from"},
		{"a taxonomy that fails its checks", learnHistory, "../testdata/failing_example.yaml", "taxonomy:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model, _, err := learnTo(t, tt.posts, LearnOptions{Taxonomy: tt.taxonomy})
			if err == nil || !strings.Contains(err.Error(), tt.want) || len(model) > 0 {
				t.Errorf("err %v and %d model bytes, want an error containing %q and no model", err, len(model), tt.want)
			}
		})
	}
}

func TestLearnAndSuggestShowHowFarTheReadingIs(t *testing.T) {
	for _, tt := range []struct {
		name string
		run  func(p *jsonl.Progress) error
		want string
	}{
		{"learn", func(p *jsonl.Progress) error {
			in, err := os.Open(learnHistory)
			if err != nil {
				return err
			}
			defer in.Close()
			return Learn(context.Background(), in, io.Discard, io.Discard, LearnOptions{Taxonomy: Default, Progress: p})
		}, "taxonomy learn: "},
		{"suggest", func(p *jsonl.Progress) error {
			in, err := os.Open(learnHistory)
			if err != nil {
				return err
			}
			defer in.Close()
			return Suggest(context.Background(), in, io.Discard, SuggestOptions{Taxonomy: Default, Progress: p})
		}, "taxonomy suggest: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.run(jsonl.NewProgress(&buf, true, 0, strings.TrimSuffix(tt.want, ": "), "posts")); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			if !strings.Contains(got, tt.want) || !strings.Contains(got, " posts, ") || !strings.HasSuffix(got, "\n") {
				t.Errorf("progress %q, want %q with the posts read and a closing newline", got, tt.want)
			}
		})
	}
}

func TestSuggestNamesTheFeaturesNoPostCanTeach(t *testing.T) {
	tax := filepath.Join(t.TempDir(), "weak.yaml")
	if err := os.WriteFile(tax, []byte("features:\n  - id: late_order\n  - id: bad_order\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, asJSON := range []bool{false, true} {
		var out bytes.Buffer
		in := strings.NewReader(`{"text":"my order is late again, terrible"}` + "\n")
		if err := Suggest(context.Background(), in, &out, SuggestOptions{Taxonomy: tax, JSON: asJSON}); err != nil {
			t.Fatal(err)
		}
		wants := []string{"bad_order has no terms", `{ "feature": "late_order", "posts": 1 }`, `{ "feature": "bad_order", "posts": 0 }`, `"unmatched": 0`}
		if !asJSON {
			wants = []string{
				"Features no post can teach (as taxonomy check warns; write terms for them first):\n  " + tax + ":3: features[1].name: warning: bad_order has no terms",
				"  late_order                 1  100.0%\n  bad_order                  0    0.0%\n  (no feature)               0    0.0%\n",
				"No examined post matches bad_order: write terms for it.",
			}
		}
		got := strings.Join(strings.Fields(out.String()), " ")
		for _, want := range wants {
			if !strings.Contains(got, strings.Join(strings.Fields(want), " ")) {
				t.Errorf("json %v: output lacks %q:\n%s", asJSON, want, out.String())
			}
		}
	}
}
