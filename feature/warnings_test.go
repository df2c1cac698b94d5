package feature

import (
	"strings"
	"testing"
)

func TestWarningsNameFeaturesThatMatchOnlyTheirWholeName(t *testing.T) {
	parse := func(t *testing.T, yaml string) *Taxonomy {
		t.Helper()
		tx, err := ParseTaxonomy([]byte("version: \"t\"\nfeatures:\n"+yaml), "t.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	tests := []struct {
		name string
		yaml string
		want []string // one substring per warning, in order
	}{
		{"a name word of its own is enough", "  - id: late_order\n    name: Late Order\n  - id: refunds\n    name: Refunds\n", nil},
		{"written terms are enough", "  - id: late_order\n    name: Late Order\n  - id: bad_order\n    name: Bad Order\n    terms: [wrong item]\n", nil},
		{"a shared word and a word that says nothing leave only the phrase",
			"  - id: late_order\n    name: Late Order\n  - id: bad_order\n    name: Bad Order\n",
			[]string{`t.yaml:6: features[1].name: warning: bad_order has no terms, and its name gives it no word of its own ("order" is also late_order's; "bad" says nothing about a topic): it matches only the phrase "bad order"`}},
		{"a word another feature lists as a term is not its own",
			"  - id: delivery\n    name: Delivery\n    terms: [parcel]\n  - id: parcel\n    name: Parcel\n",
			[]string{`parcel has no terms, and its name gives it no word of its own ("parcel" is also delivery's)`}},
		{"a name of two content words says they may stand apart",
			"  - id: lost_luggage\n    name: Lost Luggage\n  - id: lost_card\n    name: Lost card\n  - id: damaged_luggage\n    name: Damaged luggage\n",
			[]string{`it matches only the phrase "lost luggage" (its words up to 2 apart), and`}},
		{"phrase_gap 0 matches the phrase only",
			"  - id: lost_luggage\n    name: Lost Luggage\n    phrase_gap: 0\n  - id: lost_card\n    name: Lost card\n  - id: damaged_luggage\n    name: Damaged luggage\n",
			[]string{`it matches only the phrase "lost luggage", and`}},
		{"match_name: false is the user's choice", "  - id: late_order\n    name: Late Order\n  - id: bad_order\n    name: Bad Order\n    match_name: false\n    patterns: [\"(wrong|missing) item\"]\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx := parse(t, tt.yaml)
			if ps := Check(tx); len(ps) > 0 {
				t.Fatalf("the taxonomy fails Check: %v", ps)
			}
			ws := Warnings(tx)
			if len(ws) != len(tt.want) {
				t.Fatalf("got %d warnings %v, want %d", len(ws), ws, len(tt.want))
			}
			for i, w := range ws {
				if !strings.Contains(w.String(), tt.want[i]) {
					t.Errorf("warning %q, want it to hold %q", w.String(), tt.want[i])
				}
			}
		})
	}
}

func TestTheShippedTaxonomiesHaveNoWarnings(t *testing.T) {
	for _, p := range Warnings(DefaultTaxonomy()) {
		t.Error(p)
	}
}
