package feature

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTaxonomyErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // each must appear in the error, one problem a line
	}{
		{"criticality out of range", "features:\n  - id: a\n    criticality: 9\n",
			[]string{"t.yaml:3: features[0].criticality: must be 1..5, got 9"}},
		{"criticality zero", "features:\n  - id: a\n    criticality: 0\n",
			[]string{"t.yaml:3: features[0].criticality: must be 1..5, got 0"}},
		{"criticality not a number", "features:\n  - id: a\n    criticality: high\n",
			[]string{"t.yaml:3: features[0].criticality: want an integer 1..5"}},
		{"bad id", "features:\n  - id: Check-Out\n",
			[]string{"t.yaml:2: features[0].id: \"Check-Out\": want lowercase"}},
		{"reserved id", "features:\n  - id: other\n",
			[]string{"t.yaml:2: features[0].id: \"other\" is reserved"}},
		{"duplicate id", "features:\n  - id: a\n  - id: a\n",
			[]string{"t.yaml:3: features[1].id: \"a\" already used by features[0]"}},
		{"missing id", "features:\n  - name: A\n",
			[]string{"t.yaml:2: features[0].id: missing"}},
		{"bad feature expansion", "features:\n  - id: a\n    expand: synonym\n",
			[]string{"t.yaml:3: features[0].expand: \"synonym\": want off, synonyms or hyponyms"}},
		{"bad taxonomy expansion", "expand: all\nfeatures:\n  - id: a\n",
			[]string{"t.yaml:1: expand: \"all\": want off, synonyms or hyponyms"}},
		{"phrase gap out of range", "features:\n  - id: a\n    phrase_gap: 10\n",
			[]string{"t.yaml:3: features[0].phrase_gap: want an integer 0..9"}},
		{"negative taxonomy phrase gap", "phrase_gap: -1\nfeatures:\n  - id: a\n",
			[]string{"t.yaml:1: phrase_gap: want an integer 0..9"}},
		{"phrase gap not a number", "features:\n  - id: a\n    phrase_gap: wide\n",
			[]string{"t.yaml:3: features[0].phrase_gap: want an integer 0..9"}},
		{"unknown field", "features:\n  - id: a\n    term: [x]\n",
			[]string{"t.yaml:3: features[0].term: unknown field"}},
		{"duplicate field", "features:\n  - id: a\n    terms: [x]\n    terms: [y]\n",
			[]string{"t.yaml:4: features[0].terms: duplicate field"}},
		{"term without words", "features:\n  - id: a\n    terms:\n      - ok\n      - \"!!!\"\n",
			[]string{"t.yaml:5: features[0].terms[1]: \"!!!\" has no words"}},
		{"bad pattern", "features:\n  - id: a\n    patterns: [\"(x|y\"]\n",
			[]string{"t.yaml:3: features[0].patterns[0]: \"(x|y\": unclosed"}},
		{"bad exclusion", "features:\n  - id: a\n    exclude:\n      - \"* x\"\n",
			[]string{"t.yaml:4: features[0].exclude[0]"}},
		{"terms not a list", "features:\n  - id: a\n    terms: {x: 1}\n",
			[]string{"t.yaml:3: features[0].terms: want a list of strings, got a mapping"}},
		{"fallback not a boolean", "features:\n  - id: a\n    fallback: sometimes\n",
			[]string{"t.yaml:3: features[0].fallback: want true or false, got \"sometimes\""}},
		{"matches nothing", "features:\n  - id: a\n    match_name: false\n",
			[]string{"t.yaml:2: features[0]: matches nothing"}},
		{"no features", "version: x\n", []string{"features: no features"}},
		{"features not a list", "features: a\n", []string{"t.yaml:1: features: want a list of features"}},
		{"invalid YAML", "features:\n  - id: a\n\tterms: x\n", []string{"t.yaml:2: invalid YAML: found a tab character"}},
		{"empty file", "", []string{"t.yaml:1: empty taxonomy"}},
		{"several problems at once", "features:\n  - id: A\n    criticality: 7\n",
			[]string{"features[0].criticality: must be 1..5, got 7", "features[0].id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTaxonomy([]byte(tt.yaml), "t.yaml")
			if err == nil {
				t.Fatal("ParseTaxonomy succeeded, want an error")
			}
			var pe *ProblemsError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ProblemsError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestParseTaxonomyDefaults(t *testing.T) {
	tx, err := ParseTaxonomy([]byte("features:\n  - id: late_delivery\n    terms: refund\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := NewTagger(tx)
	if err != nil {
		t.Fatal(err)
	}
	f := tg.Features()[0]
	if f.Name != "late delivery" || f.Criticality != 3 || len(f.Terms) != 1 {
		t.Errorf("defaults: got %+v, want name from id, criticality 3 and a scalar term list", f)
	}
}

func TestLoadTaxonomyNamesFileAndLine(t *testing.T) {
	_, err := LoadTaxonomy("testdata/bad_criticality.yaml")
	want := "testdata/bad_criticality.yaml:9: features[1].criticality: must be 1..5, got 9"
	if err == nil || err.Error() != want {
		t.Errorf("LoadTaxonomy error = %v, want %q", err, want)
	}
	if _, err := LoadTaxonomy("testdata/missing.yaml"); err == nil {
		t.Error("LoadTaxonomy of a missing file succeeded")
	}
}

func TestDefaultTaxonomyPassesCheck(t *testing.T) {
	tx := DefaultTaxonomy()
	for _, p := range Check(tx) {
		t.Error(p)
	}
	want := []string{"login", "checkout", "payment", "cart", "search", "product_pages", "shipping", "returns",
		"mobile_app", "availability", "security", "notifications", "support", "billing", "subscriptions"}
	if len(tx.Features) != len(want) {
		t.Fatalf("default taxonomy has %d features, want %d", len(tx.Features), len(want))
	}
	for i, f := range tx.Features {
		if f.ID != want[i] {
			t.Errorf("feature %d is %q, want %q", i, f.ID, want[i])
		}
		if f.Owner == "" || f.Description == "" || f.Criticality < 1 || len(f.Examples.Match) == 0 || len(f.Examples.NoMatch) == 0 {
			t.Errorf("feature %q lacks an owner, description, criticality or examples", f.ID)
		}
	}
	if DefaultTaxonomy() == tx {
		t.Error("DefaultTaxonomy returned a shared value")
	}
}

func TestDefaultTaxonomyMixedSentiment(t *testing.T) {
	tg, err := NewTagger(DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(tg, "love the new search but checkout keeps failing"); len(got) != 2 || got[0] != "search" || got[1] != "checkout" {
		t.Errorf("features = %v, want [search checkout]", got)
	}
}

func TestCheckReportsFailingExamples(t *testing.T) {
	tx, err := LoadTaxonomy("testdata/failing_example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ps := Check(tx)
	want := []string{
		`testdata/failing_example.yaml:8: features[0].examples.match[0]: cart does not match "my trolley is empty" (no feature matches)`,
		`testdata/failing_example.yaml:10: features[0].examples.no_match[0]: cart matches "items vanish from my cart" at "cart"`,
	}
	if len(ps) != len(want) {
		t.Fatalf("Check = %v, want %d problems", ps, len(want))
	}
	for i, p := range ps {
		if p.String() != want[i] {
			t.Errorf("problem %d = %q, want %q", i, p, want[i])
		}
	}
}

func TestCheckCodeBuiltTaxonomy(t *testing.T) {
	tx := &Taxonomy{Features: []Feature{{ID: "x", Terms: []string{"x"}, Examples: Examples{Match: []string{"y"}}}}}
	ps := Check(tx)
	if len(ps) != 1 || ps[0].Line != 0 || ps[0].Field != "features[0].examples.match[0]" {
		t.Errorf("Check = %v, want one problem without a line", ps)
	}
}

func TestLiveReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "taxonomy.yaml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("version: v1\nfeatures:\n  - id: cart\n    terms: [cart]\n")
	tx, err := LoadTaxonomy(path)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := NewTagger(tx)
	if err != nil {
		t.Fatal(err)
	}
	live := NewLive(tg)

	write("version: v2\nfeatures:\n  - id: cart\n    criticality: 11\n")
	if err := live.Reload(path); err == nil {
		t.Error("Reload accepted an invalid file")
	}
	write("version: v2\nfeatures:\n  - id: cart\n    terms: [cart]\n    examples: {match: [trolley]}\n")
	if err := live.Reload(path); err == nil {
		t.Error("Reload accepted a file whose examples fail")
	}
	if live.Tagger() != tg {
		t.Fatal("a refused reload replaced the tagger")
	}
	write("version: v2\nfeatures:\n  - id: cart\n    terms: [cart, basket]\n")
	if err := live.Reload(path); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if v := live.Tagger().Version(); v != "v2" {
		t.Errorf("version after reload = %q, want v2", v)
	}
	if len(live.Tagger().Tag("basket", nil)) != 1 {
		t.Error("reloaded taxonomy is not in use")
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Source: "a.yaml", Line: 3, Field: "features[0].id", Message: "missing"}, "a.yaml:3: features[0].id: missing"},
		{Problem{Source: "a.yaml", Field: "features", Message: "no features"}, "a.yaml: features: no features"},
		{Problem{Message: "nil taxonomy"}, "nil taxonomy"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestFallbackKeyTurnsTheFallbackOffForOneFeature(t *testing.T) {
	tx, err := ParseTaxonomy([]byte("features:\n  - id: a\n    fallback: false\n  - id: b\n    fallback: true\n  - id: c\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		i    int
		want bool
	}{
		{"fallback: false turns it off", 0, true},
		{"fallback: true leaves it on", 1, false},
		{"no fallback key leaves it on", 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tx.Features[tt.i].NoFallback; got != tt.want {
				t.Errorf("features[%d].NoFallback = %v, want %v", tt.i, got, tt.want)
			}
		})
	}
}
