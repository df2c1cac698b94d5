package incident

import (
	"math"
	"testing"
	"time"
)

// level is a run of identical buckets.
type level struct {
	n                       int
	negative, scored, reach float64
}

// series builds a one-minute series from t0 out of runs; each bucket's
// sentiment is -1 per negative post and +1 per other scored post.
func series(runs ...level) Series {
	s := Series{Step: time.Minute}
	for _, r := range runs {
		for range r.n {
			s.Points = append(s.Points, Point{Start: at(len(s.Points)), Negative: r.negative, Scored: r.scored,
				NegativeReach: r.reach, ScoreSum: (r.scored - r.negative) - r.negative})
		}
	}
	return s
}

// quiet is the baseline: 10 negative of 100 scored posts per minute, reach
// 20.
func quiet(n int) level { return level{n, 10, 100, 20} }

// surge is 50 negative of 140 scored posts, reach 100.
func surge(n int) level { return level{n, 50, 140, 100} }

func baseline() Baseline { return NewBaseline(series(quiet(60)).Points) }

func dur(min int) time.Duration { return time.Duration(min) * time.Minute }

func TestMeasureResponseAndRecovery(t *testing.T) {
	type want struct {
		onset, recovered, statement int // minutes from t0; -1: unknown
		ttd, ttfr, ttr              time.Duration
		excess, excessReach         float64
		peak                        int
	}
	cases := []struct {
		name       string
		s          Series
		alert      int
		milestones []Milestone
		want       want
	}{
		{"a surge that ends at the statement",
			series(quiet(20), surge(20), quiet(50)), 25,
			[]Milestone{{Type: Acknowledged, Time: at(27)}, {Type: Statement, Time: at(40)}},
			want{onset: 20, recovered: 40, statement: 40, ttd: dur(5), ttfr: dur(15), ttr: dur(15), excess: 800, excessReach: 1600, peak: 20}},
		{"no recovery before the series ends",
			series(quiet(20), surge(20), quiet(5)), 25, nil,
			want{onset: 20, recovered: -1, statement: -1, ttd: dur(5), excess: 800, excessReach: 1600, peak: 20}},
		{"a relapse restarts the hold",
			series(quiet(20), surge(20), quiet(5), surge(1), quiet(20)), 25, nil,
			want{onset: 20, recovered: 46, statement: -1, ttd: dur(5), ttr: dur(21), excess: 840, excessReach: 1680, peak: 20}},
		{"a high negative share delays recovery",
			series(quiet(20), surge(20), level{10, 10, 20, 20}, quiet(20)), 25, nil,
			want{onset: 20, recovered: 50, statement: -1, ttd: dur(5), ttr: dur(25), excess: 800, excessReach: 1600, peak: 20}},
		{"an isolated excess bucket before the run is not the onset",
			series(quiet(5), surge(1), quiet(14), surge(20), quiet(20)), 22, nil,
			want{onset: 20, recovered: 40, statement: -1, ttd: dur(2), ttr: dur(18), excess: 800, excessReach: 1600, peak: 20}},
		{"an alert before any excess has no time to detect",
			series(quiet(20), surge(20), quiet(20)), 10, nil,
			want{onset: -1, recovered: 40, statement: -1, ttr: dur(30), excess: 800, excessReach: 1600, peak: 20}},
		{"a statement before the alert counts at the alert",
			series(quiet(20), surge(20), quiet(20)), 25, []Milestone{{Type: Statement, Time: at(24)}, {Type: Statement, Time: at(30)}},
			want{onset: 20, recovered: 40, statement: 25, ttd: dur(5), ttfr: 0, ttr: dur(15), excess: 800, excessReach: 1600, peak: 20}},
		{"an alert in the middle of a bucket",
			series(quiet(20), surge(20), quiet(20)), 25, nil,
			want{onset: 20, recovered: 40, statement: -1, ttd: dur(5), ttr: dur(15), excess: 800, excessReach: 1600, peak: 20}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			alert := at(c.alert)
			if c.name == "an alert in the middle of a bucket" {
				alert = alert.Add(30 * time.Second)
				c.want.ttd += 30 * time.Second
				c.want.ttr -= 30 * time.Second
			}
			m, err := Measure(Input{Series: c.s, Baseline: baseline(), Start: at(20), Alert: alert, Milestones: c.milestones}, MeasureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkTime := func(name string, got time.Time, min int) {
				t.Helper()
				if min < 0 && !got.IsZero() || min >= 0 && !got.Equal(at(min)) {
					t.Errorf("%s = %v, want minute %d", name, got, min)
				}
			}
			checkTime("onset", m.Onset, c.want.onset)
			checkTime("recovered", m.Recovered, c.want.recovered)
			checkTime("first statement", m.FirstStatement, c.want.statement)
			checkTime("peak", m.Peak, c.want.peak)
			if m.HasDetect != (c.want.onset >= 0) || m.TimeToDetect != c.want.ttd {
				t.Errorf("time to detect %v (%v), want %v", m.TimeToDetect, m.HasDetect, c.want.ttd)
			}
			if m.HasFirstResponse != (c.want.statement >= 0) || m.TimeToFirstResponse != c.want.ttfr {
				t.Errorf("time to first response %v (%v), want %v", m.TimeToFirstResponse, m.HasFirstResponse, c.want.ttfr)
			}
			if m.HasRecover != (c.want.recovered >= 0) || m.TimeToRecover != c.want.ttr {
				t.Errorf("time to recover %v (%v), want %v", m.TimeToRecover, m.HasRecover, c.want.ttr)
			}
			if m.ExcessNegative != c.want.excess || m.ExcessReach != c.want.excessReach {
				t.Errorf("excess %v reach %v, want %v and %v", m.ExcessNegative, m.ExcessReach, c.want.excess, c.want.excessReach)
			}
			if len(m.Effects) != len(c.milestones) {
				t.Errorf("%d effects for %d milestones", len(m.Effects), len(c.milestones))
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMeasureBeforeAndAfterMilestones(t *testing.T) {
	s := series(quiet(20), surge(20), quiet(50))
	cases := []struct {
		name                string
		time                time.Time
		before, after       [2]int // bucket ranges [lo, hi) in minutes
		beforeNeg, afterNeg float64
		volumeSignificant   bool
		shareSignificant    bool
		complete            bool
	}{
		{"a statement as the surge ends", at(40), [2]int{10, 40}, [2]int{40, 70}, 1100, 300, true, true, true},
		{"a statement mid-surge with equal windows", at(30), [2]int{0, 30}, [2]int{30, 60}, 700, 700, false, false, true},
		{"an unaligned statement skips its own bucket", at(40).Add(30 * time.Second), [2]int{10, 40}, [2]int{41, 71}, 1100, 300, true, true, true},
		{"a recent statement has an incomplete after window", at(80), [2]int{50, 80}, [2]int{80, 110}, 300, 100, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Measure(Input{Series: s, Baseline: baseline(), Start: at(20), Alert: at(25),
				Milestones: []Milestone{{Type: Statement, Time: c.time, Author: "pr", Text: "we are on it"}}}, MeasureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			e := m.Effects[0]
			if !e.Before.From.Equal(at(c.before[0])) || !e.Before.To.Equal(at(c.before[1])) ||
				!e.After.From.Equal(at(c.after[0])) || !e.After.To.Equal(at(c.after[1])) {
				t.Fatalf("windows %v-%v and %v-%v", e.Before.From, e.Before.To, e.After.From, e.After.To)
			}
			if e.Before.Negative != c.beforeNeg || e.After.Negative != c.afterNeg || e.Complete != c.complete {
				t.Fatalf("negative %v -> %v complete %v", e.Before.Negative, e.After.Negative, e.Complete)
			}
			wantChange := c.afterNeg/float64(e.After.Buckets) - c.beforeNeg/float64(e.Before.Buckets)
			if !near(e.VolumeChange, wantChange) || !near(e.ShareChange, e.After.Share-e.Before.Share) {
				t.Fatalf("volume change %v want %v, share change %v", e.VolumeChange, wantChange, e.ShareChange)
			}
			if e.VolumeSignificant != c.volumeSignificant || e.ShareSignificant != c.shareSignificant {
				t.Fatalf("significant volume %v (p %v) share %v (p %v)", e.VolumeSignificant, e.VolumeP, e.ShareSignificant, e.ShareP)
			}
			if e.After.Scored > 0 && !near(e.After.MeanSentiment, (e.After.Scored-2*e.After.Negative)/e.After.Scored) {
				t.Fatalf("mean sentiment %v", e.After.MeanSentiment)
			}
		})
	}
}

func TestSignificanceTests(t *testing.T) {
	cases := []struct {
		name  string
		test  func(a, b, c, d float64) (float64, float64)
		args  [4]float64
		z, p  float64
		tolP  float64
		equal bool
	}{
		{"equal Poisson counts", PoissonRateTest, [4]float64{100, 1, 100, 1}, 0, 1, 1e-12, true},
		{"a doubled Poisson count", PoissonRateTest, [4]float64{50, 1, 100, 1}, 25 / math.Sqrt(37.5), 4.46e-5, 1e-6, false},
		{"Poisson counts over unequal exposure at equal rates", PoissonRateTest, [4]float64{20, 2, 10, 1}, 0, 1, 1e-12, true},
		{"no Poisson counts", PoissonRateTest, [4]float64{0, 1, 0, 1}, 0, 1, 0, true},
		{"10% against 20% of 100", TwoProportionTest, [4]float64{10, 100, 20, 100}, 0.1 / math.Sqrt(0.15*0.85*0.02), 0.0477, 1e-4, false},
		{"an empty sample", TwoProportionTest, [4]float64{10, 100, 0, 0}, 0, 1, 0, true},
		{"all negative on both sides", TwoProportionTest, [4]float64{5, 5, 7, 7}, 0, 1, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			z, p := c.test(c.args[0], c.args[1], c.args[2], c.args[3])
			if math.Abs(z-c.z) > 1e-9 || math.Abs(p-c.p) > c.tolP {
				t.Fatalf("z %v p %v, want %v %v", z, p, c.z, c.p)
			}
		})
	}
}

func TestBaselineBand(t *testing.T) {
	cases := []struct {
		name         string
		points       []Point
		volume, shr  float64
		negativeMean float64
	}{
		{"a steady feature uses Poisson and binomial noise", series(quiet(10)).Points, 10 + 2*math.Sqrt(10), 0.1 + 2*0.03, 10},
		{"a silent feature needs two posts to be excess", series(level{10, 0, 0, 0}).Points, 2, 0, 0},
		{"a noisy feature uses its spread",
			[]Point{{Negative: 0, Scored: 100}, {Negative: 40, Scored: 100}}, 20 + 2*20, 0.2 + 2*0.2, 20},
		{"no history", nil, 2, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := NewBaseline(c.points)
			if !near(b.VolumeUpper(2), c.volume) || !near(b.ShareUpper(2), c.shr) || !near(b.Negative, c.negativeMean) {
				t.Fatalf("band %v %v mean %v, want %v %v %v", b.VolumeUpper(2), b.ShareUpper(2), b.Negative, c.volume, c.shr, c.negativeMean)
			}
		})
	}
}

func TestMeasureRefusesBadInput(t *testing.T) {
	cases := []struct {
		name string
		in   Input
		o    MeasureOptions
	}{
		{"no step", Input{}, MeasureOptions{}},
		{"alpha of one", Input{Series: Series{Step: time.Minute}}, MeasureOptions{Alpha: 1}},
		{"negative window", Input{Series: Series{Step: time.Minute}}, MeasureOptions{EffectWindow: -time.Minute}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Measure(c.in, c.o); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	m, err := Measure(Input{Series: Series{Step: time.Minute}, Alert: at(0),
		Milestones: []Milestone{{Type: Statement, Time: at(1)}}}, MeasureOptions{})
	if err != nil || m.HasDetect || m.HasRecover || !m.HasFirstResponse || m.Effects[0].Complete {
		t.Fatalf("empty series: %+v %v", m, err)
	}
}

func TestMilestoneTypes(t *testing.T) {
	for _, ty := range MilestoneTypes {
		if !ty.Valid() {
			t.Errorf("%s not valid", ty)
		}
	}
	if MilestoneType("tweet").Valid() || MilestoneType("").Valid() {
		t.Error("unknown types valid")
	}
}
