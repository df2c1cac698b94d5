package feature

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func loadTagger(t testing.TB, path string) *Tagger {
	t.Helper()
	tx, err := LoadTaxonomy(path)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := NewTagger(tx)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// ids returns the feature ids of text's matches, in match order.
func ids(tg *Tagger, text string) []string {
	var out []string
	for _, m := range tg.Tag(text, nil) {
		out = append(out, tg.Features()[m.Feature].ID)
	}
	return out
}

func TestTag(t *testing.T) {
	tg := loadTagger(t, "testdata/shop.yaml")
	tests := []struct {
		name, text string
		want       []string
	}{
		{"case is ignored", "CHECKOUT is broken", []string{"checkout"}},
		{"punctuation is ignored", "...checkout!!!", []string{"checkout"}},
		{"hashtag CamelCase splits", "#CheckoutFail again", []string{"checkout"}},
		{"lowercase hashtag matches inside", "#checkoutfail again", []string{"checkout"}},
		{"short term does not match inside hashtag", "#cardboard", nil},
		{"words run together", "can't login", []string{"login"}},
		{"hyphenated", "sign-in page", []string{"login"}},
		{"joined", "signin page", []string{"login"}},
		{"zero-width space inside a word", "log\u200bin is broken", []string{"login"}},
		{"zero-width joiner and soft hyphen inside words", "check\u200dout and lo\u00adgin fail", []string{"checkout", "login"}},
		{"byte order mark and direction mark inside a word", "\ufeffcheck\u200eout broken", []string{"checkout"}},
		{"past tense", "I logged in fine yesterday", []string{"login"}},
		{"gerund", "logging in takes ages", []string{"login"}},
		{"CamelCase phrase", "LogIn broken", []string{"login"}},
		{"possessive", "the checkout's page froze", []string{"checkout"}},
		{"plural and inflection in phrase", "password resets never arrive", []string{"login"}},
		{"multi-word phrase", "where is my tracking number", []string{"shipping"}},
		{"multi-word phrase needs all words", "the tracking was fine", nil},
		{"multi-label in order of mention", "love the new search but checkout keeps failing", []string{"search", "checkout"}},
		{"longer phrase and its word give one match", "card declined at checkout", []string{"payment", "checkout"}},
		{"exclusion cancels a near mention", "bought a gift card", nil},
		{"exclusion far away does not cancel", "my card was declined today and I also bought a lovely new gift card", []string{"payment"}},
		{"exclusion after mention cancels it", "check out this deal", nil},
		{"only the excluded mention is cancelled", "check out our big summer sale, but checkout is broken", []string{"checkout"}},
		{"pattern alternative", "the app keeps kicking me out", []string{"login"}},
		{"pattern gap", "my parcel has never arrived", []string{"shipping"}},
		{"pattern gap bounded", "my parcel is at the depot and a letter from the bank never came", nil},
		{"pattern gap up to 2", "delivered it so slowly", []string{"shipping"}},
		{"pattern prefix", "still no refunds", []string{"refund"}},
		{"pattern prefix matches longer word", "refundable?", []string{"refund"}},
		{"name is a term", "when is my refund", []string{"refund"}},
		{"name word is a term", "so slow today", []string{"slow_app"}},
		{"name word shared by two features is not", "nice app", nil},
		{"inflected name word", "it crashed again", []string{"crashing_app"}},
		{"no words beyond the name's own", "it is lagging again", nil},
		{"match_name false", "notifications everywhere", nil},
		{"sentence punctuation breaks a phrase", "I tried to log. In the end it worked", nil},
		{"mentions are skipped", "@checkout hello", nil},
		{"URLs are skipped", "see https://shop.example/checkout now", nil},
		{"apostrophes inside words", "can’t sign in", []string{"login"}},
		{"no feature", "what a lovely day", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(tg, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Tag(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestTagOffsets(t *testing.T) {
	tg := loadTagger(t, "testdata/shop.yaml")
	tests := []struct {
		name, text string
		want       []string // mention text of each match
	}{
		{"single word", "the checkout broke", []string{"checkout"}},
		{"phrase spans its words", "I can't sign-in!", []string{"sign-in"}},
		{"CamelCase part", "#CheckoutFail", []string{"Checkout"}},
		{"inside a hashtag is the hashtag word", "#checkoutfail", []string{"checkoutfail"}},
		{"first mention wins", "checkout... I said CHECKOUT", []string{"checkout"}},
		{"gap pattern spans the gap", "package has never arrived", []string{"package has never arrived"}},
		{"prefix covers the word", "refunded?", []string{"refunded"}},
		{"multibyte text before", "😡😡 café checkout", []string{"checkout"}},
		{"multi-label", "search then paypal", []string{"search", "paypal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range tg.Tag(tt.text, nil) {
				got = append(got, tt.text[m.Start:m.End])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("mentions of %q = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestTagAppendsToDst(t *testing.T) {
	tg := loadTagger(t, "testdata/shop.yaml")
	dst := []Match{{Feature: 99, Start: 1, End: 2}}
	dst = tg.Tag("checkout and search", dst)
	if len(dst) != 3 || dst[0].Feature != 99 {
		t.Fatalf("Tag did not append after existing matches: %v", dst)
	}
}

func TestTagAllocations(t *testing.T) {
	tg, err := NewTagger(DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	text := "@shop love the new #SearchBar but checkout keeps failing, card declined twice and the app logged me out https://x.co/abc"
	dst := make([]Match, 0, 16)
	if n := testing.AllocsPerRun(100, func() { dst = tg.Tag(text, dst[:0]) }); n != 0 {
		t.Errorf("Tag allocates %v times a call, want 0", n)
	}
	if len(dst) < 4 {
		t.Errorf("Tag found %d features, want at least 4", len(dst))
	}
}

func TestPatternErrors(t *testing.T) {
	tests := []struct{ name, pattern, want string }{
		{"unclosed group", "(a|b", "unclosed"},
		{"nested group", "(a|(b))", "nest"},
		{"leading gap", "* refund", "gap"},
		{"double gap", "a * * b", "two gaps"},
		{"prefix mid-phrase", "open* ticket", "last word"},
		{"only optional", "[a|b]", "can be empty"},
		{"empty alternative", "(a|)", "empty alternative"},
		{"bad gap", "a *x b", "bad gap"},
		{"too many expansions", "(a|b|c|d) (a|b|c|d) (a|b|c|d) (a|b|c|d) (a|b|c|d) (a|b|c|d)", "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compilePattern(tt.pattern)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("compilePattern(%q) = %v, want error containing %q", tt.pattern, err, tt.want)
			}
		})
	}
}

func TestEnclosing(t *testing.T) {
	// The mixed-sentiment post: each feature takes its own clause.
	text := "love the new search but checkout keeps failing"
	clauses := [][2]int{{0, 19}, {19, len(text)}}
	tg := loadTagger(t, "testdata/shop.yaml")
	at := func(i int) (int, int) { return clauses[i][0], clauses[i][1] }
	got := map[string]int{}
	for _, m := range tg.Tag(text, nil) {
		got[tg.Features()[m.Feature].ID] = Enclosing(m, len(clauses), at)
	}
	if got["search"] != 0 || got["checkout"] != 1 {
		t.Errorf("clauses = %v, want search in 0 and checkout in 1", got)
	}
	if i := Enclosing(Match{Start: 100, End: 101}, len(clauses), at); i != -1 {
		t.Errorf("Enclosing outside all clauses = %d, want -1", i)
	}
}

func FuzzTag(f *testing.F) {
	tg, err := NewTagger(DefaultTaxonomy())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"love the new search but checkout keeps failing",
		"#CheckoutFail \xff\xfe card declined",
		"\x00\x01\x7f log\u200bin",
		strings.Repeat("a", 100) + " checkout",
		strings.Repeat("#LogIn ", 500),
		"ÉCHEC paiement 💳 can’t sign-in",
		"https://example.com/checkout @paypal",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms := tg.Tag(s, nil)
		seen := map[int]bool{}
		last := -1
		for _, m := range ms {
			if m.Feature < 0 || m.Feature >= len(tg.Features()) {
				t.Fatalf("feature index %d out of range", m.Feature)
			}
			if m.Start < 0 || m.Start >= m.End || m.End > len(s) {
				t.Fatalf("match %+v out of bounds for %d bytes", m, len(s))
			}
			if seen[m.Feature] {
				t.Fatalf("feature %d matched twice", m.Feature)
			}
			seen[m.Feature] = true
			if m.Start < last {
				t.Fatalf("matches out of order: %v", ms)
			}
			last = m.Start
			// The mention is on words: it starts and ends on a letter or digit.
			if !isWordEdge(s[m.Start:m.End]) {
				t.Fatalf("mention %q is not on words", s[m.Start:m.End])
			}
		}
	})
}

func isWordEdge(s string) bool {
	first, last := []rune(s)[0], []rune(s)[len([]rune(s))-1]
	return isWordRune(first) && isWordRune(last)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// synthetic builds a taxonomy of nf features with nt two-word terms each.
func synthetic(nf, nt int) *Taxonomy {
	tx := &Taxonomy{Version: "bench"}
	for i := range nf {
		f := Feature{ID: fmt.Sprintf("feature_%03d", i), Criticality: 3, NoNameTerms: true}
		for j := range nt {
			f.Terms = append(f.Terms, fmt.Sprintf("word%dx%d term%d", i, j, (i*nt+j)%97))
		}
		tx.Features = append(tx.Features, f)
	}
	return tx
}

// benchPosts are tweet-like posts of 60 to 280 bytes.
var benchPosts = []string{
	"@ShopCo love the new search but checkout keeps failing, third time today #CheckoutFail",
	"my package never arrived and tracking hasn't updated in 6 days, is anyone there? no reply from support",
	"Is the site down? Getting a 504 on every page since 9am. Can't log in either",
	"charged twice for the same order and the app logged me out when I tried to get a refund. word3x4 term16 is great",
	"Honestly the best customer service I've had in years, the agent sorted my return in 5 minutes!! 😍 https://t.co/abc123",
	"price went up 30% overnight and my subscription auto-renewed without asking. Cancelling. word55x2 term91",
}

func BenchmarkTag100x20(b *testing.B) {
	tg, err := NewTagger(synthetic(100, 20))
	if err != nil {
		b.Fatal(err)
	}
	benchTag(b, tg)
}

func BenchmarkTagDefault(b *testing.B) {
	tg, err := NewTagger(DefaultTaxonomy())
	if err != nil {
		b.Fatal(err)
	}
	benchTag(b, tg)
}

func benchTag(b *testing.B, tg *Tagger) {
	dst := make([]Match, 0, 32)
	n := 0
	for _, p := range benchPosts {
		n += len(p)
	}
	b.SetBytes(int64(n / len(benchPosts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst = tg.Tag(benchPosts[i%len(benchPosts)], dst[:0])
	}
}

func TestTagLongestMentionWins(t *testing.T) {
	tg, err := NewTagger(&Taxonomy{Features: []Feature{
		{ID: "optical", Terms: []string{"drive", "dvd"}, NoNameTerms: true},
		{ID: "storage", Terms: []string{"hard drive"}, NoNameTerms: true},
		{ID: "battery", Terms: []string{"battery life"}, NoNameTerms: true},
		{ID: "life", Terms: []string{"life"}, NoNameTerms: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       []string
	}{
		{"a word inside another feature's longer phrase is not a mention", "the hard drive died", []string{"storage"}},
		{"the longer phrase wins when it ends later", "life is short, battery life is shorter", []string{"life", "battery"}},
		{"the shorter feature is still found elsewhere", "the hard drive died and the dvd drive too", []string{"storage", "optical"}},
		{"apart, both are mentions", "the drive is loud, the hard drive is fine", []string{"optical", "storage"}},
		{"the same words for one feature are one match", "battery life", []string{"battery"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(tg, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Tag(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
