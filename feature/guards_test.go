package feature

import (
	"slices"
	"testing"
)

// guardTaxonomy has written terms, words of multi-word names and
// descriptions, for the TagOptions tests.
func guardTaxonomy() *Taxonomy {
	return &Taxonomy{Features: []Feature{
		{ID: "shipping", Name: "Package delivery", Terms: []string{"tracking number"}}, // name words: package, delivery
		{ID: "billing", Name: "Fee and charges", Terms: []string{"invoice"}},           // name words: fee, charges
		{ID: "service", Terms: []string{"service"}, NoNameTerms: true},                 // a one-word term that starts compounds
		{ID: "ambience", Description: "The atmosphere, decor and noise of the room."},  // description words
		{ID: "food", Description: "The dishes and the room service."},                  // "room" is in two descriptions
	}}
}

func TestTagOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  TagOptions
		text string
		want []string
	}{
		{"by default a name word tags beside a written term", TagOptions{}, "the invoice came in the package", []string{"billing", "shipping"}},
		{"strongest drops a name word when another feature has a written term", TagOptions{Strongest: true}, "the invoice came in the package", []string{"billing"}},
		{"strongest keeps features whose mentions are equally strong", TagOptions{Strongest: true}, "a fee for the package", []string{"billing", "shipping"}},
		{"strongest never leaves a post without a feature", TagOptions{Strongest: true}, "where is my package", []string{"shipping"}},
		{"by default a word that starts a compound is a mention", TagOptions{}, "they added a service charge", []string{"service", "billing"}},
		{"compounds cancel the first word of a WordNet compound, not its head", TagOptions{Compounds: true}, "they added a service charge", []string{"billing"}},
		{"compounds keep the word on its own", TagOptions{Compounds: true}, "the service was slow", []string{"service"}},
		{"compounds keep an earlier mention of the feature", TagOptions{Compounds: true}, "slow service and a service charge", []string{"service", "billing"}},
		{"compounds keep a word that ends a compound", TagOptions{Compounds: true}, "room service", []string{"service"}},
		{"a short derived word alone does not count", TagOptions{ShortDerived: 4}, "what a fee", nil},
		{"a short derived word counts when mentioned twice", TagOptions{ShortDerived: 4}, "a fee on top of a fee", []string{"billing"}},
		{"a short derived word counts beside a written term", TagOptions{ShortDerived: 4}, "a fee on my invoice", []string{"billing"}},
		{"a longer derived word is not guarded", TagOptions{ShortDerived: 4}, "where is my package", []string{"shipping"}},
		{"a short written term is not guarded", TagOptions{ShortDerived: 99}, "the service", []string{"service"}},
		{"single keeps the strongest feature", TagOptions{Single: true}, "the package had no invoice", []string{"billing"}},
		{"single keeps the earliest of equally strong features", TagOptions{Single: true}, "a fee for the package", []string{"billing"}},
		{"a written phrase needs its words together with no phrase gap", TagOptions{}, "the tracking and order number", nil},
		{"phrase gap lets words of a written phrase stand apart", TagOptions{PhraseGap: 2}, "the tracking and order number", []string{"shipping"}},
		{"phrase gap takes two words in either order", TagOptions{PhraseGap: 2}, "the number for tracking", []string{"shipping"}},
		{"phrase gap is at most", TagOptions{PhraseGap: 1}, "the tracking and order number", nil},
		{"description words are not terms by default", TagOptions{}, "so much noise", nil},
		{"description words match with Description", TagOptions{Description: DescriptionOn}, "so much noise", []string{"ambience"}},
		{"a description word alone does not count with a second cue required", TagOptions{Description: DescriptionSecondCue}, "so much noise", nil},
		{"a description word counts beside another mention with a second cue required", TagOptions{Description: DescriptionSecondCue}, "so much noise, the atmosphere", []string{"ambience"}},
		{"a word two descriptions share is dropped", TagOptions{Description: DescriptionOn}, "a big room", nil},
		{"a description word another feature lists is dropped", TagOptions{Description: DescriptionOn}, "the service", []string{"service"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := NewTaggerWith(guardTaxonomy(), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(tg, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Tag(%q) with %+v = %q, want %q", tt.text, tt.opt, got, tt.want)
			}
		})
	}
}

func TestTagOptionsMatchesCarryNoGuardState(t *testing.T) {
	tg, err := NewTaggerWith(guardTaxonomy(), TagOptions{Strongest: true, Single: true, Compounds: true, ShortDerived: 4, Description: DescriptionOn, PhraseGap: 2})
	if err != nil {
		t.Fatal(err)
	}
	got := tg.Tag("a fee on my invoice", nil)
	want := []Match{{Feature: 1, Start: 2, End: 5}}
	if !slices.Equal(got, want) {
		t.Errorf("Tag = %+v, want %+v", got, want)
	}
}

func TestTagAllocationsWithOptions(t *testing.T) {
	tx := DefaultTaxonomy()
	for i := range tx.Features {
		if tx.Features[i].Description == "" {
			tx.Features[i].Description = "Orders, parcels and the service."
		}
	}
	tg, err := NewTaggerWith(tx, TagOptions{Strongest: true, Single: true, Compounds: true, ShortDerived: 6, Description: DescriptionOn, PhraseGap: 2})
	if err != nil {
		t.Fatal(err)
	}
	text := "@shop love the new #SearchBar but checkout keeps failing, card declined twice, a service charge and the app logged me out https://x.co/abc"
	dst := make([]Match, 0, 16)
	if n := testing.AllocsPerRun(100, func() { dst = tg.Tag(text, dst[:0]) }); n != 0 {
		t.Errorf("Tag allocates %v times a call, want 0", n)
	}
}

func BenchmarkTaggerOptions(b *testing.B) {
	for _, c := range []struct {
		name string
		opt  TagOptions
	}{
		{"none", TagOptions{}},
		{"default", DefaultTagOptions},
		{"all", TagOptions{Strongest: true, Compounds: true, ShortDerived: 6, Description: DescriptionOn, PhraseGap: 2}},
	} {
		b.Run(c.name, func(b *testing.B) {
			tg, err := NewTaggerWith(DefaultTaxonomy(), c.opt)
			if err != nil {
				b.Fatal(err)
			}
			benchTag(b, tg)
		})
	}
}

func TestPhraseGap(t *testing.T) {
	// Every word of these names is shared by two features, so no name word
	// counts alone: only the phrases (and their gapped forms) match.
	tax := &Taxonomy{Version: "t", Features: []Feature{
		{ID: "lost_luggage", Name: "Lost luggage"},
		{ID: "damaged_luggage", Name: "Damaged luggage"},
		{ID: "lost_card", Name: "Lost card"},
		{ID: "damaged_card", Name: "Damaged card"},
		{ID: "identity_check", Name: "Verify my identity"},
		{ID: "identity_docs", Name: "Identity documents"},
		{ID: "verify_docs", Name: "Verify documents"},
		{ID: "chargers", Name: "Chargers", NoNameTerms: true, Terms: []string{"battery charging cable", "refund issue"}},
	}}
	tests := []struct {
		name string
		opt  *TagOptions // nil: NewTagger's defaults
		text string
		want []string
	}{
		{"the default lets a name's words stand apart", nil, "lost all my luggage", []string{"lost_luggage"}},
		{"two content words match in either order", nil, "the luggage was lost again", []string{"lost_luggage"}},
		{"the exact name still matches", nil, "lost luggage", []string{"lost_luggage"}},
		{"at most DefaultPhraseGap words stand between", nil, "lost my bag and then my luggage", nil},
		{"the loose form stays within a clause", nil, "I lost. The luggage is fine", nil},
		{"a comma ends the clause too", nil, "I lost, the luggage is fine", nil},
		{"function words of a name are left out of the gapped form", nil, "please verify the identity", []string{"identity_check"}},
		{"three content words match as written", nil, "battery charging cable", []string{"chargers"}},
		{"three content words apart, in order", nil, "battery and the charging cable", []string{"chargers"}},
		{"three content words out of order do not match", nil, "cable charging battery", nil},
		{"a word like issue is left out, so one content word gives no gapped form", nil, "refund for my issue", nil},
		{"the zero options match phrases only as written", &TagOptions{}, "the luggage was lost", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tg *Tagger
			var err error
			if tt.opt == nil {
				tg, err = NewTagger(tax)
			} else {
				tg, err = NewTaggerWith(tax, *tt.opt)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(tg, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Tag(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestPhraseGapFromTheTaxonomy(t *testing.T) {
	const base = `features:
  - id: lost_luggage
    name: Lost luggage
  - id: damaged_luggage
    name: Damaged luggage
  - id: damaged_card
    name: Damaged card
  - id: lost_card
    name: Lost card
`
	tests := []struct {
		name, yaml, text string
		want             []string
	}{
		{"the default gap", "version: t\n" + base, "the luggage was lost", []string{"lost_luggage"}},
		{"phrase_gap 0 for the taxonomy: only as written", "version: t\nphrase_gap: 0\n" + base, "the luggage was lost", nil},
		{"phrase_gap 0 still matches the exact phrase", "version: t\nphrase_gap: 0\n" + base, "lost luggage", []string{"lost_luggage"}},
		{"a wider gap for the taxonomy", "version: t\nphrase_gap: 4\n" + base, "lost all of my new luggage", []string{"lost_luggage"}},
		{"a feature's own gap wins over the taxonomy's", "version: t\nphrase_gap: 0\n" + base + "    phrase_gap: 2\n", "the card got lost", []string{"lost_card"}},
		{"a feature's 0 turns it off for that feature only", "version: t\n" + base + "    phrase_gap: 0\n", "card got lost, luggage got lost", []string{"lost_luggage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tax, err := ParseTaxonomy([]byte(tt.yaml), "t.yaml")
			if err != nil {
				t.Fatal(err)
			}
			tg, err := NewTagger(tax)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(tg, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Tag(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
