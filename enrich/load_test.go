package enrich

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/sentiment"
)

const checkoutTaxonomy = `version: "1"
features:
  - id: checkout
    name: Checkout
    owner: web-team
    criticality: 5
    terms: [checkout]
`

func TestLoadAcceptsGoodTaxonomiesAndRefusesBadOnes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", checkoutTaxonomy)
	badExample := write("bad-example.yaml", checkoutTaxonomy+"    examples:\n      match: [\"nothing to do with it\"]\n")
	unparsable := write("unparsable.yaml", "features: [")
	tests := []struct {
		name         string
		path         string
		wantFeatures int  // when accepted
		wantProblems bool // refused with a *feature.ProblemsError
		wantErr      bool
	}{
		{name: "empty path is the built-in taxonomy", path: "", wantFeatures: len(feature.DefaultTaxonomy().Features)},
		{name: "a good file is loaded", path: good, wantFeatures: 1},
		{name: "a failing example is refused", path: badExample, wantErr: true, wantProblems: true},
		{name: "invalid YAML is refused", path: unparsable, wantErr: true, wantProblems: true},
		{name: "a missing file is refused", path: filepath.Join(dir, "nope.yaml"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			en, err := Load(tt.path)
			tg, tgErr := LoadTagger(tt.path)
			if (err != nil) != (tgErr != nil) {
				t.Fatalf("Load error %v, LoadTagger error %v: want both or neither", err, tgErr)
			}
			if tt.wantErr {
				if err == nil {
					t.Fatal("taxonomy accepted")
				}
				if !strings.HasPrefix(err.Error(), "taxonomy: ") || strings.HasPrefix(err.Error(), "taxonomy: taxonomy:") {
					t.Errorf("error %q: want one \"taxonomy: \" prefix", err)
				}
				var pe *feature.ProblemsError
				if got := errors.As(err, &pe); got != tt.wantProblems {
					t.Errorf("error %v wraps a ProblemsError: %v, want %v", err, got, tt.wantProblems)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := len(en.Tagger().Features()); got != tt.wantFeatures {
				t.Errorf("Load: %d features, want %d", got, tt.wantFeatures)
			}
			if got := len(tg.Features()); got != tt.wantFeatures {
				t.Errorf("LoadTagger: %d features, want %d", got, tt.wantFeatures)
			}
		})
	}
}

func TestLoadEnrichesLikeNew(t *testing.T) {
	loaded, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	built, err := New(sentiment.New(), tg)
	if err != nil {
		t.Fatal(err)
	}
	var s1, s2 Scratch
	for _, text := range []string{
		"checkout keeps failing and the login page is great",
		"Tried to pay. Failed three times!",
		"nothing about any feature here",
	} {
		a, b := loaded.Enrich(text, "", &s1), built.Enrich(text, "", &s2)
		if a.Lang != b.Lang || a.Sentiment != b.Sentiment || len(a.Features) != len(b.Features) {
			t.Fatalf("%q: Load gives %+v, New gives %+v", text, a, b)
		}
		for i := range a.Features {
			if a.Features[i] != b.Features[i] {
				t.Errorf("%q feature %d: Load gives %+v, New gives %+v", text, i, a.Features[i], b.Features[i])
			}
		}
	}
}
