package textnorm

import "testing"

func TestStemFoldsInflections(t *testing.T) {
	groups := []struct {
		name  string
		words []string
	}{
		{"plural, past and gerund", []string{"log", "logs", "logged", "logging"}},
		{"doubled consonant", []string{"ship", "ships", "shipped", "shipping"}},
		{"final e", []string{"charge", "charges", "charged", "charging"}},
		{"y to ie", []string{"reply", "replies", "replied", "replying"}},
		{"british doubling", []string{"cancel", "cancels", "cancelled", "canceled", "cancelling"}},
		{"es plural", []string{"crash", "crashes", "crashed", "crashing"}},
		{"c before e", []string{"price", "prices", "priced", "pricing"}},
		{"short vowel e restored", []string{"hope", "hoped", "hoping"}},
		{"at keeps e", []string{"rate", "rated", "rates"}},
		{"double l kept", []string{"bill", "billed", "bills"}},
		{"sses plural", []string{"address", "addresses"}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			want := string(Stem([]byte(g.words[0])))
			for _, w := range g.words[1:] {
				if got := string(Stem([]byte(w))); got != want {
					t.Errorf("Stem(%q) = %q, want %q like %q", w, got, want, g.words[0])
				}
			}
		})
	}
}

func TestStemKeepsDistinctWordsApart(t *testing.T) {
	for _, d := range [][2]string{{"site", "sit"}, {"note", "not"}, {"plane", "plan"}, {"hoped", "hopped"}, {"status", "stat"}} {
		t.Run(d[0]+" vs "+d[1], func(t *testing.T) {
			if a, b := string(Stem([]byte(d[0]))), string(Stem([]byte(d[1]))); a == b {
				t.Errorf("Stem(%q) = Stem(%q) = %q, want them distinct", d[0], d[1], a)
			}
		})
	}
}

func TestSingularFoldsRegularPlurals(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"s dropped", "cards", "card"},
		{"ies to y", "deliveries", "delivery"},
		{"us kept", "status", "status"},
		{"ss kept", "address", "address"},
		{"short words kept", "bus", "bus"},
		{"es after sh dropped", "crashes", "crash"},
		{"es after ch dropped", "matches", "match"},
		{"es after x dropped", "boxes", "box"},
		{"sses to ss", "addresses", "address"},
		{"is kept", "analysis", "analysis"},
		{"possessive kept", "user's", "user's"},
		{"three letters kept", "ios", "ios"},
		{"non-plural kept", "broken", "broken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Singular([]byte(tt.in))); got != tt.want {
				t.Errorf("Singular(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
