package feature

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// suggestFuzzTaxonomy has what an applied copy must keep passing: written
// terms, a multi-word name, match and no_match examples.
const suggestFuzzTaxonomy = `# a user's taxonomy
version: "fuzz.1"
features:
  - id: delivery
    name: Late delivery
    terms: [delivery, parcel] # the obvious ones
    examples:
      match: ["my parcel is late"]
      no_match: ["deliver the speech", "the courier lost my password"]
  - id: login
    name: Log in
    terms: [password]
    examples:
      no_match: ["the parcel arrived"]
  - id: refund
    terms: [refund, money back]
`

// suggestFuzzTagger compiles suggestFuzzTaxonomy.
func suggestFuzzTagger(tb testing.TB) *Tagger {
	tb.Helper()
	base, err := ParseTaxonomy([]byte(suggestFuzzTaxonomy), "fuzz.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	tg, err := NewTagger(base)
	if err != nil {
		tb.Fatal(err)
	}
	return tg
}

// FuzzSuggestApply holds taxonomy suggest's promise for any stream: whatever
// posts the Suggester sees, it does not panic, and the copy --apply writes
// parses, passes Check (its examples included) and lists every term it says
// it added. Each input line is a post, given four times so that its words
// reach the minimum counts; every third is praise.
func FuzzSuggestApply(f *testing.F) {
	for _, s := range []string{
		"delivery late again, the courier never came\nmy parcel is stuck, courier says lost\nforgot my password, the login page loops",
		"refund still not here\nmoney back took weeks, refund denied\nthe voucher code expired at checkout\nvoucher code rejected",
		"parcel parcel parcel\nspeech deliver speech\npassword courier lost",
		"delivery speech again\nparcel speech late\nthe speech parcel never came\nnice weather today\nsunny weather again\nlovely sunny day", // "speech" would tag a no_match example
		"# not: a comment\n- [yaml] {flow}: \"quoted\" 'single' & *alias !tag %",
		"caf\u00e9 d\u00e9livr\u00e9 \u00e9chec\nna\u00efve r\u00e9sum\u00e9 parcel\n\u4f60\u597d parcel \U0001F4E6",
		"",
	} {
		f.Add(s)
	}
	tg := suggestFuzzTagger(f)
	f.Fuzz(func(t *testing.T, stream string) {
		if len(stream) > 2000 || !utf8.ValidString(stream) {
			return
		}
		sg := NewSuggester(tg, SuggestOptions{})
		posts := strings.Split(stream, "\n")
		for r := range 4 {
			for i, p := range posts {
				sg.AddPost(p, (r*len(posts)+i)%3 != 0)
			}
		}
		sg.Candidates()
		sg.Coverage()
		terms := sg.Terms()
		out, added, err := AddTerms([]byte(suggestFuzzTaxonomy), "fuzz.yaml", terms)
		if err != nil {
			t.Fatalf("AddTerms(%+v): %v", terms, err)
		}
		applied, err := ParseTaxonomy(out, "applied.yaml")
		if err != nil {
			t.Fatalf("the applied copy does not parse: %v\n%s", err, out)
		}
		if ps := Check(applied); len(ps) > 0 {
			t.Fatalf("the applied copy fails check: %v\n%s", ps, out)
		}
		for _, a := range added {
			i := slices.IndexFunc(applied.Features, func(f Feature) bool { return f.ID == a.Feature })
			if i < 0 || !slices.Contains(applied.Features[i].Terms, a.Term) {
				t.Errorf("added %q to %s, but the applied copy lacks it:\n%s", a.Term, a.Feature, out)
			}
		}
	})
}
