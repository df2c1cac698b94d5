package synth_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/synth"
)

func TestTemplatesTagAndScoreAsIntended(t *testing.T) {
	e, err := enrich.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var sc enrich.Scratch
	tpls := synth.Templates()
	keys := make([]string, 0, len(tpls))
	for k := range tpls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, tpl := range keys {
		want := tpls[tpl]
		for _, text := range fills(tpl) {
			res := e.Enrich(text, "en", &sc)
			var got []string
			label := res.Sentiment.Label.String()
			found := false
			for _, f := range res.Features {
				got = append(got, f.ID+":"+f.Label.String())
				if f.ID == want.Feature {
					found = true
					label = f.Label.String()
				}
			}
			if want.Feature == "" && len(got) > 0 || want.Feature != "" && !found || label != want.Label {
				t.Errorf("%q: got %s [%s] (post %s %.2f), want %s %s", text, label, strings.Join(got, " "), res.Sentiment.Label, res.Sentiment.Score, want.Feature, want.Label)
			}
		}
	}
}

// fills returns tpl with its slots filled by every value of each slot in
// turn (the other slots taking their first value).
func fills(tpl string) []string {
	out := []string{synth.Example(tpl)}
	for _, name := range []string{"product", "time", "carrier", "contact", "error"} {
		if !strings.Contains(tpl, "{"+name+"}") {
			continue
		}
		for _, v := range synth.Slots(name)[1:] {
			out = append(out, synth.Example(strings.ReplaceAll(tpl, "{"+name+"}", v)))
		}
	}
	return out
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestSameSeedGivesTheSameStream(t *testing.T) {
	tests := []struct {
		name     string
		a, b     uint64
		wantSame bool
	}{
		{"same seed", 3, 3, true},
		{"other seed", 3, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ga, gb := synth.New(tt.a), synth.New(tt.b)
			for _, g := range []*synth.Generator{ga, gb} {
				g.Incidents = []synth.Incident{{Feature: "checkout", Start: t0.Add(time.Minute), End: t0.Add(2 * time.Minute), Share: 0.5, Decay: time.Minute}}
				g.Trends = synth.Trends(t0)
			}
			same := true
			for i := range 2000 {
				at := t0.Add(time.Duration(i) * 100 * time.Millisecond)
				same = same && string(ga.JSON(at)) == string(gb.JSON(at))
			}
			if same != tt.wantSame {
				t.Errorf("streams the same: %v, want %v", same, tt.wantSame)
			}
		})
	}
}

// labels enriches n posts a second apart from t0 and counts each
// feature's mentions by label ("" counts posts with no feature, by the
// post's label).
func labels(t *testing.T, g *synth.Generator, from time.Time, n int, step time.Duration) map[string]map[string]int {
	t.Helper()
	e, err := enrich.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var sc enrich.Scratch
	out := map[string]map[string]int{}
	count := func(f, l string) {
		if out[f] == nil {
			out[f] = map[string]int{}
		}
		out[f][l]++
	}
	for i := range n {
		p := g.Next(from.Add(time.Duration(i) * step))
		res := e.Enrich(p.Text, p.Lang, &sc)
		if len(res.Features) == 0 {
			count("", res.Sentiment.Label.String())
		}
		for _, f := range res.Features {
			count(f.ID, f.Label.String())
		}
	}
	return out
}

func TestEveryFeatureGetsComplaintsQuestionsAndPraise(t *testing.T) {
	got := labels(t, synth.New(1), t0, 40000, time.Second)
	for f := range synth.Complaints {
		t.Run(f, func(t *testing.T) {
			c := got[f]
			total := c["negative"] + c["neutral"] + c["positive"]
			if total < 500 {
				t.Fatalf("%d mentions, want at least 500: %v", total, c)
			}
			for _, l := range []string{"negative", "neutral", "positive"} {
				if share := float64(c[l]) / float64(total); share < 0.05 || share > 0.8 {
					t.Errorf("%s share %.2f, want 0.05..0.8: %v", l, share, c)
				}
			}
		})
	}
	if got[""]["negative"] < 1000 {
		t.Errorf("%d negative posts about no feature in 40000, want a background of at least 1000", got[""]["negative"])
	}
}

func TestNegativeSharesDifferByFeature(t *testing.T) {
	got := labels(t, synth.New(2), t0, 40000, time.Second)
	lo, hi := 1.0, 0.0
	for f := range synth.Complaints {
		c := got[f]
		s := float64(c["negative"]) / float64(c["negative"]+c["neutral"]+c["positive"])
		lo, hi = min(lo, s), max(hi, s)
	}
	if hi-lo < 0.25 {
		t.Errorf("negative shares span %.2f..%.2f, want features at least 0.25 apart", lo, hi)
	}
}

func TestSamplePostsRarelyRepeat(t *testing.T) {
	e, err := enrich.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var sc enrich.Scratch
	g := synth.New(5)
	g.Incidents = []synth.Incident{{Feature: "checkout", Start: t0, End: t0.Add(time.Hour), Share: 0.6}}
	// The first 20 negative posts of each feature the incident touches,
	// as a spike's evidence would hold them.
	samples := map[string][]string{}
	for i := 0; i < 20000; i++ {
		p := g.Next(t0.Add(time.Duration(i) * time.Second))
		for _, f := range e.Enrich(p.Text, p.Lang, &sc).Features {
			if f.Label.String() == "negative" && len(samples[f.ID]) < 20 {
				samples[f.ID] = append(samples[f.ID], p.Text)
			}
		}
	}
	for _, f := range []string{"checkout", "availability", "payment"} {
		seen := map[string]bool{}
		for _, s := range samples[f] {
			seen[s] = true
		}
		if len(samples[f]) < 20 || len(seen) < 18 {
			t.Errorf("%s: %d distinct texts in %d samples, want at least 18 of 20: %q", f, len(seen), len(samples[f]), samples[f])
		}
	}
}

func TestIncidentSurgesSpillsOverAndDecays(t *testing.T) {
	g := synth.New(6)
	inc := synth.Incident{Feature: "checkout", Start: t0.Add(10 * time.Minute), End: t0.Add(20 * time.Minute), Share: 0.5, Decay: 10 * time.Minute}
	g.Incidents = []synth.Incident{inc}
	// 6000 posts a minute for 40 minutes, counted per 10-minute phase.
	const perPhase = 60000
	phases := []string{"before", "during", "decay", "after"}
	got := map[string]map[string]map[string]int{}
	for i, ph := range phases {
		got[ph] = labels(t, g, t0.Add(time.Duration(i)*10*time.Minute), perPhase, 10*time.Millisecond)
	}
	neg := func(ph, f string) int { return got[ph][f]["negative"] }
	tests := []struct {
		name string
		ok   bool
	}{
		{"checkout surges", neg("during", "checkout") > 5*neg("before", "checkout")},
		{"availability surges with it", neg("during", "availability") > 5*neg("before", "availability")},
		{"payment rises with it", neg("during", "payment") > 2*neg("before", "payment")},
		{"other features stay level", neg("during", "shipping") < 2*neg("before", "shipping")},
		{"the surge decays", neg("decay", "checkout") < neg("during", "checkout")*3/4 && neg("decay", "checkout") > 2*neg("before", "checkout")},
		{"and ends", neg("after", "checkout") < 2*neg("before", "checkout")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				for _, f := range []string{"checkout", "availability", "payment", "shipping"} {
					t.Logf("%s negatives: before %d during %d decay %d after %d", f, neg("before", f), neg("during", f), neg("decay", f), neg("after", f))
				}
				t.Fail()
			}
		})
	}
}

func TestTrendRisesFromNothing(t *testing.T) {
	g := synth.New(8)
	g.Trends = []synth.Trend{{Topic: "loyalty", Start: t0.Add(10 * time.Minute), Ramp: 10 * time.Minute, Share: 0.02}}
	count := func(from time.Time) int {
		n := 0
		for i := range 6000 { // 10 minutes at 10 a second
			if strings.Contains(g.Next(from.Add(time.Duration(i)*100*time.Millisecond)).Text, "loyalty points") {
				n++
			}
		}
		return n
	}
	before, ramp, full := count(t0), count(t0.Add(10*time.Minute)), count(t0.Add(20*time.Minute))
	// 2% of 6000 is 120 at full share, half that over the ramp.
	if before != 0 || ramp < 30 || ramp > 90 || full < 90 || full > 150 {
		t.Errorf("loyalty posts before %d, ramping %d, full %d; want 0, about 60, about 120", before, ramp, full)
	}
}

func TestStatementIsByTheShop(t *testing.T) {
	p := synth.New(1).Statement(t0, "we know checkout is failing and are on it")
	if p.Author == nil || p.Author.Handle != synth.Handle || p.Text == "" || p.ID == "" {
		t.Errorf("statement %+v", p)
	}
}

func BenchmarkJSON(b *testing.B) {
	g := synth.New(1)
	g.Incidents = []synth.Incident{{Feature: "checkout", Start: t0, End: t0.Add(time.Hour), Share: 0.3}}
	g.Trends = synth.Trends(t0)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.JSON(t0.Add(time.Duration(i) * time.Millisecond))
	}
}

func TestTablesNameKnownFeaturesAndTopics(t *testing.T) {
	tests := []struct {
		name  string
		known map[string][]string
		keys  []string
	}{
		{"spillover sources are complaint features", synth.Complaints, keysOf(synth.Spillover)},
		{"demo trends are unmapped topics", synth.Unmapped, trendTopics(synth.Trends(t0))},
	}
	for _, s := range synth.Spillover {
		for _, sp := range s {
			tests[0].keys = append(tests[0].keys, sp.Feature)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range tt.keys {
				if len(tt.known[k]) == 0 {
					t.Errorf("%q has no templates", k)
				}
			}
		})
	}
}

func keysOf(m map[string][]synth.Spill) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func trendTopics(ts []synth.Trend) []string {
	var out []string
	for _, tr := range ts {
		out = append(out, tr.Topic)
	}
	return out
}
