package detect

import (
	"math"
	"slices"
	"time"
)

// This file holds the seasonal-residual view (DetectorConfig.ResidualDays),
// off by default: a robust seasonal decomposition of the evaluation window's
// count with an outlier test on its residual, in the spirit of the seasonal
// hybrid ESD test (median seasonal component, median and MAD instead of mean
// and standard deviation), made streaming.
//
//   - Summaries: for each hour of the day, a ring of its last ResidualDays
//     days, each day holding two numbers about that hour's Values (the
//     evaluation window's count at every step of the hour): their median and
//     their median absolute deviation. An hour is folded in when it closes,
//     at a cost bounded by the steps in an hour and ResidualDays, so the
//     work per step is O(1) and nothing is allocated after NewDetector.
//   - Baseline of an hour of the day: the median of its daily medians, so a
//     day with a burst (or an outage) in that hour does not move it.
//   - Scale: the root of the sum of squares of 1.4826 × the median of the
//     daily MADs (the noise within the hour) and 1.4826 × the MAD of the
//     daily medians (how much that hour's level moves from day to day), at
//     least the Poisson √max(baseline, 1) of a count.
//   - Test: z = (Value − baseline)/scale. One value is judged against a
//     robust location and scale, which is the generalised ESD test with one
//     candidate and the median/MAD variant's statistic; ResidualZ plays the
//     part of its critical value. The robust summaries stand in for ESD's
//     iterative removal of earlier outliers.
//   - Firing: z ≥ ResidualZ and Ratio against the baseline ≥ MinRatio on
//     each of the last ResidualConfirmSteps steps, Value ≥ MinVolume, and
//     the hour of the day seen on at least half of ResidualDays days.
//     ResidualAlone makes this replace the calibration check (the count
//     model's volume, ratio and PValue gates stay); otherwise it is a second
//     view beside the whole default rule, and either can fire.
//   - The summaries learn every step, firing or not: the medians bound what
//     one episode can teach, and a surge that recurs daily at the same hour
//     must become that hour's baseline.

// madScale turns a median absolute deviation into a standard deviation for
// normally distributed values.
const madScale = 1.4826

// hoursInDay is the number of seasonal slots of the residual view.
const hoursInDay = 24

// residual is the state of the seasonal-residual view.
type residual struct {
	days    int
	minDays int
	z       float64
	confirm int

	med  []float64 // [hour*days+day]: median of the hour's Values that day
	mad  []float64 // same layout: their median absolute deviation
	n    [hoursInDay]int
	pos  [hoursInDay]int
	base [hoursInDay]float64 // median of med over the days, cached per hour
	sd   [hoursInDay]float64 // robust scale, cached per hour

	hour      []float64 // Values of the open hour
	hourStart time.Time // start of the open hour, in the configured location
	hourEnd   time.Time
	minInHour int
	scratch   []float64

	run int // consecutive steps that passed the test
}

func newResidual(cfg DetectorConfig, stepsInHour int) residual {
	if cfg.ResidualDays == 0 {
		return residual{}
	}
	return residual{
		days:      cfg.ResidualDays,
		minDays:   max(1, cfg.ResidualDays/2),
		z:         cfg.ResidualZ,
		confirm:   cfg.ResidualConfirmSteps,
		med:       make([]float64, hoursInDay*cfg.ResidualDays),
		mad:       make([]float64, hoursInDay*cfg.ResidualDays),
		hour:      make([]float64, 0, stepsInHour),
		minInHour: max(1, stepsInHour/2),
		scratch:   make([]float64, 0, max(stepsInHour, cfg.ResidualDays)),
	}
}

// cleared returns r emptied, keeping its buffers.
func (r residual) cleared() residual {
	clear(r.med)
	clear(r.mad)
	return residual{
		days: r.days, minDays: r.minDays, z: r.z, confirm: r.confirm,
		med: r.med, mad: r.mad, hour: r.hour[:0], minInHour: r.minInHour, scratch: r.scratch[:0],
	}
}

// on reports whether the view is enabled.
func (r *residual) on() bool { return r.days > 0 }

// judge returns the residual's z for value at t (0 while the hour of the day
// has too little history) and whether the last confirm steps, this one
// included, all passed the test. It must be called once per step, before
// learn.
func (r *residual) judge(t time.Time, loc *time.Location, value, minRatio float64) (z float64, confirmed bool) {
	var h int
	if r.inOpenHour(t) {
		h = r.hourStart.Hour()
	} else {
		h = t.In(loc).Hour()
	}
	pass := false
	if r.n[h] >= r.minDays {
		b := r.base[h]
		z = (value - b) / r.sd[h]
		pass = z >= r.z && (value+1)/(b+1) >= minRatio
	}
	if pass {
		r.run++
	} else {
		r.run = 0
	}
	return z, r.run >= r.confirm
}

// learn adds value to the open hour, folding the hour into its summaries
// when t starts another one.
func (r *residual) learn(t time.Time, loc *time.Location, value float64) {
	if !r.inOpenHour(t) {
		r.closeHour()
		lt := t.In(loc)
		r.hourStart = time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), 0, 0, 0, loc)
		r.hourEnd = r.hourStart.Add(time.Hour)
	}
	if len(r.hour) < cap(r.hour) {
		r.hour = append(r.hour, value)
	}
}

// inOpenHour reports whether t falls in the hour being accumulated.
func (r *residual) inOpenHour(t time.Time) bool {
	return !r.hourStart.IsZero() && !t.Before(r.hourStart) && t.Before(r.hourEnd)
}

// closeHour folds the open hour into its hour of the day, if enough of it
// was seen to be representative, and recomputes that hour's baseline and
// scale.
func (r *residual) closeHour() {
	if len(r.hour) < r.minInHour || r.hourStart.IsZero() {
		r.hour = r.hour[:0]
		return
	}
	h := r.hourStart.Hour()
	m, d := r.medianMAD(r.hour)
	r.hour = r.hour[:0]
	i := h*r.days + r.pos[h]
	r.med[i], r.mad[i] = m, d
	r.pos[h] = (r.pos[h] + 1) % r.days
	r.n[h] = min(r.n[h]+1, r.days)

	row := h * r.days
	base, spread := r.medianMAD(r.med[row : row+r.n[h]])
	within := r.median(r.mad[row : row+r.n[h]])
	sd := math.Hypot(madScale*within, madScale*spread)
	r.base[h] = base
	r.sd[h] = math.Max(sd, math.Sqrt(math.Max(base, 1)))
}

// median returns the median of xs, sorting a copy in the scratch buffer.
func (r *residual) median(xs []float64) float64 {
	s := append(r.scratch[:0], xs...)
	slices.Sort(s)
	r.scratch = s
	return sortedMedian(s)
}

// medianMAD returns the median of xs and the median absolute deviation
// from it.
func (r *residual) medianMAD(xs []float64) (med, mad float64) {
	med = r.median(xs)
	s := r.scratch[:0]
	for _, x := range xs {
		s = append(s, math.Abs(x-med))
	}
	slices.Sort(s)
	r.scratch = s
	return med, sortedMedian(s)
}

// sortedMedian returns the median of a sorted slice, 0 when it is empty.
func sortedMedian(s []float64) float64 {
	n := len(s)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
