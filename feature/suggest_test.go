package feature

import (
	"slices"
	"strings"
	"testing"
)

func suggestTagger(t *testing.T) *Tagger {
	t.Helper()
	tg, err := NewTagger(&Taxonomy{Features: []Feature{
		{ID: "delivery", Terms: []string{"delivery"}, NoNameTerms: true},
		{ID: "login", Terms: []string{"login"}, NoNameTerms: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func repeat(n int, texts ...string) []string {
	var out []string
	for range n {
		out = append(out, texts...)
	}
	return out
}

func termsOf(ts []TermSuggestion, feature string) []string {
	var out []string
	for _, s := range ts {
		if s.Feature == feature {
			out = append(out, s.Term)
		}
	}
	return out
}

// checkTerms fails t unless the suggestions for feature include every
// word of want and none of notWant.
func checkTerms(t *testing.T, ts []TermSuggestion, feature string, want, notWant []string) {
	t.Helper()
	got := termsOf(ts, feature)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s terms %q, want %q among them", feature, got, w)
		}
	}
	for _, w := range notWant {
		if slices.Contains(got, w) {
			t.Errorf("%s terms %q, do not want %q", feature, got, w)
		}
	}
}

func TestSuggesterTerms(t *testing.T) {
	posts := slices.Concat(
		repeat(6, "delivery late again, the courier never came", "my delivery is stuck, courier says lost"),
		repeat(6, "login broken, password reset never arrives", "cannot login, password rejected"),
		repeat(4, "courier dumped the box in the rain", "password reset link expired"), // unmatched today
		repeat(5, "the app is slow today", "awful, again, today"),
	)
	sg := NewSuggester(suggestTagger(t), SuggestOptions{})
	for _, p := range posts {
		sg.Add(p)
	}
	ts := sg.Terms()
	tests := []struct {
		name    string
		feature string
		want    []string
		notWant []string
	}{
		{"words that come with a feature's terms are proposed", "delivery", []string{"courier"}, nil},
		{"phrases are proposed for their feature", "login", []string{"password"}, nil},
		{"function words and words every post uses are not", "delivery", nil, []string{"again", "the", "today", "never"}},
		{"a word of another feature is not proposed", "login", nil, []string{"courier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkTerms(t, ts, tt.feature, tt.want, tt.notWant)
		})
	}
	for _, s := range ts {
		if s.Term == "courier" && (s.New != 4 || len(s.Examples) == 0 || s.Posts != 12) {
			t.Errorf("courier: %+v, want 12 posts, 4 new and examples", s)
		}
	}
}

func TestSuggesterCandidatesGroupUnmatchedComplaints(t *testing.T) {
	posts := slices.Concat(
		repeat(8, "delivery late again"),
		repeat(5, "the voucher code expired before checkout", "voucher code rejected at the till"),
		repeat(3, "meh"),
	)
	sg := NewSuggester(suggestTagger(t), SuggestOptions{})
	for _, p := range posts {
		sg.Add(p)
	}
	cs := sg.Candidates()
	if len(cs) == 0 {
		t.Fatal("no candidate features")
	}
	c := cs[0]
	if c.Posts != 10 || !strings.Contains(c.ID, "code") && !strings.Contains(c.ID, "voucher") || len(c.Terms) < 2 || len(c.Examples) == 0 {
		t.Errorf("candidate %+v, want voucher/code over 10 posts with a companion term and examples", c)
	}
}

func TestAddTerms(t *testing.T) {
	src := `# my taxonomy
version: "1"
features:
  - id: delivery
    match_name: false
    terms: [delivery] # the obvious one
    examples:
      no_match: ["the courier app crashed", "the van was late"]
  - id: login
    terms: login
  - id: search
  - id: refunds
    match_name: false
    phrase_gap: 0
    terms: [chargeback]
    examples:
      no_match: ["the card for a rebate"]
`
	tests := []struct {
		name      string
		sugg      []TermSuggestion
		wantAdded []string
		wantText  []string
	}{
		{"terms are appended with their counts and comments are kept",
			[]TermSuggestion{{Feature: "login", Term: "password", Posts: 9, Elsewhere: 1}, {Feature: "search", Term: "results", Posts: 4}},
			[]string{"password", "results"},
			[]string{"# my taxonomy", "# the obvious one", "- password # suggested: 9 posts of login, 1 elsewhere", "- results # suggested: 4 posts of search"}},
		{"a term that would match a no_match example is left out",
			[]TermSuggestion{{Feature: "delivery", Term: "courier app", Posts: 5}, {Feature: "delivery", Term: "parcel", Posts: 5}},
			[]string{"parcel"}, []string{"- parcel"}},
		{"a phrase whose loose form would match a no_match example is left out",
			[]TermSuggestion{{Feature: "delivery", Term: "late van", Posts: 5}},
			nil, nil},
		{"a feature's phrase_gap 0 is the one the no_match check uses",
			[]TermSuggestion{{Feature: "refunds", Term: "rebate card", Posts: 5}},
			[]string{"rebate card"}, []string{"- rebate card"}},
		{"an unknown feature is left out", []TermSuggestion{{Feature: "nope", Term: "x"}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, added, err := AddTerms([]byte(src), "t.yaml", tt.sugg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range added {
				got = append(got, a.Term)
			}
			if !slices.Equal(got, tt.wantAdded) {
				t.Errorf("added %q, want %q", got, tt.wantAdded)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			nt, err := ParseTaxonomy(out, "out.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if ps := Check(nt); len(ps) > 0 {
				t.Errorf("output fails check: %v", ps)
			}
			tg, err := NewTagger(nt)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range added {
				if got := ids(tg, "about "+a.Term+" here"); !slices.Contains(got, a.Feature) {
					t.Errorf("%q tags %q, want %s", a.Term, got, a.Feature)
				}
			}
		})
	}
}

func TestSuggesterCandidatesUseTheGivenTerms(t *testing.T) {
	posts := slices.Concat(repeat(8, "delivery late again"), repeat(6, "loyalty points vanished", "where are my loyalty points"))
	calls := 0
	sg := NewSuggester(suggestTagger(t), SuggestOptions{CandidateTerms: func(text string) []string {
		calls++
		if strings.Contains(text, "loyalty points") {
			return []string{"loyalty point"}
		}
		return nil
	}})
	for _, p := range posts {
		sg.Add(p)
	}
	cs := sg.Candidates()
	if calls != len(posts) || len(cs) != 1 || cs[0].ID != "loyalty_point" || cs[0].Posts != 12 {
		t.Errorf("candidates %+v after %d calls, want one loyalty_point over 12 posts", cs, calls)
	}
}

func TestSuggesterLogOdds(t *testing.T) {
	// delivery's posts name the parcel; three times as many complaints say
	// "parcel" without "delivery", so only a quarter of the posts with
	// "parcel" are delivery's today.
	missed := slices.Concat(
		repeat(10, "delivery late, the parcel is lost"),
		repeat(30, "parcel never arrived"),
		repeat(5, "login broken, account password rejected", "delivery to my account address failed"),
		repeat(40, "the app is slow today"),
	)
	// courier comes with delivery; tracking only with courier.
	chained := slices.Concat(
		repeat(6, "delivery late, courier gave up"),
		repeat(6, "courier gave up, tracking page useless"),
		repeat(20, "login broken, password rejected"),
		repeat(20, "the app is slow today"),
	)
	tests := []struct {
		name    string
		posts   []string
		opt     SuggestOptions
		feature string
		want    []string
		notWant []string
	}{
		{"a word common in the complaints the terms miss is proposed", missed,
			SuggestOptions{Method: SuggestLogOdds}, "delivery", []string{"parcel"}, nil},
		{"the share statistic refuses it", missed,
			SuggestOptions{Method: SuggestShare}, "delivery", nil, []string{"parcel"}},
		{"a word spread over two features is proposed for neither", missed,
			SuggestOptions{Method: SuggestLogOdds}, "login", nil, []string{"account"}},
		{"a word spread over two features is not the other's either", missed,
			SuggestOptions{Method: SuggestLogOdds}, "delivery", nil, []string{"account"}},
		{"a second round finds words that come only with first-round terms", chained,
			SuggestOptions{Method: SuggestLogOdds, Rounds: 2}, "delivery", []string{"courier", "tracking"}, nil},
		{"one round does not", chained,
			SuggestOptions{Method: SuggestLogOdds, Rounds: 1}, "delivery", []string{"courier"}, []string{"tracking", "tracking page"}},
		{"rounds need the posts kept", chained,
			SuggestOptions{Method: SuggestLogOdds, Rounds: 2, MaxKept: 10}, "delivery", []string{"courier"}, []string{"tracking", "tracking page"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			opt.NoSimilar = true // these cases are about the co-occurrence statistics
			sg := NewSuggester(suggestTagger(t), opt)
			for _, p := range tt.posts {
				sg.Add(p)
			}
			checkTerms(t, sg.Terms(), tt.feature, tt.want, tt.notWant)
		})
	}
}

// TestSuggesterForgetsRareWords feeds a long history in which every post
// also carries a word no other post has: the Suggester keeps only the words
// seen in at least one post in pruneWidth, so what it holds stays bounded,
// and it still proposes the word that comes with a feature's term.
func TestSuggesterForgetsRareWords(t *testing.T) {
	for _, method := range []SuggestMethod{SuggestShare, SuggestLogOdds} {
		t.Run(string(method), func(t *testing.T) {
			sg := NewSuggester(suggestTagger(t), SuggestOptions{Method: method, Rounds: 1})
			n := 4*pruneWidth + 10
			most := 0
			for i := range n {
				rare := "zq" + strings.Repeat(string(rune('a'+i%26)), 1+i/26%5) + string(rune('a'+i/130%26)) + string(rune('a'+i/3380%26))
				switch i % 4 {
				case 0:
					sg.Add("delivery late again, the courier never came " + rare)
				case 1:
					sg.Add("cannot login, password rejected " + rare)
				default:
					sg.Add("the weather is grey " + rare)
				}
				most = max(most, len(sg.words))
			}
			// Each post adds its rare word and two phrases with it; between
			// two prunes that is at most 3 new keys a post, plus the common ones.
			if bound := 3*pruneWidth + 100; most > bound {
				t.Errorf("the Suggester held %d words at most, want at most %d", most, bound)
			}
			rare := 0
			for k := range sg.words {
				if strings.HasPrefix(k, "zq") || strings.Contains(k, " zq") {
					rare++
				}
			}
			if since := n % pruneWidth; rare > 3*since {
				t.Errorf("%d keys with a rare word are held, want at most those of the %d posts since the last prune", rare, since)
			}
			if got := termsOf(sg.Terms(), "delivery"); !slices.Contains(got, "courier") {
				t.Errorf("delivery terms %q, want courier", got)
			}
			if _, ok := sg.words["courier"]; !ok {
				t.Error("a word of one post in four was forgotten")
			}
			var cands []string
			for _, c := range sg.Candidates() {
				cands = append(cands, c.Terms...)
			}
			if !slices.Contains(cands, "weather") && !slices.Contains(cands, "grey") {
				t.Errorf("candidate features %q, want the unmatched posts' weather", cands)
			}
		})
	}
}

func TestSuggesterLearnsFromPraiseButProposesOnlyWordsOfComplaints(t *testing.T) {
	sg := NewSuggester(suggestTagger(t), SuggestOptions{})
	for _, p := range slices.Concat(
		repeat(6, "delivery late again, the courier never came", "my delivery is stuck, courier says lost"),
		repeat(6, "lovely delivery, courier was early", "delivery was lovely, brilliant courier"),
		repeat(6, "login broken, password rejected", "cannot login, password expired"),
	) {
		sg.AddPost(p, !strings.Contains(p, "lovely"))
	}
	for _, tt := range []struct {
		name          string
		feature       string
		want, notWant []string
	}{
		{"a word of the feature's complaints and praise is proposed", "delivery", []string{"courier"}, nil},
		{"a word only in praise is not", "delivery", nil, []string{"lovely", "brilliant", "early"}},
	} {
		t.Run(tt.name, func(t *testing.T) { checkTerms(t, sg.Terms(), tt.feature, tt.want, tt.notWant) })
	}
}

func TestSuggesterCandidatesComeFromComplaintsOnly(t *testing.T) {
	sg := NewSuggester(suggestTagger(t), SuggestOptions{})
	for _, p := range repeat(5, "delivery late again", "the voucher code expired at checkout", "voucher code rejected") {
		sg.AddPost(p, true)
	}
	for _, p := range repeat(8, "the new jacket colour is gorgeous", "jacket colour fits perfectly") {
		sg.AddPost(p, false)
	}
	cs := sg.Candidates()
	if len(cs) == 0 {
		t.Fatal("no candidate features from the unmatched complaints")
	}
	for _, c := range cs {
		if strings.Contains(c.ID, "jacket") || strings.Contains(c.ID, "colour") || slices.Contains(c.Terms, "jacket") {
			t.Errorf("candidate %+v comes from praise", c)
		}
	}
	if c := cs[0]; c.Posts != 10 {
		t.Errorf("candidate %+v, want the 10 voucher complaints", c)
	}
	if _, unmatched := sg.Coverage(); unmatched != 26 {
		t.Errorf("coverage counts %d unmatched posts, want all 26 (praise included)", unmatched)
	}
}
