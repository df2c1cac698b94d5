package sentiment_test

import (
	"encoding/json"
	"math"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/socialpulse/socialpulse/sentiment"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestScoreBehaviours(t *testing.T) {
	tests := []struct {
		name, text string
		want       sentiment.Label
	}{
		{"positive word", "I love this app", sentiment.Positive},
		{"negative word", "this app is terrible", sentiment.Negative},
		{"empty text is neutral", "", sentiment.Neutral},
		{"plain statement is neutral", "the store opens at nine on Sundays", sentiment.Neutral},

		{"negation flips a positive word", "the new update is not good", sentiment.Negative},
		{"negation with n't", "I don't like the redesign", sentiment.Negative},
		{"negation softens a negative word", "not bad at all", sentiment.Positive},
		{"negation reaches over a booster", "this is not very good", sentiment.Negative},
		{"no before a rated word negates it", "no good options in the menu", sentiment.Negative},
		{"no problem is positive", "no problem, happy to help", sentiment.Positive},
		{"can't ... enough intensifies", "I can't thank you enough", sentiment.Positive},
		{"couldn't agree more", "couldn't agree more!", sentiment.Positive},
		{"not good enough stays negative", "sorry but this is not good enough", sentiment.Negative},

		{"booster intensifies", "the support was extremely helpful", sentiment.Positive},
		{"all caps word among lowercase", "the service was TERRIBLE today", sentiment.Negative},
		{"elongated word is read", "this is sooo gooood", sentiment.Positive},
		{"slang", "smh at this update", sentiment.Negative},
		{"emoticon", "finally home :)", sentiment.Positive},
		{"sad emoticon", "missed the train again :(", sentiment.Negative},

		{"outage: site is down", "is the site down? it's been down for an hour", sentiment.Negative},
		{"outage: keeps crashing", "the app keeps crashing on my phone", sentiment.Negative},
		{"outage: can't log in", "I can't log in to my account", sentiment.Negative},
		{"outage: won't load", "the page won't load", sentiment.Negative},
		{"outage: stuck", "stuck on the loading screen", sentiment.Negative},
		{"outage: error", "getting an error when I try to pay", sentiment.Negative},
		{"billing: declined", "my card was declined at checkout", sentiment.Negative},
		{"billing: charged twice", "you charged me twice for one order", sentiment.Negative},
		{"service: still waiting", "still waiting for my parcel", sentiment.Negative},
		{"service: no response", "emailed support, no response", sentiment.Negative},
		{"service: never arrived", "my order never arrived", sentiment.Negative},
		{"security: hacked", "my account was hacked", sentiment.Negative},
		{"security: leaked", "our data got leaked", sentiment.Negative},
		{"service: on hold", "on hold for 2 hours again", sentiment.Negative},
		{"resolution: fixed", "the login error is fixed now, thanks!", sentiment.Positive},
		{"resolution negated: still not fixed", "the broadband is still not fixed", sentiment.Negative},
		{"outage: keeps + -ing", "the app keeps logging me out", sentiment.Negative},
		{"billing: no refund", "flight cancelled and no refund", sentiment.Negative},
		{"down as a particle is neutral", "he told me to sit down", sentiment.Neutral},
		{"late as an adjective is neutral", "a tribute to the late senator", sentiment.Neutral},
		{"imperative don't is not a failure", "please don't send the invoice yet", sentiment.Neutral},
		{"function verb keeps its own valence", "going to play football tonight", sentiment.Positive},
		{"punctuation ends negation", "not me, I'm sick of calling", sentiment.Negative},
		{"no as an interjection does not negate", "no, I love it", sentiment.Positive},
		{"negators do not negate each other", "no job, no money, no hope", sentiment.Negative},
		{"html entities are skipped", "fish &amp; chips &gt; everything", sentiment.Neutral},

		{"sarcasm: thanks for nothing", "@brand thanks for nothing", sentiment.Negative},
		{"sarcasm: great, another delay", "great, another delay", sentiment.Negative},
		{"sarcasm: love waiting on hold", "love waiting on hold", sentiment.Negative},
		{"sarcasm: thanks before a failure", "thanks, my order still hasn't arrived", sentiment.Negative},
		{"sincere thanks stays positive", "thank you so much for the quick help!", sentiment.Positive},

		{"question: help request is neutral", "can you help me reset my password?", sentiment.Neutral},
		{"question: please is neutral", "please send me the invoice", sentiment.Neutral},
		{"question: complaint question is negative", "why does the app keep crashing?", sentiment.Negative},

		{"contrast: but shifts weight", "the screen is great but the battery is awful", sentiment.Negative},
		{"contrast: positive after but", "delivery was slow but the product is excellent", sentiment.Positive},

		{"hashtag: camel case split", "#CheckoutFail", sentiment.Negative},
		{"hashtag: compound split", "#epicfail", sentiment.Negative},
		{"mention names are ignored", "@HappyBank what time do you open", sentiment.Neutral},
		{"service: where is my order", "@shop where is my order?", sentiment.Negative},
		{"urls are ignored", "details at https://example.com/great-love-happy", sentiment.Neutral},

		{"emoji: pouting face", "my flight 😡", sentiment.Negative},
		{"emoji: heart eyes", "new sneakers 😍", sentiment.Positive},
		{"emoji: eye roll is negative", "another update 🙄", sentiment.Negative},
		{"emoji with skin tone", "thanks 👍🏽", sentiment.Positive},
	}
	a := sentiment.NewLexicon() // the rules themselves; TestLearnedBehaviours checks the default scorer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := a.Score(tt.text)
			if got.Label != tt.want {
				t.Errorf("Score(%q) = %v (%.3f), want %v", tt.text, got.Label, got.Score, tt.want)
			}
		})
	}
}

func TestAnalyzeClauses(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // clause texts, label after a '|'
	}{
		{"but splits a mixed post", "love the new search but checkout keeps failing",
			[]string{"love the new search|positive", "but checkout keeps failing|negative"}},
		{"sentences split", "Great app. Sync is broken though!",
			[]string{"Great app.|positive", "Sync is broken|negative", "though!|neutral"}},
		{"comma before contrast word", "fast delivery, however the box was damaged",
			[]string{"fast delivery,|neutral", "however the box was damaged|negative"}},
		{"semicolon splits", "camera is superb; battery is poor",
			[]string{"camera is superb;|positive", "battery is poor|negative"}},
		{"mention stays in its clause", "@shop love it!! but @courier lost my parcel",
			[]string{"@shop love it!!|positive", "but @courier lost my parcel|negative"}},
		{"newline splits", "search works\nlogin is down",
			[]string{"search works|neutral", "login is down|negative"}},
		{"single clause", "all good here", []string{"all good here|positive"}},
	}
	a := sentiment.NewLexicon() // the rules' clause scores; TestLearnedClauses checks the default scorer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, clauses := a.Analyze(tt.text, nil)
			if want := a.Score(tt.text); res != want {
				t.Errorf("Analyze overall = %+v, Score = %+v", res, want)
			}
			var got []string
			for _, c := range clauses {
				got = append(got, tt.text[c.Start:c.End]+"|"+c.Result.Label.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("clauses of %q:\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestAnalyzeReusesDstWithoutAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts need a build without -race (scripts/test.sh runs them so)")
	}
	for name, a := range analyzers() {
		dst := make([]sentiment.Clause, 0, 8)
		text := "love the new search but checkout keeps failing"
		allocs := testing.AllocsPerRun(100, func() {
			_, dst = a.Analyze(text, dst[:0])
		})
		if allocs != 0 {
			t.Errorf("%s: Analyze with a reused dst allocates %.1f times per call, want 0", name, allocs)
		}
		if len(dst) != 2 {
			t.Errorf("%s: got %d clauses, want 2", name, len(dst))
		}
	}
}

func TestClausesCoverText(t *testing.T) {
	a := sentiment.New()
	for _, text := range benchCorpus {
		_, clauses := a.Analyze(text, nil)
		prev := 0
		for _, c := range clauses {
			if c.Start < prev || c.End < c.Start || c.End > len(text) {
				t.Fatalf("%q: clause [%d,%d) out of order", text, c.Start, c.End)
			}
			if gap := strings.TrimSpace(text[prev:c.Start]); gap != "" {
				t.Errorf("%q: text %q is in no clause", text, gap)
			}
			prev = c.End
		}
		if rest := strings.TrimSpace(text[prev:]); rest != "" {
			t.Errorf("%q: trailing text %q is in no clause", text, rest)
		}
	}
}

func TestLabelText(t *testing.T) {
	for _, l := range []sentiment.Label{sentiment.Negative, sentiment.Neutral, sentiment.Positive, sentiment.Unscored} {
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		var back sentiment.Label
		if err := json.Unmarshal(b, &back); err != nil || back != l {
			t.Errorf("round trip of %v via %s = %v, %v", l, b, back, err)
		}
	}
	if got := sentiment.Positive.String(); got != "positive" {
		t.Errorf("Positive.String() = %q", got)
	}
	var l sentiment.Label
	if err := l.UnmarshalText([]byte("great")); err == nil {
		t.Error("UnmarshalText(great) succeeded, want error")
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct {
		name, text, declared string
		want                 string
		supported            bool
	}{
		{"declared english wins", "hola que tal", "en", "en", true},
		{"declared region tag", "cheers mate", "en-GB", "en", true},
		{"declared other language", "the app is down", "es", "es", false},
		{"und falls back to detection", "the app is down again", "und", "en", true},
		{"english detected", "@brand my order still hasn't arrived", "", "en", true},
		{"spanish detected", "el pedido no ha llegado y nadie me responde", "", "es", false},
		{"french detected", "je suis très déçu, le colis est arrivé cassé", "", "fr", false},
		{"german detected", "ich habe keine Antwort bekommen und das ist nicht gut", "", "de", false},
		{"japanese script", "アプリが起動しません", "", "ja", false},
		{"cyrillic script", "приложение не работает", "", "ru", false},
		{"arabic script", "التطبيق لا يعمل", "", "ar", false},
		{"short english is english", "LMAO, AMAZING!", "", "en", true},
		{"emoji only is scored", "😡😡😡", "", "und", true},
	}
	a := sentiment.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lang, ok := a.Language(tt.text, tt.declared)
			if lang != tt.want || ok != tt.supported {
				t.Errorf("Language(%q, %q) = %q, %v; want %q, %v", tt.text, tt.declared, lang, ok, tt.want, tt.supported)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	a := sentiment.New()
	want := make([]sentiment.Result, len(benchCorpus))
	for i, text := range benchCorpus {
		want[i] = a.Score(text)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, text := range benchCorpus {
				if got := a.Score(text); got != want[i] {
					t.Errorf("concurrent Score(%q) = %+v, want %+v", text, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

func TestScoreAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts need a build without -race (scripts/test.sh runs them so)")
	}
	for name, a := range analyzers() {
		for _, text := range benchCorpus {
			a.Score(text)
		}
		allocs := testing.AllocsPerRun(50, func() {
			for _, text := range benchCorpus {
				a.Score(text)
			}
		})
		if allocs > 0 {
			t.Errorf("%s: Score allocates %.1f times per corpus pass, want 0", name, allocs)
		}
	}
}

func FuzzScore(f *testing.F) {
	for _, s := range benchCorpus {
		f.Add(s)
	}
	f.Add("\xff\xfe\xfd")
	f.Add("\x00\x01\x02\x1b[31m red \x7f")
	f.Add("#")
	f.Add("@")
	f.Add("'")
	f.Add("n't n't not not not")
	f.Add(strings.Repeat("great ", 100) + strings.Repeat("!", 50))
	f.Add(strings.Repeat("sooooooooooooooooo ", 20))
	f.Add("#aBcDeFgHiJkLmNoP #__ #ééé #😀")
	f.Add("but but however although. ; ; ! ?")
	f.Add(":-( :)) </3 <3 xD")
	f.Add("ȺȺȺȺȺȺ ȾȾȾ ȺA ǅǅ ΐΰ İstanbul KELVIN") // lowercasing changes byte lengths
	lex, learned := sentiment.NewLexicon(), sentiment.New()
	f.Fuzz(func(t *testing.T, s string) {
		for _, a := range []*sentiment.Analyzer{lex, learned} {
			fuzzOne(t, a, s)
		}
	})
}

func fuzzOne(t *testing.T, a *sentiment.Analyzer, s string) {
	t.Helper()
	{
		res, clauses := a.Analyze(s, nil)
		checkResult(t, s, res)
		if got := a.Score(s); got != res {
			t.Fatalf("Score(%q) = %+v, Analyze = %+v", s, got, res)
		}
		prev := 0
		for _, c := range clauses {
			if c.Start < prev || c.End < c.Start || c.End > len(s) {
				t.Fatalf("Analyze(%q): clause [%d,%d) out of range or order", s, c.Start, c.End)
			}
			prev = c.End
			checkResult(t, s, c.Result)
		}
		_, _ = a.Language(s, "")
	}
}

// analyzers are the scorers every invariant test covers.
func analyzers() map[string]*sentiment.Analyzer {
	return map[string]*sentiment.Analyzer{"learned": sentiment.New(), "lexicon": sentiment.NewLexicon()}
}

func checkResult(t *testing.T, s string, r sentiment.Result) {
	t.Helper()
	if math.IsNaN(r.Score) || r.Score < -1 || r.Score > 1 {
		t.Fatalf("Score(%q) = %v, want [-1, 1]", s, r.Score)
	}
	if r.Label != sentiment.LabelOf(r.Score) {
		t.Fatalf("Score(%q): label %v does not match score %v", s, r.Label, r.Score)
	}
}

func TestHugeAndHostileInput(t *testing.T) {
	var b strings.Builder
	for b.Len() < 1<<20 {
		b.WriteString("terrible \xff\x00 GREAT!!! #FailWhale @x http://x.y sooo :( 😡 but ")
	}
	bad := string([]byte{0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80})
	if utf8.ValidString(bad) {
		t.Fatal("test input should be invalid UTF-8")
	}
	for _, a := range analyzers() {
		checkResult(t, "1 MB text", a.Score(b.String()))
		checkResult(t, bad, a.Score(bad))
	}
}
