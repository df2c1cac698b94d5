package detect

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// This file holds the spike detector: a pure, streaming, per-series state
// machine over counts at a fixed step. It does no I/O, keeps no globals and
// never reads the clock; time comes only from the timestamps it is given.
//
// Scope: one count series (for example negative posts about one feature per
// minute). Non-goals: choosing which series to watch, alert ids and
// fingerprints, delivery, deduplication across processors and persistence of
// the detector's state; callers own those and keep one Detector per series.
//
// Model, per step:
//
//   - Level: the 20%-trimmed mean of the last BaselineSteps per-step counts;
//     it ignores a surge that fills less than a fifth of the window.
//   - Dispersion φ (variance over mean, at least MinDispersion): an
//     exponentially weighted mean over about DispersionSteps of the squared
//     Pearson residuals (x−expected)²/expected, each winsorised at
//     DispersionClip·φ. Bursty series get a larger φ than Poisson noise.
//   - Seasonality: once an hour of the week has been seen in SeasonMinWeeks
//     different weeks, its typical per-step count (an EWMA over weeks of the
//     hour's mean, counts clipped at ClipRatio × expected) is blended with the
//     level: max(level, SeasonWeight·seasonal + (1−SeasonWeight)·level).
//     Seasonality only ever raises the expectation, so a recurring daily peak
//     is not an anomaly while a surge in a usually quiet hour still is.
//   - Evaluation window: Value is the sum of the last EvalSteps counts and
//     Baseline is EvalSteps × the per-step expectation, so a surge is judged
//     on a few steps of evidence rather than on one noisy bucket.
//   - Significance: a quasi-Poisson upper tail, PValue = P(X ≥ Value/φ) for
//     X ~ Poisson(Baseline/φ), evaluated with the regularised incomplete
//     gamma function so non-integer arguments work.
//   - Calibration (novelty): Value must also beat the CalibrationRank-th
//     (1st) largest daily maximum of Value over the last two weeks, a count
//     the series has not reached on its busiest day. Social mention counts
//     are heavy-tailed (a 5–20× burst every day is normal for a popular
//     product), which no count model captures; this makes each series alert
//     only on volume that is new for that series. With CalibrateVolume off,
//     the surprise −ln(PValue) is calibrated instead (the design before).
//   - Seasonal residual (residual.go): a second view judges Value against
//     the median and MAD of the same hour of the day over the last two
//     weeks; a robust z of at least ResidualZ (and a ratio of MinRatio to
//     that median) held for ResidualConfirmSteps steps fires too, so a
//     lasting surge at a usually quiet hour pages even when the series'
//     bursts at other hours are bigger and it is not novel volume.
//   - Firing needs all of Value ≥ MinVolume, Ratio ≥ MinRatio,
//     PValue ≤ Alpha and the calibration check, or Value ≥ MinVolume and
//     the seasonal-residual view's test, after MinHistorySteps of history
//     and outside the cooldown. A firing series resolves when Ratio drops
//     below ResolveRatio (hysteresis), after which it cannot fire again for
//     CooldownSteps.
//   - While firing, the level and dispersion are frozen (the surge does not
//     teach the detector that surges are normal) for at most MaxFrozenSteps;
//     after that they learn again, so a lasting level shift resolves. The
//     hour-of-week profile keeps learning, clipped, so a peak that recurs
//     weekly becomes seasonal even though it fired the first times.

// State is whether a series is currently in a firing episode.
type State uint8

// The states of a Detector.
const (
	StateNormal State = iota
	StateFiring
)

func (s State) String() string {
	switch s {
	case StateNormal:
		return "normal"
	case StateFiring:
		return "firing"
	}
	return fmt.Sprintf("state(%d)", s)
}

// Event is the lifecycle transition a step caused, if any.
type Event uint8

// The events a Detector reports. EventUpdate means the episode is still
// firing and Value has grown by at least UpdateFactor since the last Fire or
// Update.
const (
	EventNone Event = iota
	EventFire
	EventUpdate
	EventResolve
)

func (e Event) String() string {
	switch e {
	case EventNone:
		return "none"
	case EventFire:
		return "fire"
	case EventUpdate:
		return "update"
	case EventResolve:
		return "resolve"
	}
	return fmt.Sprintf("event(%d)", e)
}

// DetectorConfig configures a Detector. Counts of steps are in units of Step.
// Use DefaultDetectorConfig and change what you need; the zero value is not
// valid.
type DetectorConfig struct {
	// Step is the length of one count bucket. Required, > 0.
	Step time.Duration
	// EvalSteps is how many of the most recent steps are summed into Value
	// and compared with EvalSteps × the per-step baseline.
	// Default: 2, so at the production step of 1 minute a surge is judged on
	// its first two minutes.
	EvalSteps int
	// BaselineSteps is the length of the trailing window whose trimmed mean
	// gives the level. Default: 2 hours of steps, at least 12.
	BaselineSteps int
	// MinHistorySteps is how many steps must have been observed before the
	// detector may fire. Default: BaselineSteps/2.
	MinHistorySteps int
	// SeasonMinWeeks is how many different weeks an hour of the week must
	// have been seen in before its seasonal level is used. 0 disables
	// seasonality. Default: 2.
	SeasonMinWeeks int
	// SeasonWeight is the weight of the hour-of-week level in the blend with
	// the trailing level, in [0,1]. Default: 0.75.
	SeasonWeight float64
	// SeasonAlpha is the EWMA weight of the newest week in an hour-of-week
	// level once more than 1/SeasonAlpha weeks have been seen (before that,
	// weeks are averaged equally), in (0,1]. Default: 0.3.
	SeasonAlpha float64
	// ClipRatio caps the counts that enter the hour-of-week level at
	// ClipRatio × max(expected, 1), so one spike does not become "seasonal".
	// Must be ≥ 1. Default: 3.
	ClipRatio float64
	// MinVolume is the least Value (count over the evaluation window) that
	// can fire. Default: 10.
	MinVolume float64
	// MinRatio is the least Ratio, (Value+1)/(Baseline+1), that can fire.
	// Must be > 1. Default: 2.
	MinRatio float64
	// Alpha is the largest PValue that can fire, in (0,1). It is small
	// because a series is tested every step (1440 times a day at 1 minute).
	// Default: 1e-6.
	Alpha float64
	// ResolveRatio: a firing series resolves on the first step whose Ratio is
	// below it. Must be in (0, MinRatio]; lower than MinRatio gives
	// hysteresis. Default: 1.5.
	ResolveRatio float64
	// UpdateFactor: while firing, a step whose Value is at least UpdateFactor
	// × the Value last reported (by Fire or Update) reports EventUpdate.
	// Must be > 1. Default: 2.
	UpdateFactor float64
	// RearmFactor lets a surge fire during the cooldown when its Value is at
	// least RearmFactor × the largest Value of the episode that just
	// resolved (and every other firing condition holds): a relapse the size
	// of the last one stays quiet, an outage that is clearly worse pages
	// again. 0 keeps the cooldown absolute; otherwise it must be > 1.
	// Default: 2.
	RearmFactor float64
	// CooldownSteps is how many steps after a resolve the series cannot fire
	// again. Default: 1 day of steps, so one incident pages once and a
	// bursty series does not page again on the aftershocks.
	CooldownSteps int
	// MaxFrozenSteps caps how long the baseline stays frozen during one
	// firing episode; after that it learns from the counts again, so a lasting
	// change of level resolves instead of firing forever.
	// Default: 6 hours of steps.
	MaxFrozenSteps int
	// MinDispersion is the least variance-to-mean ratio assumed for counts
	// (1 is plain Poisson), ≥ 1. Default: 1.
	MinDispersion float64
	// DispersionSteps is the horizon, in steps, of the exponentially
	// weighted estimate of the variance-to-mean ratio (the dispersion φ).
	// Default: 1 day of steps.
	DispersionSteps int
	// DispersionClip winsorises each step's squared Pearson residual at
	// DispersionClip × the current φ before it enters the estimate, > 1.
	// Default: 25 (5 standard deviations).
	DispersionClip float64
	// CalibrationRank: firing also needs the calibrated statistic (Value
	// with CalibrateVolume, else the surprise −ln(PValue)) to exceed the
	// CalibrationRank-th largest of its per-block maxima over the last
	// CalibrationSteps (firing episodes included), so a series whose normal
	// life is full of bursts only alerts on bursts that are unusual for it.
	// With fewer blocks than CalibrationRank (the open block counts) the
	// check passes. 0 disables it. Default: 1 (the busiest day; it was 2
	// before the seasonal-residual view became the default, which now
	// catches the lasting surges that are not novel volume).
	CalibrationRank int
	// CalibrationSteps is the calibration horizon. Default: 2 weeks of steps.
	CalibrationSteps int
	// CalibrationBlockSteps is the block length: each block contributes only
	// its maximum, so one long episode counts once. Default: 1 day of steps.
	CalibrationBlockSteps int

	// CalibrateVolume judges the count itself instead of its surprise
	// against the series' history: firing needs Value to exceed the
	// CalibrationRank-th largest daily maximum of Value over the horizon (a
	// volume the series has not reached on its busiest days), like the
	// novelty test of contextual detectors. Default: true (it replaced the
	// surprise calibration after "eval nab --variants"; BENCHMARKS.md).
	CalibrateVolume bool

	// ResidualDays, when > 0, adds the seasonal-residual view (residual.go):
	// per hour of the day, the median and MAD of the evaluation window's
	// count on each of the last ResidualDays days. A Value whose robust z
	// against its hour of the day is at least ResidualZ, and whose ratio to
	// that hour's median is at least MinRatio, on ResidualConfirmSteps
	// consecutive steps can fire even when it is not novel volume: a
	// lasting surge at an hour that is usually quiet, on a series whose
	// bursts at other hours are bigger. An hour of the day is judged once
	// it has been seen on ResidualDays/2 days. 0 disables the view.
	// Default: 14 (two weeks, the calibration horizon).
	ResidualDays int
	// ResidualZ is the robust z the residual must reach, > 0. Default: 8.
	ResidualZ float64
	// ResidualConfirmSteps is how many consecutive steps must pass the
	// residual test, ≥ 1: a burst shorter than that is left to the novelty
	// check. Default: 1 hour of steps.
	ResidualConfirmSteps int
	// ResidualAlone makes the residual test replace the calibration check
	// (the volume, ratio and PValue gates stay) instead of being a second
	// view beside the default rule, either of which can fire. Default:
	// false (measured as the design "seasonal-esd"; it misses most events).
	ResidualAlone bool

	// The options below are measured alternatives, off by default; the
	// "Detector designs measured against the defaults" section of
	// BENCHMARKS.md has their scores ("socialpulse eval nab --variants",
	// "eval surges --variant").

	// LevelFloor floors the per-step expectation at LevelFloor × the
	// series' mean over about DispersionSteps (learned outside firing
	// episodes, clipped like the seasonal level): after a stretch of zeros
	// (a collection outage) has emptied the trailing level, the counts that
	// come back are judged against that share of the usual level instead of
	// against nothing. In [0,1]; 0 disables it. Default: 0.
	LevelFloor float64
	// LongEvalSteps, when > 0, adds a second, longer evaluation window
	// judged like the first (volume, ratio, PValue) with its own
	// calibration; either window can fire, so a moderate surge that lasts
	// is caught on its accumulated evidence. Default: 0.
	LongEvalSteps int
	// LikelihoodSteps, when > 0, adds an anomaly-likelihood check: the mean
	// of ln(1+surprise) over the last LikelihoodAvgSteps steps is judged
	// against the running mean and variance of that average over about
	// LikelihoodSteps, and firing also needs its Gaussian upper-tail
	// probability to be at most LikelihoodAlpha. Default: 0 (off).
	LikelihoodSteps int
	// LikelihoodAvgSteps is the short average of the likelihood check, ≥ 1.
	LikelihoodAvgSteps int
	// LikelihoodAlpha is the likelihood check's tail probability, in (0,1).
	LikelihoodAlpha float64
	// MaxGapSteps is the longest gap between two observations that is
	// filled with zero counts; a longer gap resets the detector as if the
	// series were new. Default: 2 weeks of steps.
	MaxGapSteps int
	// Location is the time zone of the hour-of-week seasonality.
	// Default (nil): UTC.
	Location *time.Location
}

// stepsIn returns how many steps of length step fit in d, at least min.
func stepsIn(d, step time.Duration, min int) int {
	n := int(d / step)
	if n < min {
		return min
	}
	return n
}

// DefaultDetectorConfig returns the default configuration for counts at the
// given step (1 minute in production, 5 minutes for the NAB Twitter series).
// Durations are converted to steps, so the defaults mean the same wall-clock
// behaviour at any step. A step ≤ 0 gives a configuration that fails
// Validate.
func DefaultDetectorConfig(step time.Duration) DetectorConfig {
	cfg := DetectorConfig{
		Step:            step,
		SeasonMinWeeks:  2,
		SeasonWeight:    0.75,
		SeasonAlpha:     0.3,
		ClipRatio:       3,
		MinVolume:       10,
		MinRatio:        2,
		Alpha:           1e-6,
		ResolveRatio:    1.5,
		UpdateFactor:    2,
		RearmFactor:     2,
		MinDispersion:   1,
		DispersionClip:  25,
		CalibrationRank: 1,
		CalibrateVolume: true,
		ResidualDays:    14,
		ResidualZ:       8,
	}
	if step <= 0 {
		return cfg
	}
	cfg.EvalSteps = 2
	cfg.BaselineSteps = stepsIn(2*time.Hour, step, 12)
	cfg.MinHistorySteps = cfg.BaselineSteps / 2
	cfg.CooldownSteps = stepsIn(24*time.Hour, step, 1)
	cfg.MaxFrozenSteps = stepsIn(6*time.Hour, step, 1)
	cfg.DispersionSteps = stepsIn(24*time.Hour, step, 1)
	cfg.MaxGapSteps = stepsIn(14*24*time.Hour, step, 1)
	cfg.CalibrationSteps = stepsIn(14*24*time.Hour, step, 1)
	cfg.CalibrationBlockSteps = stepsIn(24*time.Hour, step, 1)
	cfg.ResidualConfirmSteps = stepsIn(time.Hour, step, 1)
	return cfg
}

// Validate reports the first invalid field, by name. It does not modify the
// configuration.
func (c DetectorConfig) Validate() error {
	bad := func(field, want string, got any) error {
		return fmt.Errorf("detect: DetectorConfig.%s must be %s, got %v", field, want, got)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case c.Step <= 0:
		return bad("Step", "> 0", c.Step)
	case c.EvalSteps < 1:
		return bad("EvalSteps", "≥ 1", c.EvalSteps)
	case c.BaselineSteps < 3:
		return bad("BaselineSteps", "≥ 3", c.BaselineSteps)
	case c.MinHistorySteps < 0:
		return bad("MinHistorySteps", "≥ 0", c.MinHistorySteps)
	case c.SeasonMinWeeks < 0:
		return bad("SeasonMinWeeks", "≥ 0", c.SeasonMinWeeks)
	case !finite(c.SeasonWeight) || c.SeasonWeight < 0 || c.SeasonWeight > 1:
		return bad("SeasonWeight", "in [0,1]", c.SeasonWeight)
	case !finite(c.SeasonAlpha) || c.SeasonAlpha <= 0 || c.SeasonAlpha > 1:
		return bad("SeasonAlpha", "in (0,1]", c.SeasonAlpha)
	case !finite(c.ClipRatio) || c.ClipRatio < 1:
		return bad("ClipRatio", "≥ 1", c.ClipRatio)
	case !finite(c.MinVolume) || c.MinVolume < 0:
		return bad("MinVolume", "≥ 0", c.MinVolume)
	case !finite(c.MinRatio) || c.MinRatio <= 1:
		return bad("MinRatio", "> 1", c.MinRatio)
	case !finite(c.Alpha) || c.Alpha <= 0 || c.Alpha >= 1:
		return bad("Alpha", "in (0,1)", c.Alpha)
	case !finite(c.ResolveRatio) || c.ResolveRatio <= 0 || c.ResolveRatio > c.MinRatio:
		return bad("ResolveRatio", "in (0, MinRatio]", c.ResolveRatio)
	case !finite(c.UpdateFactor) || c.UpdateFactor <= 1:
		return bad("UpdateFactor", "> 1", c.UpdateFactor)
	case !finite(c.RearmFactor) || (c.RearmFactor != 0 && c.RearmFactor <= 1):
		return bad("RearmFactor", "0 or > 1", c.RearmFactor)
	case c.CooldownSteps < 0:
		return bad("CooldownSteps", "≥ 0", c.CooldownSteps)
	case c.MaxFrozenSteps < 0:
		return bad("MaxFrozenSteps", "≥ 0", c.MaxFrozenSteps)
	case !finite(c.MinDispersion) || c.MinDispersion < 1:
		return bad("MinDispersion", "≥ 1", c.MinDispersion)
	case c.DispersionSteps < 1:
		return bad("DispersionSteps", "≥ 1", c.DispersionSteps)
	case !finite(c.DispersionClip) || c.DispersionClip <= 1:
		return bad("DispersionClip", "> 1", c.DispersionClip)
	case c.CalibrationRank < 0:
		return bad("CalibrationRank", "≥ 0", c.CalibrationRank)
	case c.CalibrationRank > 0 && c.CalibrationBlockSteps < 1:
		return bad("CalibrationBlockSteps", "≥ 1", c.CalibrationBlockSteps)
	case c.CalibrationRank > 0 && c.CalibrationSteps < c.CalibrationBlockSteps:
		return bad("CalibrationSteps", "≥ CalibrationBlockSteps", c.CalibrationSteps)
	case c.LikelihoodSteps < 0:
		return bad("LikelihoodSteps", "≥ 0", c.LikelihoodSteps)
	case c.LikelihoodSteps > 0 && c.LikelihoodAvgSteps < 1:
		return bad("LikelihoodAvgSteps", "≥ 1", c.LikelihoodAvgSteps)
	case c.LikelihoodSteps > 0 && (!finite(c.LikelihoodAlpha) || c.LikelihoodAlpha <= 0 || c.LikelihoodAlpha >= 1):
		return bad("LikelihoodAlpha", "in (0,1)", c.LikelihoodAlpha)
	case !finite(c.LevelFloor) || c.LevelFloor < 0 || c.LevelFloor > 1:
		return bad("LevelFloor", "in [0,1]", c.LevelFloor)
	case c.LongEvalSteps < 0:
		return bad("LongEvalSteps", "≥ 0", c.LongEvalSteps)
	case c.ResidualDays < 0:
		return bad("ResidualDays", "≥ 0", c.ResidualDays)
	case c.ResidualDays > 0 && (!finite(c.ResidualZ) || c.ResidualZ <= 0):
		return bad("ResidualZ", "> 0", c.ResidualZ)
	case c.ResidualDays > 0 && c.ResidualConfirmSteps < 1:
		return bad("ResidualConfirmSteps", "≥ 1", c.ResidualConfirmSteps)
	case c.MaxGapSteps < 0:
		return bad("MaxGapSteps", "≥ 0", c.MaxGapSteps)
	}
	return nil
}

// Decision is the detector's verdict on one step.
type Decision struct {
	// Value is the observed count over the evaluation window (the last
	// EvalSteps steps, this one included).
	Value float64
	// Baseline is the expected count over the same window: EvalSteps × the
	// per-step expectation from level and seasonality.
	Baseline float64
	// Ratio is the growth over baseline, (Value+1)/(Baseline+1); the +1
	// keeps it finite and modest for tiny counts (0→3 is a ratio of 4, not
	// infinity).
	Ratio float64
	// PValue is the quasi-Poisson upper-tail probability of seeing Value or
	// more when Baseline is expected, with the series' dispersion allowance.
	PValue float64
	// Score in [0,1] says how anomalous the step is, whatever the state:
	// m/(1+m) where m is the smallest of Value/MinVolume,
	// ln(Ratio)/ln(MinRatio) and ln(PValue)/ln(Alpha) (each at least 0). It
	// is 0.5 where all three firing thresholds are just met and tends to 1
	// for overwhelming surges.
	Score float64
	// State is the series' state after this step.
	State State
	// Event is the transition this step caused, if any.
	Event Event
	// Since is the start of the step that fired the current (or, on
	// EventResolve, the just-ended) episode; zero when there is none.
	Since time.Time
}

// Detector detects spikes in one count series. Create it with NewDetector.
// It is not safe for concurrent use; keep one per series.
type Detector struct {
	cfg DetectorConfig

	started bool
	last    time.Time // start of the last observed step
	steps   int       // steps observed since the start or the last reset
	lastDec Decision

	recent    []float64 // ring of the last EvalSteps counts
	recentPos int

	window   []float64 // ring of the learned counts, in arrival order
	winPos   int
	winLen   int
	winSum   float64   // sum of the learned counts in window
	sorted   []float64 // the same counts, sorted
	scratchL []float64

	// hour-of-week seasonality
	season      [7 * 24]float64
	seasonWeeks [7 * 24]int
	hourStart   time.Time // start of the hour being accumulated
	hourSum     float64
	hourN       int
	stepsInHour int

	state    State
	since    time.Time
	notified float64 // Value reported by the last Fire or Update
	peak     float64 // largest Value of the current episode
	lastPeak float64 // largest Value of the last resolved episode
	cooldown int
	frozen   int
	disp     float64 // EWMA of winsorised squared Pearson residuals
	dispN    int

	// calibration against the series' own history of surges, per scale
	cal        calibrator
	calLong    calibrator
	longWin    []float64 // ring of the last LongEvalSteps counts
	longWinPos int
	longWinSum float64
	logAlpha   float64
	logRatio   float64

	// likelihood: running mean and variance of the averaged surprise
	lkRing []float64
	lkPos  int
	lkSum  float64
	lkMean float64
	lkVar  float64
	lkN    int

	mean  float64 // EWMA of the clipped counts, for LevelFloor
	meanN int

	resid residual // the seasonal-residual view, when ResidualDays > 0
}

// NewDetector returns a detector for one series, or the error of
// cfg.Validate.
func NewDetector(cfg DetectorConfig) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	d := &Detector{
		cfg:         cfg,
		recent:      make([]float64, cfg.EvalSteps),
		window:      make([]float64, cfg.BaselineSteps),
		sorted:      make([]float64, 0, cfg.BaselineSteps),
		scratchL:    make([]float64, 0, cfg.BaselineSteps),
		stepsInHour: max(1, int(time.Hour/cfg.Step)),
		logAlpha:    math.Log(cfg.Alpha),
		logRatio:    math.Log(cfg.MinRatio),
	}
	if cfg.LikelihoodSteps > 0 {
		d.lkRing = make([]float64, cfg.LikelihoodAvgSteps)
	}
	if cfg.CalibrationRank > 0 {
		d.cal = newCalibrator(cfg)
		if cfg.LongEvalSteps > 0 {
			d.calLong = newCalibrator(cfg)
		}
	}
	if cfg.LongEvalSteps > 0 {
		d.longWin = make([]float64, cfg.LongEvalSteps)
	}
	d.resid = newResidual(cfg, d.stepsInHour)
	return d, nil
}

// Config returns the detector's configuration, with defaults filled in.
func (d *Detector) Config() DetectorConfig { return d.cfg }

// Observe feeds the count of the step starting at t and returns the decision
// for that step. Steps must arrive in order: missing steps between the
// previous call and t count as zero (a gap longer than MaxGapSteps resets the
// detector), and a t that is not after the previous step is ignored and the
// previous decision returned. Negative, NaN and infinite values count as 0.
//
// Callers that need a resolve while a series is quiet call Observe for every
// step, with 0 for empty ones; if a resolve happens inside a filled gap it is
// reported on t's decision unless t itself causes another event.
func (d *Detector) Observe(t time.Time, value float64) Decision {
	if math.IsNaN(value) || math.IsInf(value, 0) || value < 0 {
		value = 0
	}
	if !d.started {
		d.started = true
		d.last = t
		d.lastDec = d.step(t, value)
		return d.lastDec
	}
	n := t.Sub(d.last) / d.cfg.Step
	if rem := t.Sub(d.last) % d.cfg.Step; rem*2 >= d.cfg.Step {
		n++
	}
	if n <= 0 {
		return d.lastDec
	}
	resolved := false
	if int64(n-1) > int64(d.cfg.MaxGapSteps) {
		d.reset()
	} else {
		for i := time.Duration(1); i < n; i++ {
			if dec := d.step(d.last.Add(i*d.cfg.Step), 0); dec.Event == EventResolve {
				resolved = true
			}
		}
	}
	d.last = t
	dec := d.step(t, value)
	if resolved && dec.Event == EventNone && dec.State == StateNormal {
		dec.Event = EventResolve
	}
	d.lastDec = dec
	return dec
}

// reset forgets everything learned, as for a new series.
func (d *Detector) reset() {
	*d = Detector{
		cfg:         d.cfg,
		started:     true,
		recent:      d.recent,
		window:      d.window,
		sorted:      d.sorted[:0],
		scratchL:    d.scratchL[:0],
		stepsInHour: d.stepsInHour,
		logAlpha:    d.logAlpha,
		logRatio:    d.logRatio,
		cal:         d.cal.cleared(),
		calLong:     d.calLong.cleared(),
		longWin:     d.longWin,
		lkRing:      d.lkRing,
		resid:       d.resid.cleared(),
	}
	clear(d.recent)
	clear(d.longWin)
	clear(d.lkRing)
}

// step processes one step of the series.
func (d *Detector) step(t time.Time, v float64) Decision {
	cfg := &d.cfg
	d.steps++
	d.recent[d.recentPos] = v
	d.recentPos = (d.recentPos + 1) % len(d.recent)
	var value float64
	for _, x := range d.recent {
		value += x
	}

	level, disp := d.levelAndDispersion()
	perStep := d.expected(t, level)
	if cfg.LevelFloor > 0 && d.meanN > 0 {
		perStep = math.Max(perStep, cfg.LevelFloor*d.mean)
	}
	k := float64(cfg.EvalSteps)
	base := k * perStep
	ratio := (value + 1) / (base + 1)
	logp := logPoissonUpper(value/disp, base/disp)

	stat := math.Min(-logp, maxSurprise) // calibrated against the series' history
	if cfg.CalibrateVolume {
		stat = value
	}
	dec := Decision{
		Value:    value,
		Baseline: base,
		Ratio:    ratio,
		PValue:   math.Exp(logp),
		Score:    d.score(value, ratio, logp),
	}

	lkOK := d.likely(math.Min(-logp, maxSurprise))

	// The seasonal-residual view: the count against its hour of the day,
	// judged every step so its run of confirming steps stays current.
	residOK := false
	if d.resid.on() {
		_, confirmed := d.resid.judge(t, cfg.Location, value, cfg.MinRatio)
		residOK = confirmed && d.steps > cfg.MinHistorySteps && value >= cfg.MinVolume
	}

	// The long evaluation window: a surge that lasts is judged on its sum
	// over LongEvalSteps against the same scale's own history.
	var longStat float64
	longFire := false
	if cfg.LongEvalSteps > 0 {
		d.longWinSum += v - d.longWin[d.longWinPos]
		d.longWin[d.longWinPos] = v
		d.longWinPos = (d.longWinPos + 1) % len(d.longWin)
		lv := math.Max(0, d.longWinSum)
		// The trimmed mean drops the few non-zero steps of a sparse
		// series; over a long window the plain mean is the fairer guess.
		lperStep := perStep
		if d.winLen > 0 {
			lperStep = math.Max(perStep, d.winSum/float64(d.winLen))
		}
		lb := float64(cfg.LongEvalSteps) * lperStep
		lr := (lv + 1) / (lb + 1)
		llogp := logPoissonUpper(lv/disp, lb/disp)
		longStat = math.Min(-llogp, maxSurprise)
		if cfg.CalibrateVolume {
			longStat = lv
		}
		longFire = d.steps > cfg.MinHistorySteps && lv >= cfg.MinVolume && lr >= cfg.MinRatio && llogp <= d.logAlpha &&
			d.calLong.beyond(longStat)
	}

	switch d.state {
	case StateNormal:
		if d.cooldown > 0 {
			d.cooldown--
			if cfg.RearmFactor == 0 || value < cfg.RearmFactor*d.lastPeak {
				break
			}
		}
		gates := d.steps > cfg.MinHistorySteps && value >= cfg.MinVolume && ratio >= cfg.MinRatio && logp <= d.logAlpha && lkOK
		if gates && d.calibrated(stat, residOK) || longFire || residOK && !cfg.ResidualAlone {
			d.state = StateFiring
			d.since = t
			d.notified = value
			d.peak = value
			d.frozen = 0
			d.cooldown = 0
			dec.Event = EventFire
		}
	case StateFiring:
		switch {
		case ratio < cfg.ResolveRatio:
			d.state = StateNormal
			d.cooldown = cfg.CooldownSteps
			d.lastPeak = d.peak
			dec.Event = EventResolve
			dec.Since = d.since
		case value >= cfg.UpdateFactor*d.notified:
			d.notified = value
			dec.Event = EventUpdate
		}
		d.peak = math.Max(d.peak, value)
	}
	dec.State = d.state
	if d.state == StateFiring {
		dec.Since = d.since
	} else if dec.Event != EventResolve {
		d.since = time.Time{}
	}

	if d.steps > cfg.MinHistorySteps {
		d.cal.add(stat)
		if cfg.LongEvalSteps > 0 {
			d.calLong.add(longStat)
		}
	}
	if d.state == StateFiring && d.frozen < cfg.MaxFrozenSteps {
		d.frozen++
	} else {
		d.learnLevel(v, perStep)
	}
	if cfg.LevelFloor > 0 && d.state != StateFiring {
		a := math.Max(1/float64(cfg.DispersionSteps), 1/float64(d.meanN+1))
		d.mean += a * (math.Min(v, cfg.ClipRatio*math.Max(perStep, 1)) - d.mean)
		d.meanN++
	}
	d.learnSeason(t, v, perStep)
	if d.resid.on() {
		d.resid.learn(t, cfg.Location, value)
	}
	return dec
}

// likely adds stat to the short average and reports whether that average is
// in the upper tail (LikelihoodAlpha) of its running distribution, judged
// before the average is learned. With the check off it reports true.
func (d *Detector) likely(stat float64) bool {
	cfg := &d.cfg
	if cfg.LikelihoodSteps == 0 {
		return true
	}
	x := math.Log1p(stat)
	d.lkSum += x - d.lkRing[d.lkPos]
	d.lkRing[d.lkPos] = x
	d.lkPos = (d.lkPos + 1) % len(d.lkRing)
	avg := d.lkSum / float64(len(d.lkRing))
	ok := true
	if d.lkN > 0 {
		sd := math.Sqrt(math.Max(d.lkVar, 1e-6))
		z := (avg - d.lkMean) / sd
		ok = 0.5*math.Erfc(z/math.Sqrt2) <= cfg.LikelihoodAlpha
	}
	if d.steps > cfg.LikelihoodAvgSteps {
		a := math.Max(1/float64(cfg.LikelihoodSteps), 1/float64(d.lkN+1))
		dm := avg - d.lkMean
		d.lkMean += a * dm
		d.lkVar = (1 - a) * (d.lkVar + a*dm*dm)
		d.lkN++
	}
	return ok
}

// calibrated reports whether a step that passes the count model's gates is
// also unusual for the series: the calibration check, or with ResidualAlone
// the seasonal-residual test (residOK) in its place.
func (d *Detector) calibrated(stat float64, residOK bool) bool {
	if d.cfg.ResidualAlone && d.resid.on() {
		return residOK
	}
	return d.cal.beyond(stat)
}

// maxSurprise caps the surprise statistic, so that a spike from an all-zero
// baseline (PValue 0) does not become an unbeatable record.
const maxSurprise = 700

// calibrator keeps the per-block maxima of a statistic over the calibration
// horizon, so that a value can be judged against the series' own history.
type calibrator struct {
	rank   int
	block  int
	blocks []float64 // maxima of closed blocks, ring
	pos    int
	n      int
	top    []float64 // the rank largest of blocks, descending
	cur    float64   // maximum of the open block
	curN   int
	buf    []float64
}

func newCalibrator(cfg DetectorConfig) calibrator {
	return calibrator{
		rank:   cfg.CalibrationRank,
		block:  cfg.CalibrationBlockSteps,
		blocks: make([]float64, max(1, cfg.CalibrationSteps/cfg.CalibrationBlockSteps)),
		top:    make([]float64, 0, cfg.CalibrationRank),
		buf:    make([]float64, 0, cfg.CalibrationRank+1),
	}
}

// cleared returns c emptied, keeping its buffers.
func (c calibrator) cleared() calibrator {
	return calibrator{rank: c.rank, block: c.block, blocks: c.blocks, top: c.top[:0], buf: c.buf[:0]}
}

// beyond reports whether stat exceeds the rank-th largest block maximum of
// the calibration horizon (the open block included). With fewer blocks than
// that, or calibration off, it reports true.
func (c *calibrator) beyond(stat float64) bool {
	m := c.rank
	if m == 0 {
		return true
	}
	buf := append(c.buf[:0], c.top...)
	if c.curN > 0 {
		i := len(buf)
		for i > 0 && buf[i-1] < c.cur {
			i--
		}
		buf = slices.Insert(buf, i, c.cur)
	}
	c.buf = buf
	if len(buf) < m {
		return true
	}
	return stat > buf[m-1]
}

// add adds stat to the open block and closes the block when it is full.
func (c *calibrator) add(stat float64) {
	if c.rank == 0 {
		return
	}
	if c.curN == 0 || stat > c.cur {
		c.cur = stat
	}
	c.curN++
	if c.curN < c.block {
		return
	}
	c.blocks[c.pos] = c.cur
	c.pos = (c.pos + 1) % len(c.blocks)
	c.n = min(c.n+1, len(c.blocks))
	c.cur, c.curN = 0, 0
	// Recompute the largest closed-block maxima.
	top := c.top[:0]
	for _, v := range c.blocks[:c.n] {
		i := len(top)
		for i > 0 && top[i-1] < v {
			i--
		}
		if i < c.rank {
			if len(top) == c.rank {
				top = top[:len(top)-1]
			}
			top = slices.Insert(top, i, v)
		}
	}
	c.top = top
}

// score maps the three firing criteria to [0,1]; see Decision.Score.
func (d *Detector) score(value, ratio, logp float64) float64 {
	m := math.Inf(1)
	if d.cfg.MinVolume > 0 {
		m = value / d.cfg.MinVolume
	}
	m = math.Min(m, math.Log(ratio)/d.logRatio)
	m = math.Min(m, logp/d.logAlpha)
	if !(m > 0) { // also catches NaN
		return 0
	}
	if math.IsInf(m, 1) {
		return 1
	}
	return m / (1 + m)
}

// levelAndDispersion returns the trailing level and the current
// variance-to-mean ratio.
func (d *Detector) levelAndDispersion() (level, disp float64) {
	disp = d.cfg.MinDispersion
	if d.dispN > 0 && d.disp > disp {
		disp = d.disp
	}
	if len(d.sorted) == 0 {
		return 0, disp
	}
	return trimmedMean(d.sorted), disp
}

// expected returns the per-step expectation at t from the trailing level and,
// when it has enough history, the hour-of-week level.
func (d *Detector) expected(t time.Time, level float64) float64 {
	if d.cfg.SeasonMinWeeks == 0 {
		return level
	}
	slot := hourOfWeek(t.In(d.cfg.Location))
	if d.seasonWeeks[slot] < d.cfg.SeasonMinWeeks {
		return level
	}
	w := d.cfg.SeasonWeight
	return math.Max(level, w*d.season[slot]+(1-w)*level)
}

// learnLevel adds one step's count to the trailing window and the
// dispersion estimate.
func (d *Detector) learnLevel(v, expected float64) {
	// trailing window, kept sorted alongside the ring
	if d.winLen == len(d.window) {
		old := d.window[d.winPos]
		i, _ := slices.BinarySearch(d.sorted, old)
		d.sorted = slices.Delete(d.sorted, i, i+1)
		d.winSum -= old
	} else {
		d.winLen++
	}
	d.winSum += v
	d.window[d.winPos] = v
	d.winPos = (d.winPos + 1) % len(d.window)
	i, _ := slices.BinarySearch(d.sorted, v)
	d.sorted = slices.Insert(d.sorted, i, v)

	// Dispersion: squared Pearson residual of this step, winsorised at
	// DispersionClip times the current estimate so a rare spike moves it
	// little while frequent bursts raise it until they are no longer rare.
	if len(d.sorted)*4 >= len(d.window) {
		cur := math.Max(d.cfg.MinDispersion, d.disp)
		r := v - expected
		r2 := math.Min(r*r/math.Max(expected, 1), d.cfg.DispersionClip*cur)
		a := math.Max(1/float64(d.cfg.DispersionSteps), 1/float64(d.dispN+1))
		d.disp += a * (r2 - d.disp)
		d.dispN++
	}
}

// learnSeason adds one step's count, clipped to ClipRatio × max(expected, 1),
// to the hour-of-week profile. It learns while firing too: the clip bounds
// what one episode can teach, and a peak that recurs every week must become
// seasonal even though it fired the first times.
func (d *Detector) learnSeason(t time.Time, v, expected float64) {
	if d.cfg.SeasonMinWeeks == 0 {
		return
	}
	lt := t.In(d.cfg.Location)
	hour := time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), 0, 0, 0, d.cfg.Location)
	if !hour.Equal(d.hourStart) {
		d.closeHour()
		d.hourStart = hour
	}
	d.hourSum += math.Min(v, d.cfg.ClipRatio*math.Max(expected, 1))
	d.hourN++
}

// closeHour folds the accumulated hour into its hour-of-week level, if
// enough of the hour was learned to be representative.
func (d *Detector) closeHour() {
	if d.hourN > 0 && d.hourN*2 >= d.stepsInHour {
		slot := hourOfWeek(d.hourStart)
		mean := d.hourSum / float64(d.hourN)
		n := d.seasonWeeks[slot]
		a := math.Max(d.cfg.SeasonAlpha, 1/float64(n+1))
		d.season[slot] += a * (mean - d.season[slot])
		if n < math.MaxInt32 {
			d.seasonWeeks[slot] = n + 1
		}
	}
	d.hourSum, d.hourN = 0, 0
}

func hourOfWeek(t time.Time) int { return int(t.Weekday())*24 + t.Hour() }

// trimFraction is the share of the trailing window dropped at each end
// before averaging it into the level.
const trimFraction = 0.2

// trimmedMean returns the mean of a sorted, non-empty slice without its
// lowest and highest trimFraction. Unlike the median it does not jump
// between integers on small counts (the median of Poisson(4.7) samples
// flips between 4 and 5), and it still ignores a surge that fills less than
// a fifth of the window.
func trimmedMean(s []float64) float64 {
	k := int(float64(len(s)) * trimFraction)
	mid := s[k : len(s)-k]
	var sum float64
	for _, v := range mid {
		sum += v
	}
	return sum / float64(len(mid))
}

// logPoissonUpper returns ln P(X ≥ x) for X ~ Poisson(mean), extended to
// non-integer x through the regularised lower incomplete gamma function
// P(x, mean), which equals the Poisson upper tail for integer x.
func logPoissonUpper(x, mean float64) float64 {
	switch {
	case x <= 0:
		return 0
	case mean <= 0:
		return math.Inf(-1)
	}
	return logRegLowerGamma(x, mean)
}

// logRegLowerGamma returns ln P(a, x), the regularised lower incomplete
// gamma function, for a > 0 and x > 0: by its power series when x < a+1
// (where P is small and its logarithm must stay accurate) and otherwise by
// the continued fraction for Q = 1 − P.
func logRegLowerGamma(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	logPrefix := -x + a*math.Log(x) - lg
	if x < a+1 {
		// P(a,x) = e^-x x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
		sum, term := 1/a, 1/a
		for n := 1; n < 1000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if term < sum*1e-15 {
				break
			}
		}
		return logPrefix + math.Log(sum)
	}
	// Q(a,x) by the modified Lentz continued fraction.
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	dd := 1 / b
	h := dd
	for i := 1; i < 1000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		dd = an*dd + b
		if math.Abs(dd) < tiny {
			dd = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		dd = 1 / dd
		del := dd * c
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	q := math.Exp(logPrefix) * h
	if q >= 1 {
		return math.Log(math.SmallestNonzeroFloat64)
	}
	return math.Log1p(-q)
}

// ErrNoStep is returned when a step cannot be inferred from timestamps.
var ErrNoStep = errors.New("detect: cannot infer a step from fewer than two distinct timestamps")

// InferStep returns the most common positive difference between consecutive
// timestamps (the smallest one on ties), the step of a regularly sampled
// series with occasional gaps.
func InferStep(ts []time.Time) (time.Duration, error) {
	counts := map[time.Duration]int{}
	for i := 1; i < len(ts); i++ {
		if dt := ts[i].Sub(ts[i-1]); dt > 0 {
			counts[dt]++
		}
	}
	var best time.Duration
	for dt, c := range counts {
		if c > counts[best] || (c == counts[best] && dt < best) {
			best = dt
		}
	}
	if best <= 0 {
		return 0, ErrNoStep
	}
	return best, nil
}
