package emerging

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func words(toks []token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.low
	}
	return out
}

func TestTokenizeDropsNoise(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"urls and handles dropped", "@acme see https://t.co/x and www.acme.com now", []string{"see", "and", "now"}},
		{"numbers and prices dropped", "paid $50 for 3 items x2", []string{"paid", "for", "items"}},
		{"hashtags split at case", "#GiftCardFail again", []string{"gift", "card", "fail", "again"}},
		{"inner apostrophes and hyphens kept", "won't sign-in 'quoted'", []string{"won't", "sign-in", "quoted"}},
		{"case folded", "LOYALTY Points", []string{"loyalty", "points"}},
		{"typographic apostrophe becomes ascii", "can’t", []string{"can't"}},
		{"emoji dropped", "refund 😡 please", []string{"refund", "please"}},
		{"camelcase names stay whole outside hashtags", "PayPal iPhone", []string{"paypal", "iphone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := words(tokenize(tc.text, nil)); !slices.Equal(got, tc.want) {
				t.Errorf("tokenize(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestSingularFoldsRegularPlurals(t *testing.T) {
	for in, want := range map[string]string{"cards": "card", "deliveries": "delivery", "status": "status",
		"address": "address", "bus": "bus", "crashes": "crash", "boxes": "box", "points": "point", "ios": "ios"} {
		if got := singular(in); got != want {
			t.Errorf("singular(%q) = %q, want %q", in, got, want)
		}
	}
}

func candidateSet(c []candidate) map[string]string {
	m := make(map[string]string)
	for _, x := range c {
		m[x.text] = x.kind
	}
	return m
}

func TestExtractorsFindNounPhrasesAndSkipComplaintWords(t *testing.T) {
	model, err := sharedModel()
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range []struct {
		name string
		e    extractor
	}{{"pos", posExtractor{model}}, {"heuristic", heuristicExtractor{}}} {
		t.Run(ex.name, func(t *testing.T) {
			_, c := ex.e.extract("@acme my loyalty points vanished AGAIN, please fix https://t.co/x", nil, nil)
			got := candidateSet(dedupe(c))
			if got["loyalty point"] != KindPhrase {
				t.Errorf("no phrase \"loyalty point\" in %v", got)
			}
			for _, w := range []string{"loyalty", "point", "vanished"} {
				if got[w] != KindWord {
					t.Errorf("no word %q in %v", w, got)
				}
			}
			for _, w := range []string{"again", "please", "fix", "my", "acme", "https"} {
				if _, ok := got[w]; ok {
					t.Errorf("noise %q in %v", w, got)
				}
			}
		})
	}
}

func TestPosPhrasesEndInANoun(t *testing.T) {
	model, err := sharedModel()
	if err != nil {
		t.Fatal(err)
	}
	_, c := posExtractor{model}.extract("my kettle stopped when I opened the blender page", nil, nil)
	got := candidateSet(c)
	if got["blender page"] != KindPhrase {
		t.Errorf("no noun phrase \"blender page\" in %v", got)
	}
	for text, kind := range got {
		if kind == KindPhrase && (strings.Contains(text, "open") || strings.Contains(text, "stopped")) {
			t.Errorf("verb taken into phrase %q", text)
		}
	}
}

func TestStoreCapsDistinctTerms(t *testing.T) {
	st := newStore(time.Minute, 10*time.Minute, 100, 1)
	for i := range 1000 {
		w := string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		st.add([]candidate{{w, KindWord}}, w, t0.Add(time.Duration(i)*time.Second))
	}
	if len(st.terms) > 100 {
		t.Errorf("kept %d terms, cap 100", len(st.terms))
	}
	if st.evicted == 0 {
		t.Error("nothing evicted")
	}
	for i := range st.slots {
		for e := range st.slots[i].counts {
			if st.terms[e.text] != e {
				t.Fatalf("slot counts evicted term %q", e.text)
			}
		}
	}
}

func TestFrequentTermSurvivesEviction(t *testing.T) {
	st := newStore(time.Minute, 10*time.Minute, 50, 1)
	for i := range 500 {
		at := t0.Add(time.Duration(i) * time.Second)
		st.add([]candidate{{"loyalty point", KindPhrase}}, "", at)
		w := string(rune('a'+i%26)) + string(rune('a'+i/26%26))
		st.add([]candidate{{w, KindWord}}, w, at)
	}
	if _, ok := st.terms["loyalty point"]; !ok {
		t.Error("the most frequent term was evicted")
	}
}

func TestTermsLeaveOutComplaintWords(t *testing.T) {
	got := Terms("@shop please help, my loyalty points vanished again #fail https://t.co/x")
	want := map[string]bool{"loyalty": true, "point": true, "loyalty point": true}
	for _, w := range got {
		if w == "help" || w == "please" || w == "again" {
			t.Errorf("Terms kept %q: %q", w, got)
		}
		delete(want, w)
	}
	if len(want) > 0 {
		t.Errorf("Terms = %q, missing %v", got, want)
	}
}
