package incident

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// MilestoneType is the kind of a milestone.
type MilestoneType string

// Milestone types.
const (
	Acknowledged MilestoneType = "acknowledged"
	Statement    MilestoneType = "statement"
	StatusPage   MilestoneType = "status_page"
	FixDeployed  MilestoneType = "fix_deployed"
	Resolved     MilestoneType = "resolved"
	Note         MilestoneType = "note"
)

// MilestoneTypes lists every milestone type, in the order of a typical
// response.
var MilestoneTypes = []MilestoneType{Acknowledged, Statement, StatusPage, FixDeployed, Resolved, Note}

// Valid reports whether t is one of MilestoneTypes.
func (t MilestoneType) Valid() bool { return slices.Contains(MilestoneTypes, t) }

// Milestone is a step of the response to an incident.
type Milestone struct {
	Type   MilestoneType `json:"type"`
	Time   time.Time     `json:"time"`
	Author string        `json:"author"`
	Text   string        `json:"text"`
	// Source is "" for a milestone a person recorded, and "brand_post"
	// for a statement recorded automatically from a post of the brand's own
	// account (package statements). It does not change any measure.
	Source string `json:"source,omitempty"`
}

// Point is one bucket of the affected features' counts, summed over the
// features.
type Point struct {
	// Start is the bucket's start; the bucket is [Start, Start+Series.Step).
	Start time.Time
	// Negative is the number of negative posts.
	Negative float64
	// Scored is the number of posts with a sentiment class (negative,
	// neutral or positive); the negative share is Negative/Scored.
	Scored float64
	// NegativeReach is the sum of the negative posts' reach weights.
	NegativeReach float64
	// ScoreSum is the sum of the scored posts' sentiment scores (each in
	// [-1, 1]); the mean sentiment is ScoreSum/Scored.
	ScoreSum float64
}

// Series is consecutive buckets, Step apart.
type Series struct {
	Step   time.Duration
	Points []Point
}

// Baseline is what the affected features looked like before the incident,
// per bucket.
type Baseline struct {
	// Negative and NegativeSD are the mean and standard deviation of the
	// negative posts per bucket.
	Negative, NegativeSD float64
	// Share is the pooled negative share (all negative posts over all
	// scored posts); ShareSD the standard deviation of the per-bucket
	// shares; Scored the mean scored posts per bucket.
	Share, ShareSD, Scored float64
	// NegativeReach is the mean negative reach per bucket.
	NegativeReach float64
	// Buckets is how many buckets the baseline was computed from.
	Buckets int
}

// NewBaseline computes the baseline of points (buckets before the
// incident).
func NewBaseline(points []Point) Baseline {
	b := Baseline{Buckets: len(points)}
	if len(points) == 0 {
		return b
	}
	var neg, scored, reach float64
	var shares []float64
	for _, p := range points {
		neg += p.Negative
		scored += p.Scored
		reach += p.NegativeReach
		if p.Scored > 0 {
			shares = append(shares, p.Negative/p.Scored)
		}
	}
	n := float64(len(points))
	b.Negative, b.Scored, b.NegativeReach = neg/n, scored/n, reach/n
	if scored > 0 {
		b.Share = neg / scored
	}
	var ss float64
	for _, p := range points {
		ss += (p.Negative - b.Negative) * (p.Negative - b.Negative)
	}
	b.NegativeSD = math.Sqrt(ss / n)
	ss = 0
	for _, s := range shares {
		ss += (s - b.Share) * (s - b.Share)
	}
	if len(shares) > 0 {
		b.ShareSD = math.Sqrt(ss / float64(len(shares)))
	}
	return b
}

// VolumeUpper is the top of the baseline band for negative posts per
// bucket: Negative + k*max(NegativeSD, sqrt(Negative), 1). The square root
// is the Poisson noise of the mean; the floor of one post keeps a quiet
// feature's single complaint from counting as excess.
func (b Baseline) VolumeUpper(k float64) float64 {
	return b.Negative + k*max(b.NegativeSD, math.Sqrt(b.Negative), 1)
}

// ShareUpper is the top of the baseline band for the negative share of a
// bucket: Share + k*max(ShareSD, sqrt(Share*(1-Share)/Scored)), the second
// term being the binomial noise of a bucket of baseline size.
func (b Baseline) ShareUpper(k float64) float64 {
	binom := 0.0
	if b.Scored > 0 {
		binom = math.Sqrt(b.Share * (1 - b.Share) / b.Scored)
	}
	return b.Share + k*max(b.ShareSD, binom)
}

// Defaults for MeasureOptions.
const (
	DefaultBandK        = 2.0
	DefaultRecoverHold  = 10 * time.Minute
	DefaultEffectWindow = 30 * time.Minute
	// DefaultAlpha is the significance level of the before/after tests.
	DefaultAlpha = 0.05
)

// MeasureOptions configure Measure. Zero fields take the defaults.
type MeasureOptions struct {
	// BandK is the width of the baseline band in noise units (see
	// Baseline.VolumeUpper and ShareUpper). Default: 2.
	BandK float64
	// RecoverHold is how long negative volume and share must stay inside
	// the band for the incident to count as recovered. Default: 10m.
	RecoverHold time.Duration
	// EffectWindow is the length of the windows before and after each
	// milestone. Default: 30m.
	EffectWindow time.Duration
	// Alpha is the significance level of the before/after tests. Default:
	// 0.05.
	Alpha float64
}

// Validate reports options that Measure refuses: negative values, or an
// Alpha of 1 or more.
func (o MeasureOptions) Validate() error {
	if o.BandK < 0 || o.RecoverHold < 0 || o.EffectWindow < 0 || o.Alpha < 0 || o.Alpha >= 1 {
		return fmt.Errorf("incident: measure options %+v: want band, hold and window >= 0 and 0 <= alpha < 1", o)
	}
	return nil
}

func (o MeasureOptions) withDefaults() MeasureOptions {
	if o.BandK == 0 {
		o.BandK = DefaultBandK
	}
	if o.RecoverHold == 0 {
		o.RecoverHold = DefaultRecoverHold
	}
	if o.EffectWindow == 0 {
		o.EffectWindow = DefaultEffectWindow
	}
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	return o
}

// Input is what Measure needs about one incident.
type Input struct {
	// Series covers the incident (from before its start to now or past its
	// end), summed over the affected features.
	Series   Series
	Baseline Baseline
	// Start is the incident's start (its first spike's onset), used when
	// no excess bucket precedes the alert.
	Start time.Time
	// Alert is when the incident was first alerted (its first spike's
	// first version).
	Alert time.Time
	// Milestones may be in any order.
	Milestones []Milestone
}

// Measures are an incident's response and recovery measures. A zero time
// means "not known": no excess bucket before the alert (Onset), no
// statement yet (FirstStatement), not recovered within the series
// (Recovered); the matching duration is then zero and its Has flag false.
type Measures struct {
	Onset          time.Time `json:"onset,omitzero"`
	Alert          time.Time `json:"alert"`
	FirstStatement time.Time `json:"firstStatement,omitzero"`
	Recovered      time.Time `json:"recovered,omitzero"`
	// Peak is the start of the bucket with the most negative posts (the
	// first such bucket), PeakNegative its count.
	Peak         time.Time `json:"peak,omitzero"`
	PeakNegative float64   `json:"peakNegative"`

	// TimeToDetect is Alert - Onset.
	TimeToDetect time.Duration `json:"-"`
	HasDetect    bool          `json:"-"`
	// TimeToFirstResponse is FirstStatement - Alert.
	TimeToFirstResponse time.Duration `json:"-"`
	HasFirstResponse    bool          `json:"-"`
	// TimeToRecover is Recovered - Alert.
	TimeToRecover time.Duration `json:"-"`
	HasRecover    bool          `json:"-"`

	// ExcessNegative is the sum over the incident's buckets (from Onset, or
	// Start, up to Recovered or the end of the series) of
	// max(0, negative - baseline negative).
	ExcessNegative float64 `json:"excessNegative"`
	// ExcessReach is the same sum over negative reach.
	ExcessReach float64 `json:"excessReach"`
	// VolumeUpper and ShareUpper are the band used.
	VolumeUpper float64 `json:"volumeUpper"`
	ShareUpper  float64 `json:"shareUpper"`

	// Effects are the before/after changes at each milestone, by time.
	Effects []Effect `json:"effects"`
}

// Window is the affected features' counts over [From, To).
type Window struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Buckets int       `json:"buckets"`
	// Negative is the negative posts in the window; Scored the scored.
	Negative float64 `json:"negative"`
	Scored   float64 `json:"scored"`
	// Share is Negative/Scored (0 without scored posts).
	Share float64 `json:"share"`
	// MeanSentiment is the scored posts' mean score (0 without any).
	MeanSentiment float64 `json:"meanSentiment"`
}

// Effect compares the window before a milestone with the window after it.
type Effect struct {
	Milestone Milestone `json:"milestone"`
	Before    Window    `json:"before"`
	After     Window    `json:"after"`
	// Complete is false when either window runs past the series (the
	// after window of a recent milestone is still filling).
	Complete bool `json:"complete"`
	// VolumeChange is the change in negative posts per bucket (After minus
	// Before, each divided by its buckets); ShareChange and
	// SentimentChange are After minus Before.
	VolumeChange    float64 `json:"volumeChange"`
	ShareChange     float64 `json:"shareChange"`
	SentimentChange float64 `json:"sentimentChange"`
	// VolumeZ and VolumeP are the conditional Poisson rate test of the two
	// negative counts; ShareZ and ShareP the pooled two-proportion z-test
	// of the two shares. P-values are two-sided.
	VolumeZ           float64 `json:"volumeZ"`
	VolumeP           float64 `json:"volumeP"`
	VolumeSignificant bool    `json:"volumeSignificant"`
	ShareZ            float64 `json:"shareZ"`
	ShareP            float64 `json:"shareP"`
	ShareSignificant  bool    `json:"shareSignificant"`
}

// Measure computes in's measures. Definitions (buckets are those of
// in.Series):
//
//   - A bucket is excess when its negative posts exceed the band's
//     VolumeUpper; it is inside the band when its negative posts are at most
//     VolumeUpper and its negative share at most ShareUpper.
//   - The alert bucket is the last bucket starting before in.Alert. Onset
//     is the start of the run of consecutive excess buckets that ends at the
//     last excess bucket at or before the alert bucket.
//   - Recovered is the start of the first bucket after the peak from which
//     RecoverHold of buckets are all inside the band.
//   - FirstStatement is the earliest Statement milestone at or after
//     Alert (one posted before the alert counts at the alert).
//
// It fails when the series' step is not positive.
func Measure(in Input, o MeasureOptions) (Measures, error) {
	step := in.Series.Step
	if step <= 0 {
		return Measures{}, errors.New("incident: series step must be positive")
	}
	if err := o.Validate(); err != nil {
		return Measures{}, err
	}
	o = o.withDefaults()
	ps := in.Series.Points
	b := in.Baseline
	m := Measures{Alert: in.Alert, VolumeUpper: b.VolumeUpper(o.BandK), ShareUpper: b.ShareUpper(o.BandK), Effects: []Effect{}}
	excess := func(p Point) bool { return p.Negative > m.VolumeUpper }
	inBand := func(p Point) bool {
		return p.Negative <= m.VolumeUpper && (p.Scored == 0 || p.Negative/p.Scored <= m.ShareUpper)
	}
	index := func(t time.Time) int { // bucket containing t; may be out of range
		if len(ps) == 0 {
			return 0
		}
		d := t.Sub(ps[0].Start)
		i := int(d / step)
		if d < 0 && d%step != 0 {
			i--
		}
		return i
	}

	// Onset.
	alertIdx := index(in.Alert.Add(-1)) // last bucket starting before Alert
	onset := -1
	for j := min(alertIdx, len(ps)-1); j >= 0; j-- {
		if excess(ps[j]) {
			onset = j
			for onset > 0 && excess(ps[onset-1]) {
				onset--
			}
			break
		}
	}
	if onset >= 0 {
		m.Onset = ps[onset].Start
		m.TimeToDetect, m.HasDetect = in.Alert.Sub(m.Onset), true
	}

	// Peak: the most negative bucket from the onset (or the start) on.
	from := onset
	if from < 0 {
		from = max(0, min(index(in.Start), len(ps)))
	}
	peak := -1
	for i := from; i < len(ps); i++ {
		if peak < 0 || ps[i].Negative > ps[peak].Negative {
			peak = i
		}
	}
	// Recovery.
	end := len(ps)
	if peak >= 0 {
		m.Peak, m.PeakNegative = ps[peak].Start, ps[peak].Negative
		hold := max(1, int((o.RecoverHold+step-1)/step))
		run := 0
		for i := peak + 1; i < len(ps); i++ {
			if !inBand(ps[i]) {
				run = 0
				continue
			}
			run++
			if run == hold {
				r := i - hold + 1
				m.Recovered, end = ps[r].Start, r
				m.TimeToRecover, m.HasRecover = m.Recovered.Sub(in.Alert), true
				break
			}
		}
	}
	for i := from; i < end; i++ {
		m.ExcessNegative += max(0, ps[i].Negative-b.Negative)
		m.ExcessReach += max(0, ps[i].NegativeReach-b.NegativeReach)
	}

	// Milestones.
	ms := slices.Clone(in.Milestones)
	slices.SortStableFunc(ms, func(a, b Milestone) int { return a.Time.Compare(b.Time) })
	for _, ml := range ms {
		if ml.Type == Statement && m.FirstStatement.IsZero() {
			m.FirstStatement = ml.Time
			if m.FirstStatement.Before(in.Alert) {
				m.FirstStatement = in.Alert
			}
			m.TimeToFirstResponse, m.HasFirstResponse = m.FirstStatement.Sub(in.Alert), true
		}
		m.Effects = append(m.Effects, effect(ps, step, index, ml, o))
	}
	return m, nil
}

// effect compares the whole buckets in [t-W, t) with those in [t, t+W),
// where t is the milestone's time; the bucket containing an unaligned
// milestone belongs to neither window.
func effect(ps []Point, step time.Duration, index func(time.Time) int, ml Milestone, o MeasureOptions) Effect {
	e := Effect{Milestone: ml, Complete: len(ps) > 0}
	n := int((o.EffectWindow + step - 1) / step)
	first := index(ml.Time) // the bucket containing the milestone
	after := first
	if len(ps) > 0 && !ps[0].Start.Add(time.Duration(first)*step).Equal(ml.Time) {
		after++ // unaligned: the after window starts at the next bucket
	}
	window := func(lo, hi int) Window {
		var w Window
		if len(ps) > 0 {
			w.From = ps[0].Start.Add(time.Duration(lo) * step)
			w.To = ps[0].Start.Add(time.Duration(hi) * step)
		}
		if lo < 0 || hi > len(ps) {
			e.Complete = false
		}
		var scoreSum float64
		for i := max(lo, 0); i < min(hi, len(ps)); i++ {
			w.Buckets++
			w.Negative += ps[i].Negative
			w.Scored += ps[i].Scored
			scoreSum += ps[i].ScoreSum
		}
		if w.Scored > 0 {
			w.Share = w.Negative / w.Scored
			w.MeanSentiment = scoreSum / w.Scored
		}
		return w
	}
	e.Before = window(first-n, first)
	e.After = window(after, after+n)
	if e.Before.Buckets > 0 && e.After.Buckets > 0 {
		e.VolumeChange = e.After.Negative/float64(e.After.Buckets) - e.Before.Negative/float64(e.Before.Buckets)
	}
	e.ShareChange = e.After.Share - e.Before.Share
	e.SentimentChange = e.After.MeanSentiment - e.Before.MeanSentiment
	e.VolumeZ, e.VolumeP = PoissonRateTest(e.Before.Negative, float64(e.Before.Buckets), e.After.Negative, float64(e.After.Buckets))
	e.ShareZ, e.ShareP = TwoProportionTest(e.Before.Negative, e.Before.Scored, e.After.Negative, e.After.Scored)
	e.VolumeSignificant = e.VolumeP < o.Alpha
	e.ShareSignificant = e.ShareP < o.Alpha
	return e
}

// PoissonRateTest compares two Poisson counts, x1 over exposure t1 and x2
// over t2, with the conditional test: given n = x1+x2, x2 is binomial with
// p = t2/(t1+t2) when the rates are equal. It returns the normal
// approximation's z (positive when the second rate is higher) and two-sided
// p-value; z = 0 and p = 1 when there is nothing to compare.
func PoissonRateTest(x1, t1, x2, t2 float64) (z, p float64) {
	n := x1 + x2
	if n <= 0 || t1 <= 0 || t2 <= 0 {
		return 0, 1
	}
	pi := t2 / (t1 + t2)
	z = (x2 - n*pi) / math.Sqrt(n*pi*(1-pi))
	return z, math.Erfc(math.Abs(z) / math.Sqrt2)
}

// TwoProportionTest compares the proportions x1/n1 and x2/n2 with the
// pooled two-proportion z-test. It returns z (positive when the second is
// higher) and the two-sided p-value; z = 0 and p = 1 when either sample is
// empty or the pooled proportion is 0 or 1.
func TwoProportionTest(x1, n1, x2, n2 float64) (z, p float64) {
	if n1 <= 0 || n2 <= 0 {
		return 0, 1
	}
	pool := (x1 + x2) / (n1 + n2)
	se := math.Sqrt(pool * (1 - pool) * (1/n1 + 1/n2))
	if se == 0 || math.IsNaN(se) {
		return 0, 1
	}
	z = (x2/n2 - x1/n1) / se
	return z, math.Erfc(math.Abs(z) / math.Sqrt2)
}
