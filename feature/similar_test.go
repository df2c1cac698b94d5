package feature

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

func similarTagger(t *testing.T) *Tagger {
	t.Helper()
	tg, err := NewTagger(&Taxonomy{Features: []Feature{
		{ID: "price", Name: "Price"},
		{ID: "delivery", Name: "Delivery", Terms: []string{"courier"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// similarPosts never put "cost" or "shipment" next to a feature's words:
// co-occurrence cannot propose them.
var similarPosts = slices.Concat(
	repeat(4, "the cost is outrageous", "shipment still missing after two weeks", "awful, again, today"),
	repeat(2, "price went up again", "courier lost it"),
)

func TestSuggesterSimilarWords(t *testing.T) {
	tests := []struct {
		name    string
		opt     SuggestOptions
		feature string
		want    []string
		notWant []string
	}{
		{"a word close to the feature's words is proposed for it", SuggestOptions{}, "price", []string{"cost"}, nil},
		{"... and for no other feature", SuggestOptions{}, "delivery", []string{"shipment"}, []string{"cost"}},
		{"words close to no feature are not proposed", SuggestOptions{}, "price", nil, []string{"outrageous", "missing", "weeks", "awful"}},
		{"NoSimilar turns them off", SuggestOptions{NoSimilar: true}, "price", nil, []string{"cost"}},
		{"a similarity no word reaches proposes none", SuggestOptions{MinSimilarity: 0.99}, "price", nil, []string{"cost"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sg := NewSuggester(similarTagger(t), tt.opt)
			for _, p := range similarPosts {
				sg.Add(p)
			}
			ts := sg.Terms()
			checkTerms(t, ts, tt.feature, tt.want, tt.notWant)
			for _, s := range ts {
				if s.Term == "cost" && (s.Similarity < DefaultMinSimilarity || s.Similarity > 1 || s.New != 4 || len(s.Examples) == 0) {
					t.Errorf("cost: %+v, want its similarity, 4 new posts and examples", s)
				}
			}
		})
	}
}

func TestAddTermsMarksSimilarWords(t *testing.T) {
	data := []byte("features:\n  - id: price\n    name: Price\n")
	out, added, err := AddTerms(data, "t.yaml", []TermSuggestion{{Feature: "price", Term: "cost", Posts: 0, Elsewhere: 4, Similarity: 0.82}})
	if err != nil || len(added) != 1 {
		t.Fatalf("AddTerms: %v, %d added", err, len(added))
	}
	if want := "- cost # suggested: similar to price's words (0.82), 0 posts of it, 4 elsewhere"; !slices.Contains(splitLines(string(out)), "      "+want) {
		t.Errorf("AddTerms wrote\n%s\nwant a line %q", out, want)
	}
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		s = s[min(i+1, len(s)):]
	}
	return out
}

func TestWordVectorsLoad(t *testing.T) {
	wv, err := loadWordVectors()
	if err != nil {
		t.Fatal(err)
	}
	if wv.dims != 256 || len(wv.rows) < 20000 {
		t.Fatalf("table: %d dims, %d stems; want 256 and at least 20,000", wv.dims, len(wv.rows))
	}
	// Inflections share their stem's vector; unrelated words are less
	// similar than related ones.
	for _, k := range []string{termKey("delayed"), termKey("delays"), termKey("luggage")} {
		if _, ok := wv.rows[k]; !ok {
			t.Errorf("no vector for %q", k)
		}
	}
	c := wv.centroid([]string{termKey("price")})
	cost, _ := wv.cosine(termKey("cost"), c)
	pizza, _ := wv.cosine(termKey("pizza"), c)
	if cost < 0.6 || pizza > cost-0.3 {
		t.Errorf("similarity to price: cost %.2f, pizza %.2f; want cost above 0.6 and well above pizza", cost, pizza)
	}
}

func TestParseWordVectorsRefusesMalformedTables(t *testing.T) {
	good := func() []byte {
		b := []byte("SPWV\x01")
		b = binary.LittleEndian.AppendUint16(b, 2)
		b = binary.LittleEndian.AppendUint32(b, 2)
		b = append(b, 3, 'c', 'a', 't', 3, 'd', 'o', 'g')
		return append(b, 1, 2, 0xff, 4)
	}
	if wv, err := parseWordVectors(good()); err != nil || wv.dims != 2 || len(wv.rows) != 2 || int8(wv.vecs[2]) != -1 {
		t.Fatalf("good table: %+v, %v", wv, err)
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"another magic", append([]byte("XPWV"), good()[4:]...)},
		{"another version", append([]byte("SPWV\x02"), good()[5:]...)},
		{"vectors cut short", good()[:len(good())-1]},
		{"vectors too long", append(good(), 0)},
		{"a word running past the end", good()[:13]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseWordVectors(tt.b); err == nil {
				t.Error("parsed, want an error")
			}
		})
	}
}

func FuzzParseWordVectors(f *testing.F) {
	f.Add([]byte("SPWV\x01\x02\x00\x01\x00\x00\x00\x03cat\x01\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		wv, err := parseWordVectors(b)
		if err != nil {
			return
		}
		if len(wv.vecs) != len(wv.norms)*wv.dims {
			t.Fatalf("%d values for %d vectors of %d", len(wv.vecs), len(wv.norms), wv.dims)
		}
	})
}

func TestFeatureCentroidsLeaveOutSharedWords(t *testing.T) {
	wv, err := loadWordVectors()
	if err != nil {
		t.Fatal(err)
	}
	cents, _ := featureCentroids(wv, []Feature{
		{ID: "late_flight", Name: "Late flight"},
		{ID: "cancelled_flight", Name: "Cancelled flight"},
		{ID: "flight", Name: "Flight"},
	})
	alone := func(words ...string) []float64 {
		keys := make([]string, len(words))
		for i, w := range words {
			keys[i] = termKey(w)
		}
		return wv.centroid(keys)
	}
	tests := []struct {
		name string
		got  []float64
		want []float64
	}{
		{"a word the feature shares counts for nothing", cents[0], alone("late")},
		{"... for every feature that shares it", cents[1], alone("cancelled")},
		{"unless it is all the feature has", cents[2], alone("flight")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got == nil || !slices.EqualFunc(tt.got, tt.want, func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }) {
				t.Error("centroid differs from the feature's own words' alone")
			}
		})
	}
}

func TestSimilarWordOnlyInAnotherFeaturesPostsHasExamples(t *testing.T) {
	sg := NewSuggester(similarTagger(t), SuggestOptions{})
	for _, p := range repeat(4, "the courier charged a cost on delivery") {
		sg.Add(p)
	}
	for _, s := range sg.Terms() {
		if s.Term == "cost" {
			if s.Feature != "price" || s.Posts != 0 || s.Elsewhere != 4 || len(s.Examples) == 0 {
				t.Errorf("cost: %+v, want price, 0 posts of it, 4 elsewhere, and examples", s)
			}
			return
		}
	}
	t.Error("cost not proposed")
}
