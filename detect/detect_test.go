package detect

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var detT0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday

// poisson draws from Poisson(mean) (Knuth's method, fine for small means;
// normal approximation above 50).
func poisson(r *rand.Rand, mean float64) float64 {
	if mean > 50 {
		return math.Max(0, math.Round(mean+math.Sqrt(mean)*r.NormFloat64()))
	}
	l, k, p := math.Exp(-mean), 0.0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// run feeds values produced by rate(step index) at a 1-minute step and
// returns the decisions.
func run(t *testing.T, cfg DetectorConfig, steps int, seed uint64, value func(i int, r *rand.Rand) float64) []Decision {
	t.Helper()
	d, err := NewDetector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]Decision, steps)
	for i := range out {
		out[i] = d.Observe(detT0.Add(time.Duration(i)*cfg.Step), value(i, r))
	}
	return out
}

func events(ds []Decision, e Event) []int {
	var at []int
	for i, d := range ds {
		if d.Event == e {
			at = append(at, i)
		}
	}
	return at
}

const (
	day  = 24 * 60 // steps of one minute
	week = 7 * day
)

func TestDetectorBehaviour(t *testing.T) {
	minute := DefaultDetectorConfig(time.Minute)
	noCalib := minute
	noCalib.CalibrationRank = 0

	hourCooldown := noCalib
	hourCooldown.CooldownSteps = 60

	noHysteresis := noCalib
	noHysteresis.ResolveRatio = noHysteresis.MinRatio
	noHysteresis.CooldownSteps = 0
	// nearThreshold is a surge over a background of 10 whose 2-step window
	// ratio swings between about 1.9 and 2.7: across the fire ratio (2) but
	// never below the resolve ratio (1.5).
	nearThreshold := func(i int, r *rand.Rand) float64 {
		if i >= day && i < day+48 {
			if i%3 != 2 {
				return 28
			}
			return 12
		}
		return poisson(r, 10)
	}

	surgeAt := 8 * day // after a week of history, so calibration is active
	tests := []struct {
		name  string
		cfg   DetectorConfig
		steps int
		value func(i int, r *rand.Rand) float64
		check func(t *testing.T, ds []Decision)
	}{
		{
			name: "flat noisy background over a simulated week never fires", cfg: minute, steps: week,
			value: func(i int, r *rand.Rand) float64 { return poisson(r, 5) },
			check: func(t *testing.T, ds []Decision) {
				if f := events(ds, EventFire); len(f) > 0 {
					t.Errorf("fired at steps %v: %+v", f, ds[f[0]])
				}
			},
		},
		{
			name: "flat background of rare complaints never fires", cfg: minute, steps: week,
			value: func(i int, r *rand.Rand) float64 { return poisson(r, 0.3) },
			check: func(t *testing.T, ds []Decision) {
				if f := events(ds, EventFire); len(f) > 0 {
					t.Errorf("fired at steps %v: %+v", f, ds[f[0]])
				}
			},
		},
		{
			name: "4x surge fires within 2 steps and resolves after it ends", cfg: minute, steps: surgeAt + 120,
			value: func(i int, r *rand.Rand) float64 {
				if i >= surgeAt && i < surgeAt+30 {
					return poisson(r, 20)
				}
				return poisson(r, 5)
			},
			check: func(t *testing.T, ds []Decision) {
				f := events(ds, EventFire)
				if len(f) != 1 || f[0] < surgeAt || f[0] > surgeAt+1 {
					t.Fatalf("fires at %v, want exactly one at step %d or %d", f, surgeAt, surgeAt+1)
				}
				if ds[f[0]].Ratio < 2 || ds[f[0]].Score < 0.5 {
					t.Errorf("fire decision %+v: want Ratio ≥ 2 and Score ≥ 0.5", ds[f[0]])
				}
				res := events(ds, EventResolve)
				if len(res) != 1 || res[0] < surgeAt+30 || res[0] > surgeAt+30+5 {
					t.Errorf("resolves at %v, want one within 5 steps after the surge ends at %d", res, surgeAt+30)
				}
				if !ds[res[0]].Since.Equal(ds[f[0]].Since) {
					t.Errorf("resolve Since %v, fire Since %v", ds[res[0]].Since, ds[f[0]].Since)
				}
			},
		},
		{
			name: "surge near the threshold does not flap thanks to hysteresis", cfg: noCalib, steps: day + 60,
			value: nearThreshold,
			check: func(t *testing.T, ds []Decision) {
				if f := events(ds, EventFire); len(f) != 1 {
					t.Errorf("fires at %v, want exactly one", f)
				}
				if r := events(ds, EventResolve); len(r) != 1 || r[0] < day+48 {
					t.Errorf("resolves at %v, want one after the surge ends at %d", r, day+48)
				}
			},
		},
		{
			name: "the same surge flaps without hysteresis and cooldown", cfg: noHysteresis, steps: day + 60,
			value: nearThreshold,
			check: func(t *testing.T, ds []Decision) {
				if f := events(ds, EventFire); len(f) < 3 {
					t.Errorf("fires at %v, want the control case to flap", f)
				}
			},
		},
		{
			name: "cooldown blocks a re-fire right after a resolve but not later", cfg: hourCooldown, steps: day + 200,
			value: func(i int, r *rand.Rand) float64 {
				switch {
				case i >= day && i < day+10, // first surge
					i >= day+20 && i < day+30,   // inside the 60-step cooldown
					i >= day+150 && i < day+160: // after it
					return poisson(r, 40)
				}
				return poisson(r, 5)
			},
			check: func(t *testing.T, ds []Decision) {
				f := events(ds, EventFire)
				if len(f) != 2 || f[0] > day+1 || f[1] < day+150 || f[1] > day+151 {
					t.Errorf("fires at %v, want one at the first surge and one at the third", f)
				}
			},
		},
		{
			name: "quiet feature resolves when counts drop to zero", cfg: noCalib, steps: day + 40,
			value: func(i int, r *rand.Rand) float64 {
				switch {
				case i < day:
					return poisson(r, 2)
				case i < day+20:
					return 30
				}
				return 0
			},
			check: func(t *testing.T, ds []Decision) {
				if f := events(ds, EventFire); len(f) != 1 {
					t.Fatalf("fires at %v, want one", f)
				}
				if r := events(ds, EventResolve); len(r) != 1 || r[0] > day+20+3 {
					t.Errorf("resolves at %v, want within 3 steps of the counts dropping to zero", r)
				}
				if last := ds[len(ds)-1]; last.State != StateNormal {
					t.Errorf("final state %v, want normal", last.State)
				}
			},
		},
		{
			name: "daily peak that repeats is not an anomaly after two weeks", cfg: noCalib, steps: 3 * week,
			value: func(i int, r *rand.Rand) float64 {
				if h := (i % day) / 60; h == 12 { // 12:00-13:00 every day at 3x
					return poisson(r, 15)
				}
				return poisson(r, 5)
			},
			check: func(t *testing.T, ds []Decision) {
				for _, f := range events(ds, EventFire) {
					if f >= 2*week {
						t.Errorf("fired in the third week at step %d (%s): %+v", f, detT0.Add(time.Duration(f)*time.Minute), ds[f])
					}
				}
				peak := ds[2*week+2*day+12*60+5].Baseline // 12:05 on a third-week day
				off := ds[2*week+2*day+10*60].Baseline
				if peak < 1.5*off {
					t.Errorf("peak-hour baseline %.1f, off-peak %.1f: seasonality not learned", peak, off)
				}
			},
		},
		{
			name: "minimum volume: 0 to 3 is not a spike", cfg: minute, steps: day + 30,
			value: func(i int, r *rand.Rand) float64 {
				if i >= day {
					return 3
				}
				return 0
			},
			check: func(t *testing.T, ds []Decision) {
				if f := events(ds, EventFire); len(f) > 0 {
					t.Errorf("fired at %v: %+v", f, ds[f[0]])
				}
			},
		},
		{
			name: "surge keeps firing and reports an update when it doubles", cfg: noCalib, steps: day + 40,
			value: func(i int, r *rand.Rand) float64 {
				switch {
				case i >= day && i < day+10:
					return 25
				case i >= day+10 && i < day+30:
					return 100
				}
				return poisson(r, 5)
			},
			check: func(t *testing.T, ds []Decision) {
				if f := events(ds, EventFire); len(f) != 1 {
					t.Errorf("fires at %v, want one", f)
				}
				if u := events(ds, EventUpdate); len(u) == 0 || u[0] < day+10 {
					t.Errorf("updates at %v, want one after the surge quadruples at %d", u, day+10)
				}
				if ds[day+20].Baseline > 30 {
					t.Errorf("baseline %.1f during the surge: the surge polluted it", ds[day+20].Baseline)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, run(t, tt.cfg, tt.steps, 1, tt.value))
		})
	}
}

func TestDetector4xSurgeLatencyOverSeeds(t *testing.T) {
	// A 4x surge over a background of 5 complaints a minute, after a week of
	// history: across seeds, nearly always detected within 2 minutes (steps
	// 0 or 1 of the surge) and always within 3.
	cfg := DefaultDetectorConfig(time.Minute)
	at := 8 * day
	const seeds = 30
	within2 := 0
	for seed := range uint64(seeds) {
		ds := run(t, cfg, at+10, seed, func(i int, r *rand.Rand) float64 {
			if i >= at {
				return poisson(r, 20)
			}
			return poisson(r, 5)
		})
		f := events(ds, EventFire)
		if len(f) != 1 || f[0] < at || f[0] > at+2 {
			t.Errorf("seed %d: fires at %v, want one within 3 steps of %d", seed, f, at)
			continue
		}
		if f[0] <= at+1 {
			within2++
		}
	}
	if within2 < seeds*9/10 {
		t.Errorf("%d of %d surges detected within 2 minutes, want at least 90%%", within2, seeds)
	}
}

func TestDetectorNABStepSurge(t *testing.T) {
	// At NAB's 5-minute step with Twitter-like volumes (tens to hundreds), a
	// sudden 10x burst fires at once.
	cfg := DefaultDetectorConfig(5 * time.Minute)
	at := 3 * 288
	ds := run(t, cfg, at+20, 7, func(i int, r *rand.Rand) float64 {
		if i >= at && i < at+6 {
			return poisson(r, 600)
		}
		return poisson(r, 60)
	})
	if f := events(ds, EventFire); len(f) != 1 || f[0] != at {
		t.Errorf("fires at %v, want exactly one at %d", f, at)
	}
}

func TestDetectorGapCountsAsZerosAndResolves(t *testing.T) {
	cfg := DefaultDetectorConfig(time.Minute)
	d, err := NewDetector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	i := 0
	for ; i < day; i++ {
		d.Observe(detT0.Add(time.Duration(i)*time.Minute), poisson(r, 3))
	}
	var fired bool
	for ; i < day+10; i++ {
		fired = fired || d.Observe(detT0.Add(time.Duration(i)*time.Minute), 40).Event == EventFire
	}
	if !fired {
		t.Fatal("surge did not fire")
	}
	// Nothing for 20 minutes, then one empty step: the resolve is reported.
	dec := d.Observe(detT0.Add(time.Duration(i+20)*time.Minute), 0)
	if dec.Event != EventResolve || dec.State != StateNormal {
		t.Errorf("after a quiet gap: %+v, want a resolve", dec)
	}
	// A step that is not after the previous one is ignored.
	if again := d.Observe(detT0, 1000); again != dec {
		t.Errorf("out-of-order step changed the decision: %+v", again)
	}
}

func TestDetectorCooldownRearmsOnlyForAWorseSurge(t *testing.T) {
	cfg := DefaultDetectorConfig(time.Minute)
	cfg.CalibrationRank = 0 // judge the cooldown alone
	first, relapse := day, day+120
	surge := func(at int, rate float64) func(i int, r *rand.Rand) float64 {
		return func(i int, r *rand.Rand) float64 {
			switch {
			case i >= first && i < first+20:
				return poisson(r, 40)
			case i >= at && i < at+20:
				return poisson(r, rate)
			}
			return poisson(r, 5)
		}
	}
	tests := []struct {
		name      string
		rearm     float64
		rate      float64
		wantFires int
	}{
		{"a relapse as large as the last surge stays quiet in the cooldown", 2, 40, 1},
		{"a surge well past twice the last one pages again", 2, 200, 2},
		{"with rearming off even a far worse surge waits", 0, 200, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			c.RearmFactor = tt.rearm
			ds := run(t, c, relapse+60, 3, surge(relapse, tt.rate))
			f := events(ds, EventFire)
			if len(f) != tt.wantFires || f[0] < first || f[0] > first+1 {
				t.Fatalf("fires at %v, want %d (the first at step %d)", f, tt.wantFires, first)
			}
			if tt.wantFires == 2 && (f[1] < relapse || f[1] > relapse+1) {
				t.Fatalf("second fire at step %d, want at %d", f[1], relapse)
			}
		})
	}
}

func TestDetectorConfigValidate(t *testing.T) {
	tests := []struct {
		field string
		mod   func(*DetectorConfig)
	}{
		{"Step", func(c *DetectorConfig) { c.Step = 0 }},
		{"EvalSteps", func(c *DetectorConfig) { c.EvalSteps = 0 }},
		{"BaselineSteps", func(c *DetectorConfig) { c.BaselineSteps = 1 }},
		{"SeasonWeight", func(c *DetectorConfig) { c.SeasonWeight = 1.5 }},
		{"SeasonAlpha", func(c *DetectorConfig) { c.SeasonAlpha = 0 }},
		{"ClipRatio", func(c *DetectorConfig) { c.ClipRatio = 0.5 }},
		{"MinVolume", func(c *DetectorConfig) { c.MinVolume = math.NaN() }},
		{"MinRatio", func(c *DetectorConfig) { c.MinRatio = 1 }},
		{"Alpha", func(c *DetectorConfig) { c.Alpha = 0 }},
		{"ResolveRatio", func(c *DetectorConfig) { c.ResolveRatio = c.MinRatio + 1 }},
		{"UpdateFactor", func(c *DetectorConfig) { c.UpdateFactor = 1 }},
		{"CooldownSteps", func(c *DetectorConfig) { c.CooldownSteps = -1 }},
		{"MinDispersion", func(c *DetectorConfig) { c.MinDispersion = 0.5 }},
		{"DispersionSteps", func(c *DetectorConfig) { c.DispersionSteps = 0 }},
		{"DispersionClip", func(c *DetectorConfig) { c.DispersionClip = 1 }},
		{"CalibrationRank", func(c *DetectorConfig) { c.CalibrationRank = -1 }},
		{"CalibrationSteps", func(c *DetectorConfig) { c.CalibrationSteps = c.CalibrationBlockSteps - 1 }},
		{"LevelFloor", func(c *DetectorConfig) { c.LevelFloor = 1.5 }},
		{"LongEvalSteps", func(c *DetectorConfig) { c.LongEvalSteps = -1 }},
		{"LikelihoodSteps", func(c *DetectorConfig) { c.LikelihoodSteps = -1 }},
		{"LikelihoodAvgSteps", func(c *DetectorConfig) { c.LikelihoodSteps, c.LikelihoodAlpha = 60, 0.01 }},
		{"LikelihoodAlpha", func(c *DetectorConfig) { c.LikelihoodSteps, c.LikelihoodAvgSteps = 60, 5 }},
		{"ResidualDays", func(c *DetectorConfig) { c.ResidualDays = -1 }},
		{"ResidualZ", func(c *DetectorConfig) { c.ResidualZ = math.Inf(1) }},
		{"ResidualConfirmSteps", func(c *DetectorConfig) { c.ResidualConfirmSteps = 0 }},
	}
	if err := DefaultDetectorConfig(time.Minute).Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			c := DefaultDetectorConfig(time.Minute)
			tt.mod(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), "DetectorConfig."+tt.field+" ") {
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.field)
			}
			if _, err := NewDetector(c); err == nil {
				t.Error("NewDetector accepted an invalid config")
			}
		})
	}
}

func TestDefaultDetectorConfigScalesWithStep(t *testing.T) {
	m, f := DefaultDetectorConfig(time.Minute), DefaultDetectorConfig(5*time.Minute)
	if m.EvalSteps != 2 || f.EvalSteps != 2 {
		t.Errorf("EvalSteps %d at 1m and %d at 5m, want 2", m.EvalSteps, f.EvalSteps)
	}
	if m.CooldownSteps != 1440 || f.CooldownSteps != 288 {
		t.Errorf("CooldownSteps %d at 1m and %d at 5m, want one day", m.CooldownSteps, f.CooldownSteps)
	}
}

func TestLogPoissonUpper(t *testing.T) {
	tests := []struct {
		name    string
		x, mean float64
		want    float64 // P(X ≥ x)
	}{
		{"zero is certain", 0, 3, 1},
		{"one event at mean one", 1, 1, 1 - math.Exp(-1)},
		{"ten events at mean two", 10, 2, 4.6498e-5},
		{"three events at mean five", 3, 5, 0.875348},
		{"below the mean", 40, 50, 0.935430},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := math.Exp(logPoissonUpper(tt.x, tt.mean))
			if math.Abs(got-tt.want) > 1e-3*tt.want {
				t.Errorf("P(X ≥ %v | %v) = %.6g, want %.6g", tt.x, tt.mean, got, tt.want)
			}
		})
	}
	if lp := logPoissonUpper(500, 5); !(lp < -1000) || math.IsInf(lp, 0) {
		t.Errorf("ln P(X ≥ 500 | 5) = %v, want a finite, very negative log", lp)
	}
	if lp := logPoissonUpper(5, 0); !math.IsInf(lp, -1) {
		t.Errorf("ln P(X ≥ 5 | 0) = %v, want -Inf", lp)
	}
}

func TestInferStep(t *testing.T) {
	ts := []time.Time{detT0, detT0.Add(5 * time.Minute), detT0.Add(10 * time.Minute), detT0.Add(20 * time.Minute), detT0.Add(25 * time.Minute)}
	if got, err := InferStep(ts); err != nil || got != 5*time.Minute {
		t.Errorf("InferStep = %v, %v; want 5m", got, err)
	}
	if _, err := InferStep(ts[:1]); err == nil {
		t.Error("InferStep of one timestamp: want an error")
	}
}

func FuzzDetectorObserve(f *testing.F) {
	f.Add([]byte{0, 0, 0, 5, 5, 5, 200, 200, 0, 0}, uint8(1))
	f.Add([]byte{255, 0, 255, 0, 1}, uint8(5))
	f.Add([]byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, stepMin uint8) {
		cfg := DefaultDetectorConfig(time.Duration(int(stepMin)%10+1) * time.Minute)
		cfg.BaselineSteps, cfg.MinHistorySteps = 12, 2 // exercise the firing paths quickly
		d, err := NewDetector(cfg)
		if err != nil {
			t.Fatal(err)
		}
		at := detT0
		for i, b := range data {
			v := float64(b)
			if i%7 == 3 {
				v = v * v * 1e3 // occasional huge values
			}
			if b%11 == 0 {
				at = at.Add(time.Duration(b%5) * cfg.Step) // gaps and repeats
			}
			at = at.Add(cfg.Step)
			dec := d.Observe(at, v)
			for name, x := range map[string]float64{"Value": dec.Value, "Baseline": dec.Baseline, "Ratio": dec.Ratio, "PValue": dec.PValue, "Score": dec.Score} {
				if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
					t.Fatalf("step %d: %s = %v", i, name, x)
				}
			}
			if dec.Score > 1 || dec.PValue > 1 {
				t.Fatalf("step %d: Score %v, PValue %v outside [0,1]", i, dec.Score, dec.PValue)
			}
		}
	})
}

func BenchmarkDetectorObserve(b *testing.B) {
	configs := []struct {
		name string
		mod  func(*DetectorConfig)
	}{
		{"", func(*DetectorConfig) {}},
		{"/without the seasonal-residual view", func(c *DetectorConfig) { c.ResidualDays = 0 }},
	}
	for _, step := range []time.Duration{time.Minute, 5 * time.Minute} {
		for _, c := range configs {
			b.Run(step.String()+c.name, func(b *testing.B) {
				cfg := DefaultDetectorConfig(step)
				c.mod(&cfg)
				benchObserve(b, cfg, step)
			})
		}
	}
}

func benchObserve(b *testing.B, cfg DetectorConfig, step time.Duration) {
	d, err := NewDetector(cfg)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	vals := make([]float64, 4096)
	for i := range vals {
		vals[i] = poisson(r, 8)
	}
	// warm up past the history needed for seasonality and calibration
	for i := range 3 * week {
		d.Observe(detT0.Add(time.Duration(i)*step), vals[i%len(vals)])
	}
	start := detT0.Add(3 * week * step)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		d.Observe(start.Add(time.Duration(i)*step), vals[i%len(vals)])
	}
}

func TestDetectorFlatNoisyWeekRaisesNothing(t *testing.T) {
	for _, rate := range []float64{0.2, 1, 5, 30} {
		for seed := uint64(1); seed <= 3; seed++ {
			ds := run(t, DefaultDetectorConfig(time.Minute), week, seed, func(_ int, r *rand.Rand) float64 { return poisson(r, rate) })
			if f := events(ds, EventFire); len(f) > 0 {
				t.Errorf("Poisson(%g) a minute, seed %d: fired at %v: %+v", rate, seed, f, ds[f[0]])
			}
		}
	}
}

func TestDetectorObserveAllocatesNothing(t *testing.T) {
	d, err := NewDetector(DefaultDetectorConfig(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	at := detT0
	for range 3 * day { // past the warm-up, through calibration blocks
		at = at.Add(time.Minute)
		d.Observe(at, poisson(r, 5))
	}
	allocs := testing.AllocsPerRun(2000, func() {
		at = at.Add(time.Minute)
		d.Observe(at, poisson(r, 5))
	})
	if allocs != 0 {
		t.Errorf("Observe allocates %.2f times per step, want 0", allocs)
	}
}

// withOptions are the default configuration at one minute with each of the
// options that are off by default switched on, as "eval nab --variants"
// measures them.
var withOptions = []struct {
	name string
	mod  func(*DetectorConfig)
}{
	{"level floor", func(c *DetectorConfig) { c.LevelFloor = 0.25 }},
	{"long window", func(c *DetectorConfig) { c.LongEvalSteps = 30 }},
	{"volume calibration", func(c *DetectorConfig) { c.CalibrateVolume, c.CalibrationSteps, c.CalibrationRank = true, 2*week, 2 }},
	{"likelihood", func(c *DetectorConfig) { c.LikelihoodSteps, c.LikelihoodAvgSteps, c.LikelihoodAlpha = week, 60, 1e-2 }},
	{"without the seasonal-residual view", func(c *DetectorConfig) { c.ResidualDays = 0 }},
	{"seasonal-residual view alone", func(c *DetectorConfig) { c.ResidualAlone = true }},
	{"seasonal-residual view confirmed over 30 minutes", func(c *DetectorConfig) { c.ResidualConfirmSteps = 30 }},
	{"all of them", func(c *DetectorConfig) {
		c.LevelFloor, c.LongEvalSteps = 0.25, 30
		c.CalibrateVolume, c.CalibrationSteps, c.CalibrationRank = true, 2*week, 2
		c.LikelihoodSteps, c.LikelihoodAvgSteps, c.LikelihoodAlpha = week, 60, 1e-2
	}},
}

func TestDetectorOptionsKeepAFlatNoisyWeekQuiet(t *testing.T) {
	for _, o := range withOptions {
		t.Run(o.name, func(t *testing.T) {
			cfg := DefaultDetectorConfig(time.Minute)
			o.mod(&cfg)
			for _, rate := range []float64{0.2, 5, 30} {
				ds := run(t, cfg, week, 1, func(_ int, r *rand.Rand) float64 { return poisson(r, rate) })
				if f := events(ds, EventFire); len(f) > 0 {
					t.Errorf("Poisson(%g) a minute: fired at %v: %+v", rate, f, ds[f[0]])
				}
			}
		})
	}
}

func TestDetectorOptionsObserveAllocatesNothing(t *testing.T) {
	for _, o := range withOptions {
		t.Run(o.name, func(t *testing.T) {
			cfg := DefaultDetectorConfig(time.Minute)
			o.mod(&cfg)
			d, err := NewDetector(cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(1, 1))
			at := detT0
			for range 3 * day {
				at = at.Add(time.Minute)
				d.Observe(at, poisson(r, 5))
			}
			allocs := testing.AllocsPerRun(2000, func() {
				at = at.Add(time.Minute)
				d.Observe(at, poisson(r, 5))
			})
			if allocs != 0 {
				t.Errorf("Observe allocates %.2f times per step, want 0", allocs)
			}
		})
	}
}

func TestDetectorOptionsBehaviour(t *testing.T) {
	const start = 2 * day
	tests := []struct {
		name     string
		mod      func(*DetectorConfig)
		from     int // fires before this step are not counted (0: start)
		steps    int
		value    func(i int, r *rand.Rand) float64
		wantFire bool
	}{
		{
			// Two and a half hours of zeros (a collection outage) empty the
			// trailing level; without a floor the return of the usual
			// volume looks like a surge from nothing.
			name: "with surprise calibration counts back after an outage fire without a level floor",
			mod:  surpriseCalibration, steps: start + 300,
			value: outage(start, 150, 20), wantFire: true,
		},
		{
			name: "with surprise calibration counts back after an outage stay quiet with a level floor of half the mean",
			mod:  func(c *DetectorConfig) { surpriseCalibration(c); c.LevelFloor = 0.5 }, steps: start + 300,
			value: outage(start, 150, 20), wantFire: false,
		},
		{
			// The default judges the count's novelty: the usual volume
			// coming back is not above the busier days' peaks.
			name: "with the default volume calibration counts back after an outage stay quiet",
			mod:  func(*DetectorConfig) {}, steps: start + 300,
			value: outage(start, 150, 20), wantFire: false,
		},
		{
			name: "counts back after an outage stay quiet with a level floor of half the mean",
			mod:  func(c *DetectorConfig) { c.LevelFloor = 0.5 }, steps: start + 300,
			value: outage(start, 150, 20), wantFire: false,
		},
		{
			// Every day at noon the series bursts to 200 a minute for five
			// minutes; a burst to 150 at another hour on day 8 is below
			// those peaks.
			name: "with volume calibration a burst below the usual daily peaks stays quiet",
			mod:  volumeCalibration, from: 7*day + 18*60, steps: 7*day + 18*60 + 30,
			value: dailyPeaks(7*day+18*60, 150), wantFire: false,
		},
		{
			name: "with volume calibration a burst above the usual daily peaks fires",
			mod:  volumeCalibration, from: 7*day + 18*60, steps: 7*day + 18*60 + 30,
			value: dailyPeaks(7*day+18*60, 600), wantFire: true,
		},
		{
			name: "with the likelihood check a sudden tenfold surge still fires",
			mod: func(c *DetectorConfig) {
				c.LikelihoodSteps, c.LikelihoodAvgSteps, c.LikelihoodAlpha = week, 60, 1e-2
			},
			steps: start + 60, value: lasting(start, 30, 5, 10), wantFire: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultDetectorConfig(time.Minute)
			tt.mod(&cfg)
			ds := run(t, cfg, tt.steps, 3, tt.value)
			var fired []int
			from := tt.from
			if from == 0 {
				from = start
			}
			for _, i := range events(ds, EventFire) {
				if i >= from {
					fired = append(fired, i)
				}
			}
			if got := len(fired) > 0; got != tt.wantFire {
				t.Errorf("fired at %v, want fire %v", fired, tt.wantFire)
			}
		})
	}
}

// surpriseCalibration is the calibration before volume novelty became the
// default: the 3rd-largest daily peak of surprise over a week.
func surpriseCalibration(c *DetectorConfig) {
	c.CalibrateVolume, c.CalibrationSteps, c.CalibrationRank = false, week, 3
}

func volumeCalibration(c *DetectorConfig) {
	c.CalibrateVolume, c.CalibrationSteps, c.CalibrationRank = true, 2*week, 2
}

// outage is Poisson(rate) a minute with zeros for n minutes from at.
func outage(at, n int, rate float64) func(int, *rand.Rand) float64 {
	return func(i int, r *rand.Rand) float64 {
		if i >= at && i < at+n {
			return 0
		}
		return poisson(r, rate)
	}
}

// lasting is Poisson(rate) a minute, times factor for n minutes from at.
func lasting(at, n int, rate, factor float64) func(int, *rand.Rand) float64 {
	return func(i int, r *rand.Rand) float64 {
		if i >= at && i < at+n {
			return poisson(r, rate*factor)
		}
		return poisson(r, rate)
	}
}

// dailyPeaks is Poisson(10) a minute with a burst to 200 a minute for five
// minutes every day at noon, and a burst to peak for five minutes at at.
func dailyPeaks(at int, peak float64) func(int, *rand.Rand) float64 {
	return func(i int, r *rand.Rand) float64 {
		switch {
		case i >= at && i < at+5:
			return poisson(r, peak)
		case i%day >= 12*60 && i%day < 12*60+5:
			return poisson(r, 200)
		}
		return poisson(r, 10)
	}
}

func TestDetectorLongWindowCatchesLastingSurgesTheShortOneMisses(t *testing.T) {
	// ×4 for an hour on 0.5 a minute, over ten seeds: two minutes hold too
	// little evidence, thirty minutes enough.
	const at = 2 * day
	caught := func(mod func(*DetectorConfig)) int {
		n := 0
		for seed := uint64(1); seed <= 10; seed++ {
			cfg := DefaultDetectorConfig(time.Minute)
			mod(&cfg)
			ds := run(t, cfg, at+70, seed, lasting(at, 60, 0.5, 4))
			for _, i := range events(ds, EventFire) {
				if i >= at {
					n++
					break
				}
			}
		}
		return n
	}
	short := caught(func(*DetectorConfig) {})
	long := caught(func(c *DetectorConfig) { c.LongEvalSteps = 30 })
	t.Logf("caught %d/10 with the two-minute window, %d/10 with a thirty-minute one", short, long)
	if short > 3 || long < 8 {
		t.Errorf("caught %d/10 with the two-minute window and %d/10 with a thirty-minute one, want at most 3 and at least 8", short, long)
	}
}
