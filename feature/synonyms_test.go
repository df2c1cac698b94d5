package feature

import (
	"slices"
	"strings"
	"testing"
)

// trip is a taxonomy whose terms have WordNet synonyms and hyponyms that
// customers use instead. Name terms are off, so that only written terms and
// their expansions match.
const trip = `version: "1"
expand: hyponyms
features:
  - id: vehicle
    match_name: false
    terms: [car]
  - id: dining
    match_name: false
    terms: [waiter]
  - id: fare
    match_name: false
    terms: [cheap, menus]
    expand: synonyms
  - id: legroom
    match_name: false
    terms: [seat]
    expand: "off"
`

func tripTagger(t testing.TB) *Tagger {
	t.Helper()
	tx, err := ParseTaxonomy([]byte(trip), "trip.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := NewTagger(tx)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestExpandMatchesWordNetWords(t *testing.T) {
	tg := tripTagger(t)
	tests := []struct {
		name, text string
		want       []string // feature ids
		expanded   []bool
	}{
		{"written term", "the car broke down", []string{"vehicle"}, []bool{false}},
		{"synonym", "the automobile broke down", []string{"vehicle"}, []bool{true}},
		{"hyponym, inflected", "two taxicabs were late", []string{"vehicle"}, []bool{true}},
		{"two-word hyponym", "the wine steward was rude", []string{"dining"}, []bool{true}},
		{"synonym of an adjective", "not inexpensive at all", []string{"fare"}, []bool{true}},
		{"synonym of an inflected term", "the carte was short", []string{"fare"}, []bool{true}},
		{"synonyms only: no hyponym", "a prix fixe dinner", nil, nil},
		{"expansion off", "my backside hurt", nil, nil},
		{"the first mention sets the flag", "the car, I mean the automobile", []string{"vehicle"}, []bool{false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var exp []bool
			for _, m := range tg.Tag(tt.text, nil) {
				got = append(got, tg.Features()[m.Feature].ID)
				exp = append(exp, m.Expanded)
			}
			if !slices.Equal(got, tt.want) || !slices.Equal(exp, tt.expanded) {
				t.Errorf("Tag(%q) = %v expanded %v, want %v expanded %v", tt.text, got, exp, tt.want, tt.expanded)
			}
		})
	}
}

func TestExpandedTermsListsOnlyExpansions(t *testing.T) {
	tg := tripTagger(t)
	i, _ := tg.Index("vehicle")
	got := tg.ExpandedTerms(i)
	for _, w := range []string{"automobile", "taxi"} {
		if !slices.Contains(got, w) {
			t.Errorf("ExpandedTerms(vehicle) = %q, want it to contain %q", got, w)
		}
	}
	if slices.Contains(got, "car") {
		t.Errorf("ExpandedTerms(vehicle) = %q lists the written term", got)
	}
	i, _ = tg.Index("legroom")
	if got := tg.ExpandedTerms(i); len(got) != 0 {
		t.Errorf("ExpandedTerms(legroom) = %q with expand: off, want none", got)
	}
}

func TestExpandOffByDefault(t *testing.T) {
	tx, err := ParseTaxonomy([]byte("version: \"1\"\nfeatures:\n  - id: vehicle\n    match_name: false\n    terms: [car]\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := NewTagger(tx)
	if err != nil {
		t.Fatal(err)
	}
	if got := tg.Tag("the automobile broke down", nil); len(got) != 0 {
		t.Errorf("Tag matched %v without expand, want nothing", got)
	}
}

func TestExpansionClaimedByTwoFeaturesIsDropped(t *testing.T) {
	// "car" and "automobile" share a synset: "motorcar" belongs to neither
	// feature, and neither written term is taken by the other's expansion.
	tx, err := ParseTaxonomy([]byte(`version: "1"
expand: synonyms
features:
  - id: a
    match_name: false
    terms: [car]
  - id: b
    match_name: false
    terms: [automobile]
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := NewTagger(tx)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string
	}{
		{"my car", []string{"a"}},
		{"my automobile", []string{"b"}},
		{"my motorcar", nil},
	}
	for _, tt := range tests {
		if got := ids(tg, tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Tag(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestWordNetBaseForms(t *testing.T) {
	tests := []struct{ term, want string }{
		{"drinks", "drink"},
		{"prices", "price"},
		{"cancelled", "cancel"},
		{"batteries", "battery"},
		{"hard drives", "hard drive"},
	}
	for _, tt := range tests {
		if got := baseForms(tt.term); !slices.Contains(got, tt.want) {
			t.Errorf("baseForms(%q) = %q, want it to contain %q", tt.term, got, tt.want)
		}
	}
}

func TestTagAllocationsWithExpansion(t *testing.T) {
	tg := tripTagger(t)
	text := "the wine steward called a taxi and the seat was not inexpensive"
	dst := make([]Match, 0, 16)
	if n := testing.AllocsPerRun(100, func() { dst = tg.Tag(text, dst[:0]) }); n != 0 {
		t.Errorf("Tag allocates %v times a call, want 0", n)
	}
	if len(dst) < 3 {
		t.Errorf("Tag found %d features, want at least 3", len(dst))
	}
}

func BenchmarkTagDefaultExpanded(b *testing.B) {
	tx := DefaultTaxonomy()
	tx.Expand = ExpandHyponyms
	tg, err := NewTagger(tx)
	if err != nil {
		b.Fatal(err)
	}
	benchTag(b, tg)
}

func BenchmarkNewTaggerDefaultExpanded(b *testing.B) {
	wordnetLine("") // the table is read once per process
	for b.Loop() {
		tx := DefaultTaxonomy()
		tx.Expand = ExpandHyponyms
		if _, err := NewTagger(tx); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSynonymTableIsSortedByWord(t *testing.T) {
	wordnetLine("")
	for i := 1; i < len(synonymLines); i++ {
		a, _, _ := strings.Cut(synonymLines[i-1], "\t")
		b, _, _ := strings.Cut(synonymLines[i], "\t")
		if a >= b {
			t.Fatalf("line %d: %q after %q: the lookup needs lines sorted by word", i, b, a)
		}
	}
	if len(synonymLines) < 50000 {
		t.Errorf("table has %d lines, want the whole of WordNet (about 69,000)", len(synonymLines))
	}
}
