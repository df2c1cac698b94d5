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
		{"a written phrase needs its words together by default", TagOptions{}, "the tracking and order number", nil},
		{"phrase gap lets words of a written phrase stand apart", TagOptions{PhraseGap: 2}, "the tracking and order number", []string{"shipping"}},
		{"phrase gap keeps the order of the words", TagOptions{PhraseGap: 2}, "the number for tracking", nil},
		{"phrase gap is a most", TagOptions{PhraseGap: 1}, "the tracking and order number", nil},
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
		{"default", TagOptions{}},
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
