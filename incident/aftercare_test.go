package incident

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestExpressesLeaveIntent(t *testing.T) {
	cases := []struct {
		name, text string
		want       bool
	}{
		{"switching", "Switching to another bank after this mess", true},
		{"cancel", "I want to cancel my account today", true},
		{"never again", "never again. Worst checkout ever", true},
		{"distrust with a typographic apostrophe", "I don’t trust you with my card anymore", true},
		{"distrust in curly quotes", "“Don't trust them”, my friend said", true},
		{"at the end", "your app lost my trust", true},
		{"a prefix of another word is no phrase", "switching tomorrow to the new plan", false},
		{"inside a longer word", "foreverneveragain", false},
		{"a complaint without intent", "checkout fails with a gateway timeout", false},
		{"empty", "", false},
		{"a phrase followed by a letter in another script", "never againé", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ExpressesLeaveIntent(c.text); got != c.want {
				t.Errorf("ExpressesLeaveIntent(%q) = %v, want %v", c.text, got, c.want)
			}
		})
	}
}

func TestLeaveIntentPhrasesAreLowerCaseASCII(t *testing.T) {
	for _, p := range LeaveIntentPhrases {
		if p == "" || p != strings.ToLower(p) || strings.ContainsFunc(p, func(r rune) bool { return r > 0x7f }) {
			t.Errorf("phrase %q must be non-empty lower-case ASCII (the matcher folds ASCII only)", p)
		}
	}
}

func TestExpressesLeaveIntentDoesNotAllocate(t *testing.T) {
	texts := []string{"checkout fails with a gateway timeout again, third time today", "I don’t trust you", ""}
	if n := testing.AllocsPerRun(500, func() {
		for _, s := range texts {
			ExpressesLeaveIntent(s)
		}
	}); n != 0 {
		t.Errorf("allocates %.1f times a run, want 0", n)
	}
}

func TestAfterCareDaysCountFromTheEnd(t *testing.T) {
	end := at(0)
	cases := []struct {
		name string
		end  time.Time
		now  time.Time
		o    AfterCareOptions
		want int
	}{
		{"an open incident has no after-care", time.Time{}, at(100), AfterCareOptions{}, 0},
		{"the first day begins at the end", end, end, AfterCareOptions{}, 1},
		{"days that have begun", end, end.Add(2*Day + time.Hour), AfterCareOptions{}, 3},
		{"at most the period", end, end.Add(90 * Day), AfterCareOptions{}, 30},
		{"a shorter period", end, end.Add(90 * Day), AfterCareOptions{Period: 7 * Day}, 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := AfterCareDays(c.end, c.now, c.o); len(got) != c.want {
				t.Errorf("%d days, want %d", len(got), c.want)
			}
		})
	}
}

func TestAfterCareComparesEachDayWithTheBaselineShare(t *testing.T) {
	end := at(0)
	const p = 0.2
	days := []DayCounts{
		{Start: end, Negative: 400, Scored: 1000, LeaveIntent: 12, Available: true},         // 40%: far above
		{Start: end.Add(Day), Negative: 210, Scored: 1000, LeaveIntent: 3, Available: true}, // 21%: within 2 SE (2.5 points)
		{Start: end.Add(2 * Day), Negative: 0, Scored: 0, LeaveIntent: 1, Available: false},
		{Start: end.Add(3 * Day), Negative: 30, Scored: 100, Available: true}, // 30%: upper is 28%
	}
	w := AfterCare(end, end.Add(3*Day+time.Hour), p, days, AfterCareOptions{})
	upper := func(n float64) float64 { return p + 2*math.Sqrt(p*(1-p)/n) }
	cases := []struct {
		name      string
		day       AfterCareDay
		share     float64
		upper     float64
		above     bool
		complete  bool
		available bool
	}{
		{"a day far above the baseline", w.Days[0], 0.4, upper(1000), true, true, true},
		{"a day within the band", w.Days[1], 0.21, upper(1000), false, true, true},
		{"a day the matrix no longer keeps", w.Days[2], 0, 0, false, true, false},
		{"the day still going on", w.Days[3], 0.3, upper(100), true, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := c.day
			if math.Abs(d.Share-c.share) > 1e-9 || math.Abs(d.Upper-c.upper) > 1e-9 || d.Above != c.above ||
				d.Complete != c.complete || d.Available != c.available {
				t.Errorf("day %+v, want share %.3f upper %.4f above %v complete %v available %v", d, c.share, c.upper, c.above, c.complete, c.available)
			}
		})
	}
	if w.DaysAbove != 2 || !w.LastAbove.Equal(end.Add(3*Day)) || w.LeaveIntent != 16 || w.Complete || !w.To.Equal(end.Add(30*Day)) {
		t.Errorf("watch %+v, want 2 days above, the last on day 4, 16 posts with leave intent, not complete", w)
	}
}

// BenchmarkExpressesLeaveIntent is the per-post cost the pipeline pays for
// a post that mentions a feature and expresses no intent (the common case).
func BenchmarkExpressesLeaveIntent(b *testing.B) {
	text := "Checkout keeps failing with a payment gateway timeout, third time today, come on @shop fix it please"
	for b.Loop() {
		ExpressesLeaveIntent(text)
	}
}
